"""bamboo.agents.online and bamboo.agents.offline: none online, share offline, no agents, not collected."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error
from checks.bamboo.agents_offline import BambooAgentsOffline
from checks.bamboo.agents_online import BambooAgentsOnline
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.model import ErrorKind
from tests.checks.bamboo.factory import agent, agents, bamboo


def test_online_agents_are_ok():
    finding = only(run_check(BambooAgentsOnline, bamboo(agents=[*agents(6, offline=2), agent(9, busy=True)])))
    assert (
        finding.severity is Severity.OK and finding.message == "5 of 7 enabled remote agents online, 1 busy."
    )


def test_no_agent_online_is_critical():
    finding = only(run_check(BambooAgentsOnline, bamboo(agents=agents(3, offline=3))))
    assert finding.severity is Severity.CRITICAL
    assert "None of the 3 enabled remote agents is online (agent-0, agent-1, agent-2)" in finding.message


def test_disabled_agents_do_not_count():
    inst = bamboo(agents=[agent(0, online=False, enabled=False), agent(1)])
    assert only(run_check(BambooAgentsOnline, inst)).severity is Severity.OK
    assert only(run_check(BambooAgentsOffline, inst)).message == "All 1 enabled remote agent are online."


def test_no_remote_agents_is_info_and_skips_the_share():
    inst = bamboo(agents=[])
    assert only(run_check(BambooAgentsOnline, inst)).severity is Severity.INFO
    assert outcome_of(analyse(inst), "bamboo.agents.offline").status is OutcomeStatus.SKIPPED


@pytest.mark.parametrize(
    ("offline", "severity"),
    [
        (0, Severity.OK),
        (1, Severity.OK),
        (2, Severity.WARNING),
        (3, Severity.WARNING),
        (4, Severity.CRITICAL),
        (8, Severity.CRITICAL),
    ],
)
def test_offline_share_thresholds(offline, severity):
    # 8 agents: 2 offline is 25 % (warning from 25), 4 is 50 % (critical from 50)
    finding = only(run_check(BambooAgentsOffline, bamboo(agents=agents(8, offline=offline))))
    assert finding.severity is severity


def test_offline_share_names_the_agents_and_honours_overrides():
    inst = bamboo(agents=agents(4, offline=1))
    finding = only(run_check(BambooAgentsOffline, inst, warning_percent=20, critical_percent=90))
    assert finding.severity is Severity.WARNING and evidence(finding)["offline agents"] == "agent-0"


def test_agents_not_collected_skip_both():
    inst = bamboo(agents=None)
    inst.errors.append(error("bamboo.agents", ErrorKind.UNAUTHORIZED, "HTTP 401: credentials were rejected"))
    analysis = analyse(inst)
    for check in ("bamboo.agents.online", "bamboo.agents.offline"):
        outcome = outcome_of(analysis, check)
        assert outcome.status is OutcomeStatus.SKIPPED and "credentials were rejected" in outcome.reason
        assert findings_of(analysis, check) == []
