"""logs.gc.pauses, logs.gc.overhead and logs.gc.heap_floor: per node, from the GC summaries."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import evidence, findings_of, only, registry
from atlas_health.testing.logs import (
    analysis,
    at,
    gc_minutes,
    gc_summary,
    heap_points,
    logs_snapshot,
    pause,
    run_logs_check,
)
from checks.finding import Severity
from checks.logs.gc_heap_floor import LogsGcHeapFloor
from checks.logs.gc_overhead import LogsGcOverhead
from checks.logs.gc_pauses import LogsGcPauses
from checks.runner import CheckSettings, OutcomeStatus, SkipCheck, run_checks


def on_node1(cls, summary, **thresholds):
    return only(run_logs_check(cls, analysis(gc=[summary]), **thresholds))


# logs.gc.pauses


def test_short_pauses_are_ok_per_node():
    findings = run_logs_check(LogsGcPauses, analysis())
    assert [(f.target, f.severity) for f in findings] == [
        ("logs/node1", Severity.OK),
        ("logs/node2", Severity.OK),
    ]
    assert findings[0].message == (
        "The longest GC pause on node1 was 0.40 s (Pause Young (Normal) (G1 Evacuation Pause) at 2026-11-26 "
        "06:15:00 UTC), within the 5 s limit (p50 25 ms, p95 120 ms over 1,200 pauses)."
    )


def test_a_pause_over_5_s_is_a_warning_naming_the_longest_with_its_time():
    longest = [
        pause(12_300, 90, "Pause Full (G1 Compaction Pause)", full=True),
        pause(6_100, 95),
        pause(800, 20),
    ]
    finding = on_node1(LogsGcPauses, gc_summary(max_ms=12_300, full_gcs=2, longest=longest))
    assert finding.severity is Severity.WARNING
    assert finding.target == "logs/node1"
    assert finding.title == "GC paused node1 for 12.3 s"
    assert finding.message == (
        "The longest GC pause on node1 was 12.3 s (Pause Full (G1 Compaction Pause) at 2026-11-26 07:30:00 UTC), "
        "over the 5 s warning limit; 2 of the 3 longest pauses took over 5 s (p50 25 ms, p95 120 ms over 1,200 "
        "pauses); 2 Full GCs in the window."
    )
    top = next(e for e in finding.evidence if e.label == "pause s: Pause Full (G1 Compaction Pause)")
    assert (top.value, top.time) == (12.3, at(90))
    assert top.source == "node1.zip!application-logs/atlassian-jira-gc-2026-11-26.log"
    assert evidence(finding)["max ms"] == 12_300
    assert "heap_floor" in finding.recommendation
    assert finding.references[0].endswith("garbage-collection-gc-tuning-guide-461504616.html")


def test_a_pause_over_30_s_is_critical_and_exactly_5_s_is_not_over():
    critical = on_node1(LogsGcPauses, gc_summary(max_ms=31_000, longest=[pause(31_000)]))
    assert critical.severity is Severity.CRITICAL
    assert "over the 30 s critical limit" in critical.message
    at_limit = on_node1(LogsGcPauses, gc_summary(max_ms=5_000, longest=[pause(5_000)]))
    assert at_limit.severity is Severity.OK


def test_pause_thresholds_come_from_the_settings():
    summary = gc_summary(max_ms=3_000, longest=[pause(3_000)])
    assert on_node1(LogsGcPauses, summary, warning_s=2).severity is Severity.WARNING
    settings = CheckSettings(thresholds={"logs.gc.pauses": {"warning_s": 1, "critical_s": 2}})
    result = run_checks(logs_snapshot(analysis(gc=[summary])), registry(), settings)
    assert only(findings_of(result, "logs.gc.pauses")).severity is Severity.CRITICAL


def test_no_pause_on_a_node_is_ok_and_no_summary_at_all_is_skipped():
    quiet = on_node1(LogsGcPauses, gc_summary(pauses=0, max_ms=None, p50_ms=None, p95_ms=None, longest=[]))
    assert (quiet.severity, quiet.title) == (Severity.OK, "No GC pause in the window")
    with pytest.raises(SkipCheck, match="no collection in the window"):
        run_logs_check(LogsGcPauses, analysis(gc=[]))


# logs.gc.overhead


def test_low_overhead_is_ok():
    finding = run_logs_check(LogsGcOverhead, analysis())[0]
    assert finding.severity is Severity.OK
    assert finding.message.startswith("On node1, 0.4 % of 4.0 h was spent paused in GC (warning above 5 %")


def test_overall_overhead_over_5_pct_is_a_warning_and_over_15_pct_critical():
    warning = on_node1(LogsGcOverhead, gc_summary(overhead=0.08, total_pause_s=1152.0))
    assert warning.severity is Severity.WARNING
    assert warning.title == "node1 spends too much time in GC"
    assert "8.0 % of 4.0 h was spent paused in GC (warning above 5 %, critical above 15 %)" in warning.message
    assert evidence(warning)["share of time in GC"] == 0.08
    assert on_node1(LogsGcOverhead, gc_summary(overhead=0.2)).severity is Severity.CRITICAL


def test_one_busy_bucket_is_judged_on_its_own_with_its_time():
    warning = on_node1(LogsGcOverhead, gc_summary(per_minute=gc_minutes(m125=0.22)))
    assert warning.severity is Severity.WARNING
    assert (
        "the worst minute (2026-11-26 08:05 UTC) spent 22 % paused (warning above 15 %); 1 minute above that"
        in warning.message
    )
    worst = next(e for e in warning.evidence if e.label == "share of the minute")
    assert (worst.value, worst.time) == (0.22, at(125))
    critical = on_node1(LogsGcOverhead, gc_summary(per_minute=gc_minutes(m10=0.5, m11=0.45)))
    assert critical.severity is Severity.CRITICAL
    assert "2 minutes above that" in critical.message


def test_full_gcs_under_g1_are_a_warning_but_routine_under_parallel():
    g1 = on_node1(LogsGcOverhead, gc_summary(full_gcs=3))
    assert g1.severity is Severity.WARNING
    assert g1.title == "Full GCs under G1 on node1"
    assert g1.message.endswith(
        "; 3 Full GCs under G1 (with G1 a Full GC means concurrent collection could not "
        "keep up: warning from 1)."
    )
    assert on_node1(LogsGcOverhead, gc_summary(full_gcs=3), g1_full_gcs=5).severity is Severity.OK
    parallel = on_node1(LogsGcOverhead, gc_summary(full_gcs=3, collector="Parallel"))
    assert parallel.severity is Severity.OK


def test_a_short_gc_log_is_not_judged_overall_and_thresholds_are_configurable():
    short = on_node1(LogsGcOverhead, gc_summary(span_s=300.0, overhead=0.3, per_minute=gc_minutes(0.01)))
    assert short.severity is Severity.OK
    assert (
        "the GC log spans 5 min, too short to judge the overall share (at least 10 min needed)"
        in short.message
    )
    tuned = on_node1(
        LogsGcOverhead, gc_summary(span_s=300.0, overhead=0.3), min_span_s=60, overall_critical_pct=50
    )
    assert tuned.severity is Severity.WARNING


def test_overhead_is_skipped_when_no_node_paused():
    with pytest.raises(SkipCheck, match="no pause in the window"):
        run_logs_check(LogsGcOverhead, analysis(gc=[gc_summary(pauses=0)]))


# logs.gc.heap_floor


def rising(slope: float = 250.0, **overrides):
    values = {"heap_after": heap_points(2000.0, slope), "heap_floor_slope_mb_per_h": slope, **overrides}
    return gc_summary(**values)


def test_a_flat_floor_is_ok():
    finding = run_logs_check(LogsGcHeapFloor, analysis())[0]
    assert finding.severity is Severity.OK
    assert (
        finding.message
        == "The heap floor on node1 moved +2 MB/h over 4.0 h of GC data, within the 100 MB/h limit."
    )


def test_a_floor_rising_faster_than_the_limit_is_a_warning_with_a_projection():
    finding = on_node1(LogsGcHeapFloor, rising())
    assert finding.severity is Severity.WARNING
    assert finding.title == "Heap floor on node1 keeps rising"
    assert finding.message == (
        "What survives GC on node1 grew +250 MB/h over 4.0 h of GC data, from about 2,000 MB to 2,875 MB, above "
        "the 100 MB/h limit: a steady rise like this suggests a memory leak. At this rate it reaches the 8,192 MB "
        "heap in about 21 h."
    )
    facts = evidence(finding)
    assert (facts["floor at the start MB"], facts["floor at the end MB"], facts["heap size MB"]) == (
        2000,
        2875,
        8192,
    )
    end = next(e for e in finding.evidence if e.label == "floor at the end MB")
    assert end.time == at(210)


def test_the_floor_limit_and_the_hours_needed_come_from_the_thresholds():
    assert on_node1(LogsGcHeapFloor, rising(), warning_mb_per_h=300).severity is Severity.OK
    with pytest.raises(SkipCheck, match=r"at least 5 h of GC data on a node \(had: node1 4.0 h\)"):
        on_node1(LogsGcHeapFloor, rising(), min_hours=5)


def test_too_little_data_on_one_node_leaves_that_node_out():
    short = rising(heap_after=heap_points()[:7], node="node2")  # one hour
    findings = run_logs_check(LogsGcHeapFloor, analysis(gc=[rising(), short]))
    assert [f.target for f in findings] == ["logs/node1"]
    result = run_checks(logs_snapshot(analysis(gc=[short])), registry())
    outcome = next(o for o in result.outcomes if o.check == "logs.gc.heap_floor")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "a heap trend needs at least 3 h of GC data on a node (had: node2 1.0 h)"


# logs.gc.evacuation


def test_an_evacuation_failure_is_a_warning_with_its_line_file_and_time():
    from checks.logs.gc_evacuation import LogsGcEvacuation
    from collectors.logs.model import GcLine

    line = "2017-06-22T12:25:26.515+0530: 66155.261: [GC pause (G1 Humongous Allocation) (mixed) (to-space exhausted), 0.2466797 secs]"
    sample = GcLine(at=at(30), file="node1/gc.log", line=line)
    finding = on_node1(
        LogsGcEvacuation, gc_summary(evacuation_failures=3, evacuation_samples=[sample], full_gcs=1)
    )
    assert finding.severity is Severity.WARNING
    assert finding.title == "G1 ran out of free regions on node1"
    assert finding.message == (
        "The GC log of node1 shows 3 evacuation failures (to-space exhausted), the first at 2026-11-26 06:30:00 UTC, "
        "and 1 Full GC: live objects no longer fit in the free regions."
    )
    shown = next(e for e in finding.evidence if e.label == "line")
    assert (shown.value, shown.source, shown.time) == (line, "node1/gc.log", at(30))
    assert evidence(finding)["evacuation failures"] == 3


def test_no_evacuation_failure_is_ok():
    from checks.logs.gc_evacuation import LogsGcEvacuation

    assert on_node1(LogsGcEvacuation, gc_summary()).severity is Severity.OK
