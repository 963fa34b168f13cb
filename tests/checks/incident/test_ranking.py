"""Ranking causes by evidence and by order, with decoys that must not win."""

from __future__ import annotations

from checks.incident.analysis import investigate
from checks.incident.causes import CauseAction, CauseInfo
from checks.incident.model import CauseClass
from collectors.logs.model import LogAnalysis
from collectors.model import Snapshot
from tests.checks.incident.builders import T0, analysis, hit, minute


def _info(cause: CauseClass, signatures: tuple[str, ...], symptoms: tuple[str, ...]) -> CauseInfo:
    return CauseInfo(
        id=cause,
        title=f"{cause} title",
        severity="critical",
        explanation=f"{cause} explained",
        symptoms=symptoms,
        signatures=signatures,
        exceptions=(),
        other_evidence=(),
        references=(),
        actions=(
            CauseAction(type="mitigate", text=f"mitigate {cause}", verification="see it stop"),
            CauseAction(type="prevent", text=f"prevent {cause}", verification="see it never again"),
            CauseAction(type="detect", text=f"detect {cause}", verification="see the alert"),
        ),
    )


CAUSES: dict[CauseClass, CauseInfo] = {
    "db-pool-exhausted": _info("db-pool-exhausted", ("db.pool",), ("5xx", "latency", "errors")),
    "directory-unavailable": _info(
        "directory-unavailable", ("ldap.down",), ("failed-logins", "401", "errors")
    ),
    "gc-thrashing": _info("gc-thrashing", ("gc.long",), ("latency", "gc-overhead")),
}


def storm(m: int) -> bool:
    return 120 <= m < 150


def _snapshot(data: LogAnalysis) -> Snapshot:
    return Snapshot(tool_version="test", started_at=T0, finished_at=minute(180), logs=[data])


def _incident(**signatures: dict[str, range | list[int]]):  # type: ignore[no-untyped-def]
    data = analysis(errors_5xx=lambda _n, m: 15 if storm(m) else 0.05)
    data.signatures = [hit(sig.replace("_", "."), where) for sig, where in signatures.items()]
    return investigate(_snapshot(data), "acme", causes=CAUSES)


ALL_NODES = ("node1", "node2", "node3")


def test_the_cause_that_comes_with_the_errors_leads_with_its_evidence() -> None:
    incident = _incident(db_pool={n: range(119, 150) for n in ALL_NODES})
    # the pool ran dry a minute before users got errors: the incident starts with its first sign
    assert incident.found and incident.start == minute(119) and incident.first_signal == minute(119)
    top = incident.causes[0]
    assert top.cause == "db-pool-exhausted"
    assert top.first_seen == minute(119)
    assert top.nodes == list(ALL_NODES)
    assert "5xx" in top.explains
    assert any(e.source == "signature db.pool" for e in top.evidence)
    assert [a.type for a in incident.actions] == ["mitigate", "prevent", "detect"]


def test_a_warning_that_is_always_there_does_not_outrank_the_real_cause() -> None:
    incident = _incident(
        db_pool={n: range(121, 150) for n in ALL_NODES},
        ldap_down={n: range(0, 180, 3) for n in ALL_NODES},  # every three minutes, all day
    )
    ranked = [c.cause for c in incident.causes]
    assert ranked[0] == "db-pool-exhausted"
    ldap = next((c for c in incident.causes if c.cause == "directory-unavailable"), None)
    assert ldap is None or ldap.confidence < incident.causes[0].confidence / 2


def test_of_two_problems_the_one_that_came_first_ranks_first() -> None:
    incident = _incident(
        gc_long={n: range(140, 150) for n in ALL_NODES},  # twenty minutes in: a consequence
        db_pool={n: range(120, 150) for n in ALL_NODES},
    )
    assert [c.cause for c in incident.causes][:2] == ["db-pool-exhausted", "gc-thrashing"]


def test_a_cause_seen_only_on_a_node_that_served_fine_is_a_decoy() -> None:
    data = analysis(errors_5xx=lambda n, m: 15 if storm(m) and n != "node3" else 0.05)
    data.signatures = [
        hit("db.pool", {"node1": range(120, 150), "node2": range(120, 150)}),
        hit("gc.long", {"node3": range(119, 150)}),
    ]
    incident = investigate(_snapshot(data), "acme", causes=CAUSES)
    by_cause = {c.cause: c for c in incident.causes}
    assert incident.causes[0].cause == "db-pool-exhausted"
    assert by_cause["gc-thrashing"].confidence < by_cause["db-pool-exhausted"].confidence / 2


def test_a_slow_gc_pause_an_hour_before_is_not_in_the_incident() -> None:
    incident = _incident(db_pool={n: range(120, 150) for n in ALL_NODES}, gc_long={"node3": [60]})
    assert "gc-thrashing" not in [c.cause for c in incident.causes]
    assert any(e.kind == "signature" and e.first == minute(60) for e in incident.timeline)


def test_a_storm_is_one_timeline_event_with_its_count() -> None:
    incident = _incident(db_pool={"node1": range(120, 150)})
    events = [e for e in incident.timeline if e.kind == "signature" and e.node == "node1"]
    assert len(events) == 1
    assert (events[0].count, events[0].first, events[0].last) == (150, minute(120), minute(149))


def test_quiet_evidence_has_no_incident_and_no_cause() -> None:
    data = analysis()
    data.signatures = [hit("ldap.down", {"node1": [10]})]
    incident = investigate(_snapshot(data), "acme", causes=CAUSES)
    assert not incident.found and incident.causes == [] and incident.start is None
    assert incident.evidence_from == T0
