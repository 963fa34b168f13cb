"""Whom the incident hurt and how much, against the baseline before it; each figure says whether it
was counted (measured) or extrapolated from the baseline or from capped tables (estimated)."""

from __future__ import annotations

from collections.abc import Sequence

from checks.incident.model import Figure, Impact
from checks.incident.scene import Scene
from checks.incident.series import ALL
from collectors.logs.model import LogAnalysis


def _unknown(unit: str, why: str) -> Figure:
    return Figure(value=None, unit=unit, basis="unknown", how=why)


def _capped(analyses: Sequence[LogAnalysis], word: str) -> bool:
    return any(word in limit for a in analyses for limit in a.limits_hit)


def _weighted_p95(scene: Scene, buckets: Sequence[int]) -> float | None:
    p95 = scene.series.get("p95", ALL)
    requests = scene.series.get("requests", ALL)
    weight = sum(requests.get(at, 0.0) for at in buckets if at in p95)
    if not weight:
        return None
    return round(sum(p95[at] * requests.get(at, 0.0) for at in buckets if at in p95) / weight, 1)


def measure_impact(scene: Scene, window_end: int) -> Impact:
    series, window = scene.series, scene.window
    start, end = window.start, window_end
    inside = list(range(start, end, series.bucket_s))
    span = f"{len(inside)} bucket(s) of {series.bucket_s} s"
    duration = Figure(
        value=float(end - start),
        unit="s",
        basis="measured",
        how="from the first abnormal bucket to the end of the last one"
        + (" (the evidence ends while it still lasts)" if window.end is None else ""),
    )
    no_access = "no access log was given"
    requests_v = series.total("requests", ALL, start, end)
    failed_v = series.total("5xx", ALL, start, end)
    base = list(window.baseline)
    base_requests = sum(series.get("requests", ALL).get(at, 0.0) for at in base)
    base_failed = sum(series.get("5xx", ALL).get(at, 0.0) for at in base)
    if series.has("requests"):
        requests = Figure(
            value=requests_v, unit="requests", basis="measured", how=f"counted in the access logs over {span}"
        )
        failed = Figure(
            value=failed_v, unit="requests", basis="measured", how="5xx answers counted in the access logs"
        )
        if base:
            baseline_requests = Figure(
                value=round(base_requests / len(base) * len(inside), 1),
                unit="requests",
                basis="estimated",
                how=f"the mean rate of the {len(base)} baseline bucket(s) before the incident, "
                "over the same span",
            )
            rate = base_failed / base_requests if base_requests else 0.0
            baseline_failed = Figure(
                value=round(rate * requests_v, 1),
                unit="requests",
                basis="estimated",
                how=f"the baseline error rate ({rate:.2%}) applied to the requests served",
            )
        else:
            baseline_requests = baseline_failed = _unknown("requests", "no evidence before the incident")
        rates = [
            series.get("5xx", ALL).get(at, 0.0) / n
            for at in inside
            if (n := series.get("requests", ALL).get(at, 0.0))
        ]
        peak = Figure(
            value=round(100 * max(rates), 2) if rates else None,
            unit="%",
            basis="measured" if rates else "unknown",
            how="the highest share of 5xx answers in one bucket, all nodes together",
        )
        p_before, p_during = _weighted_p95(scene, base), _weighted_p95(scene, inside)
        how = "the request-weighted mean of each bucket's p95 (buckets keep percentiles, not every duration)"
        before = Figure(
            value=p_before, unit="ms", basis="estimated" if p_before is not None else "unknown", how=how
        )
        during = Figure(
            value=p_during, unit="ms", basis="estimated" if p_during is not None else "unknown", how=how
        )
    else:
        requests = failed = baseline_requests = baseline_failed = _unknown("requests", no_access)
        peak = _unknown("%", no_access)
        before = during = _unknown("ms", no_access)
    return Impact(
        duration_s=duration,
        requests=requests,
        baseline_requests=baseline_requests,
        failed_requests=failed,
        baseline_failed_requests=baseline_failed,
        peak_error_rate=peak,
        p95_ms_before=before,
        p95_ms_during=during,
        users_with_errors=_users_with_errors(scene, start, end),
        users_failed_login=_users_failed_login(scene, start, end),
        nodes_affected=sorted(scene.affected),
    )


def _users_with_errors(scene: Scene, start: int, end: int) -> Figure:
    accesses = [s for a in scene.analyses for s in a.access or []]
    if not accesses:
        return _unknown("users", "no access log was given")
    users = {
        e.user
        for s in accesses
        for e in s.error_users
        if start <= scene.series.bucket(scene.clocks.epoch(e.node, e.at)) < end
    }
    capped = _capped(scene.analyses, "error users")
    return Figure(
        value=float(len(users)),
        unit="users",
        basis="estimated" if capped else "measured",
        how="distinct users (the client address for anonymous requests) that got a 5xx answer"
        + (", from capped tables: at least this many" if capped else ""),
    )


def _users_failed_login(scene: Scene, start: int, end: int) -> Figure:
    securities = [a.security for a in scene.analyses if a.security is not None]
    if not securities:
        return _unknown("users", "no security log was given")
    users = {
        c.user
        for s in securities
        for c in s.cells
        if start <= scene.series.bucket(scene.clocks.epoch(c.node, c.at)) < end
    }
    capped = _capped(scene.analyses, "burst detection kept")
    return Figure(
        value=float(len(users)),
        unit="users",
        basis="estimated" if capped else "measured",
        how="distinct users with a failed login in the security log"
        + (", from capped tables: at least this many" if capped else ""),
    )
