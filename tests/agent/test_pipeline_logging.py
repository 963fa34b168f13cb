"""The pipeline logs its stages: skipped checks with their reason at debug, crashes and overruns at warning."""

from __future__ import annotations

import logging
import re

from agent import pipeline
from checks.runner import CheckSettings
from tests.checks.test_framework_runner import (
    Crashes,
    Hangs,
    Skips,
    UsesThreshold,
    instance,
    registry,
    snapshot,
)


def test_analyze_logs_each_check_that_did_not_run(caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="agent.pipeline")
    pipeline.analyze(snapshot(instance()), CheckSettings(), registry(Crashes, Hangs, Skips, UsesThreshold))
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "agent.pipeline"]
    assert logged[:3] == [
        ("WARNING", "check test.crashes on acme-jira crashed: ZeroDivisionError: boom"),
        (
            "WARNING",
            "check test.hangs on acme-jira timed out: the check did not finish within its 0.2 s budget",
        ),
        ("DEBUG", "check test.skips on acme-jira skipped: only for clusters"),
    ]
    assert logged[3][0] == "INFO"
    assert re.fullmatch(
        r"checks done in [\d.]+ s: 1 crashed, 1 ran, 1 skipped, 1 timed_out; 3 finding\(s\)", logged[3][1]
    )
    assert len(logged) == 4
