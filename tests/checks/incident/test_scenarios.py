"""The investigation against the simulated estate's incident scenarios: three nodes' logs with
baseline traffic, decoys and one planted cause each. The logs are read by the real log engine; the
truth comes from the generator's own records, not from the readers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agent.signatures import load_signatures
from checks.incident.analysis import investigate
from checks.incident.model import Incident
from checks.signatures.scan import to_scan_patterns
from collectors.logs.engine import analyze_logs
from collectors.model import Snapshot
from sandbox.incident_scenarios import SCENARIOS, Truth, write_scenario

START_TOLERANCE = timedelta(minutes=5)
CAUSE_SCENARIOS = [s for s in SCENARIOS if s not in ("quiet",)]


@pytest.fixture(scope="module")
def patterns():  # type: ignore[no-untyped-def]
    return to_scan_patterns(load_signatures(None))


def _investigate(name: str, folder: Path, patterns) -> tuple[Incident, Truth]:  # type: ignore[no-untyped-def]
    truth = write_scenario(name, folder)
    analysis = analyze_logs([folder], patterns, customer="acme", workers=1)
    snapshot = Snapshot(
        tool_version="test",
        started_at=analysis.first_at or truth.start,
        finished_at=analysis.last_at or truth.start,
        logs=[analysis],
    )
    return investigate(snapshot, "acme"), truth


def test_two_quiet_hours_have_no_incident(tmp_path: Path, patterns) -> None:  # type: ignore[no-untyped-def]
    incident, _ = _investigate("quiet", tmp_path, patterns)
    assert not incident.found, [(c.cause, c.confidence, c.summary) for c in incident.causes]
    assert incident.causes == []


@pytest.mark.parametrize("name", CAUSE_SCENARIOS)
def test_the_planted_cause_leads_and_the_start_is_close(name: str, tmp_path: Path, patterns) -> None:  # type: ignore[no-untyped-def]
    incident, truth = _investigate(name, tmp_path, patterns)
    ranked = [(c.cause, c.confidence) for c in incident.causes]
    assert incident.found, f"{name}: no incident found"
    assert incident.causes and incident.causes[0].cause == truth.cause, f"{name}: {ranked}"
    assert incident.start is not None
    assert abs(incident.start - truth.start) <= START_TOLERANCE, f"{name}: {incident.start} vs {truth.start}"
    assert incident.causes[0].evidence, "a cause shows its evidence"


@pytest.mark.parametrize(
    "name", ["db-pool-exhausted", "directory-unavailable", "auth-attack", "jvm-heap-exhausted"]
)
def test_impact_figures_equal_those_counted_from_the_generated_data(
    name: str, tmp_path: Path, patterns
) -> None:  # type: ignore[no-untyped-def]
    incident, truth = _investigate(name, tmp_path, patterns)
    assert incident.impact is not None and incident.start is not None
    expected = truth.impact(incident.start, incident.end)
    impact = incident.impact
    assert impact.requests.value == expected.requests
    assert impact.failed_requests.value == expected.failed_requests
    assert impact.users_with_errors.value == expected.users_with_errors
    assert impact.users_failed_login.value == expected.users_failed_login
    assert impact.peak_error_rate.value == pytest.approx(expected.peak_error_rate, abs=0.01)
    assert set(impact.nodes_affected) >= set(truth.nodes)


def test_of_two_overlapping_problems_the_first_leads_and_the_second_follows(tmp_path: Path, patterns) -> None:  # type: ignore[no-untyped-def]
    incident, truth = _investigate("overlapping", tmp_path, patterns)
    ranked = [c.cause for c in incident.causes]
    assert ranked[0] == truth.cause and truth.second_cause in ranked[1:], ranked


def test_one_nodes_logs_alone_give_an_incident_that_says_what_it_cannot_know(
    tmp_path: Path, patterns
) -> None:  # type: ignore[no-untyped-def]
    truth = write_scenario("db-pool-exhausted", tmp_path)
    analysis = analyze_logs([tmp_path / "node1"], patterns, customer="acme", workers=1)
    snapshot = Snapshot(tool_version="test", started_at=truth.start, finished_at=truth.start, logs=[analysis])
    incident = investigate(snapshot, "acme")
    assert incident.found and incident.causes[0].cause == "db-pool-exhausted"
    assert any("whether other nodes suffered is unknown" in note for note in incident.unknowns)


def test_a_window_with_no_evidence_in_it_says_so(tmp_path: Path, patterns) -> None:  # type: ignore[no-untyped-def]
    truth = write_scenario("db-pool-exhausted", tmp_path)
    analysis = analyze_logs([tmp_path], patterns, customer="acme", workers=1)
    snapshot = Snapshot(tool_version="test", started_at=truth.start, finished_at=truth.start, logs=[analysis])
    later = truth.start + timedelta(days=30)
    incident = investigate(snapshot, "acme", since=later, until=later + timedelta(hours=1))
    assert not incident.found and incident.window == "given"
    assert "no evidence falls inside the window asked for" in incident.unknowns
