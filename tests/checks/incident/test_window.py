"""Finding the incident's window by change against each series' own baseline."""

from __future__ import annotations

from datetime import timedelta

from checks.incident.clock import NodeClocks
from checks.incident.series import ALL, build_series
from checks.incident.window import find_window, given_window
from tests.checks.incident.builders import analysis, minute

MINUTE = 60


def window_of(**kwargs):  # type: ignore[no-untyped-def]
    return find_window(build_series([analysis(**kwargs)], NodeClocks()))


def test_quiet_evidence_has_no_window() -> None:
    assert window_of() is None


def test_a_node_that_always_logs_many_errors_is_not_an_incident() -> None:
    assert window_of(log_errors=lambda n, _m: 50 if n == "node2" else 1) is None


def test_a_lone_slow_minute_is_a_blip_not_an_incident() -> None:
    assert window_of(gc_share=lambda n, m: 0.4 if (n, m) == ("node3", 60) else 0.01) is None


def test_a_storm_of_server_errors_is_found_with_its_start_end_and_peak() -> None:
    def errors(node: str, m: int) -> float:
        if not 120 <= m < 150:
            return 0.05
        return 30 if m == 140 else 15

    window = window_of(errors_5xx=errors)
    assert window is not None
    assert window.start == minute(120).timestamp()
    assert window.end == minute(150).timestamp()
    assert window.peak == minute(140).timestamp()
    assert {a.kind for a in window.anomalies} == {"5xx"}
    assert {a.node for a in window.anomalies} == {"node1", "node2", "node3", ALL}


def test_the_window_is_the_heaviest_group_not_the_first() -> None:
    def errors(node: str, m: int) -> float:
        if m in (30, 31) and node == "node1":
            return 6  # a short, small episode early on
        return 20 if 120 <= m < 160 else 0.05

    window = window_of(errors_5xx=errors)
    assert window is not None and window.start == minute(120).timestamp()


def test_an_incident_still_going_at_the_end_of_the_evidence_has_no_end() -> None:
    window = window_of(minutes=150, p95=lambda _n, m: 4000 if m >= 120 else 300)
    assert window is not None
    assert window.start == minute(120).timestamp() and window.end is None


def test_a_node_that_falls_silent_while_the_others_go_on_is_abnormal() -> None:
    def events(node: str, m: int) -> float:
        return 0 if node == "node3" and 100 <= m < 130 else 100

    def requests(node: str, m: int) -> float:
        return 0 if node == "node3" and 100 <= m < 130 else 40

    window = window_of(log_events=events, requests=requests, log_errors=lambda _n, _m: 0)
    assert window is not None
    assert window.start == minute(100).timestamp()
    assert {a.node for a in window.anomalies if a.kind == "silent"} == {"node3"}


def test_failed_logins_against_a_quiet_baseline_make_a_window() -> None:
    window = window_of(failed_logins=lambda _n, m: 20 if 60 <= m < 90 else 0.2)
    assert window is not None
    assert window.start == minute(60).timestamp() and window.end == minute(90).timestamp()


def test_a_given_window_keeps_its_bounds_and_finds_its_anomalies() -> None:
    series = build_series([analysis(errors_5xx=lambda _n, m: 20 if 120 <= m < 150 else 0.05)], NodeClocks())
    window = given_window(series, int(minute(110).timestamp()), int(minute(170).timestamp()))
    assert window.start == minute(110).timestamp() and window.end == minute(170).timestamp()
    assert min(a.at for a in window.anomalies) == minute(120).timestamp()


def test_a_measured_clock_offset_moves_a_node_back_onto_the_common_clock() -> None:
    # node2's clock is 10 minutes ahead: its storm at 130 is the others' storm at 120
    def errors(node: str, m: int) -> float:
        start = 130 if node == "node2" else 120
        return 20 if start <= m < start + 20 else 0.05

    data = analysis(errors_5xx=errors)
    uncorrected = find_window(build_series([data], NodeClocks()))
    corrected = find_window(build_series([data], NodeClocks({"node2": 600.0})))
    assert uncorrected is not None and corrected is not None
    assert uncorrected.end == minute(150).timestamp()
    assert corrected.end == minute(140).timestamp()


def test_a_node_whose_clock_is_hours_off_is_named_as_unknown() -> None:
    from checks.incident.analysis import investigate
    from collectors.logs.model import NodeLevels
    from collectors.model import Snapshot
    from tests.checks.incident.builders import T0

    data = analysis(nodes=("node1", "node2"))
    shifted = analysis(nodes=("node3",))
    for levels in shifted.node_levels:
        data.node_levels.append(
            NodeLevels(
                node=levels.node,
                per_minute=[
                    m.model_copy(update={"at": m.at + timedelta(hours=6)}) for m in levels.per_minute
                ],
            )
        )
    snapshot = Snapshot(tool_version="test", started_at=T0, finished_at=minute(180), logs=[data])
    incident = investigate(snapshot, "acme")
    assert any(
        note.startswith("node3's events") and "clock or time zone" in note for note in incident.unknowns
    )
