"""Start and stop markers of each product across versions count as restarts (restarts.yaml).

The lines are shaped as the products write them: Jira 6/7's JiraStartupLogger banner at the start of
the line (Jira 8+ indents it by four spaces), Confluence's lifecycle listener, Stash before its rename.
"""

from __future__ import annotations

from datetime import UTC

import pytest

from collectors.logs.app_scan import AppAccumulator, ChunkScanner
from collectors.logs.context import FileContext
from collectors.logs.matcher import hyperscan
from collectors.logs.model import LogKind
from collectors.logs.timestamps import MinuteClock

ENGINES = [False, True] if hyperscan is not None else [False]

CASES = [
    (
        LogKind.JIRA_APP,
        "2014-02-17 10:00:00,123 localhost-startStop-1 INFO      [atlassian.jira.startup.JiraStartupLogger] \n"
        "\n****************\nJIRA starting...\n****************\n\n",
        ["restart.jira.starting"],
    ),
    (
        LogKind.JIRA_APP,
        "2021-03-11 20:35:47,612+0100 localhost-startStop-1 INFO      [c.a.jira.startup.JiraStartupLogger] \n"
        "    \n    ****************\n    Jira starting...\n    ****************\n    \n",
        ["restart.jira.starting"],
    ),
    (
        LogKind.CONFLUENCE_APP,
        "2019-06-03 18:01:02,100 INFO [Catalina-utility-2] [com.atlassian.confluence.lifecycle] "
        "contextDestroyed Stopping Confluence\n"
        "2019-06-03 18:03:04,207 INFO [Catalina-utility-1] [com.atlassian.confluence.lifecycle] "
        "contextInitialized Starting Confluence 6.15.4 [build 8100 based on commit hash b0984b72]\n",
        ["restart.confluence.stopping", "restart.confluence.starting"],
    ),
    (
        LogKind.BITBUCKET_APP,
        "2015-09-09 15:20:01,084 INFO  [main]  c.a.s.i.b.log.BuildInfoLogger Starting Stash 3.11.2 "
        "(6f1e4b4 built on Tue Jul 28 10:06:17 AEST 2015)\n",
        ["restart.bitbucket.starting"],
    ),
]


@pytest.mark.parametrize("use_hs", ENGINES)
@pytest.mark.parametrize(("kind", "text", "markers"), CASES)
def test_start_and_stop_markers_are_restarts(use_hs, kind, text, markers) -> None:
    from agent.signatures import load_signatures
    from checks.signatures.scan import to_scan_patterns

    scanner = ChunkScanner(to_scan_patterns(load_signatures(None)), MinuteClock(UTC), use_hyperscan=use_hs)
    acc = AppAccumulator()
    scanner.scan(text.encode(), FileContext("f", "n1", kind, UTC), acc)
    assert [sig for _, _, sig, _ in acc.restarts] == markers
    assert all(at is not None for at, _, _, _ in acc.restarts)  # each placed at its event's time
