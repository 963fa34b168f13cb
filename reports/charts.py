"""Charts of the report's log section, drawn with matplotlib as SVG text to inline in the HTML report.

Import-light and thread-safe: matplotlib (half a second to import) is imported when the first chart is
drawn, never by importing this module; figures are ``matplotlib.figure.Figure`` objects saved through
the SVG canvas, never pyplot's global figures; and the rcParams the SVG writer reads while saving are
set for the length of one chart under a process-wide lock, then restored.

The SVG is made fit to share a page with others: no XML prolog or DOCTYPE, no metadata (it names
matplotlib's web site), no global ``<style>``, only the ids something refers to, each prefixed with
the chart's key so that several charts on one page never collide, ``href`` instead of ``xlink:href``,
text as text (no embedded fonts), and a ``<title>`` and ``<desc>`` for screen readers. The same
input gives the same bytes (a fixed hash salt and no date).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from collectors.logs.model import (
    AccessSummary,
    GcSummary,
    LevelMinute,
    RestartEvent,
    SecuritySummary,
    SignatureHit,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

WIDTH_IN = 7.5  # inches; the report scales the SVG to its column, so this fixes proportions and text size
HEIGHT_IN = 2.3
# Fixed margins (inches), the same on every chart: the time axes of all charts line up on the page, and
# no layout engine has to draw each figure twice to measure it.
LEFT_IN, RIGHT_IN, RIGHT_TWIN_IN, BOTTOM_IN, TOP_IN = 0.72, 0.2, 0.62, 0.42, 0.34
MAX_MARKERS = 50  # restarts or bursts drawn on one chart; the tables list them all
MAX_HIT_MARKERS = 1500  # buckets with a signature hit marked on the events chart, per severity
MAX_DENSE_BUCKETS = 200_000  # beyond this a sparse series is drawn as it is, not filled with zeros

# Okabe-Ito: told apart with every common colour-vision deficiency; line styles tell them apart in print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
LINESTYLES = ("-", "--", ":", "-.")
INK, MUTED, GRID = "#1b1f24", "#57606a", "#d0d7de"
INFO_FILL, WARN_FILL, ERROR_FILL, FAILURE = "#9db4cc", "#E69F00", "#D55E00", "#b3261e"

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, no glyph paths
    "svg.hashsalt": "atlas-health",  # ids from content, not random: deterministic output
    "text.parse_math": False,  # a "$" in a node name is a dollar sign, not TeX
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans"],
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.5,
    "legend.frameon": False,
    "lines.linewidth": 1.1,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "path.simplify": True,
}
_NO_METADATA = {"Date": None, "Type": None, "Creator": None, "Format": None}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Chart:
    key: str  # the <svg>'s id, unique on the page; every id inside the SVG starts with it
    title: str  # what the chart shows: its accessible name and visible heading
    caption: str  # its main numbers in words: the <desc>, and shown under it
    svg: Markup  # one inline <svg> element


def bucket_label(seconds: int) -> str:
    """A bucket width for people: 60 -> "1 min", 3600 -> "1 h"."""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


# --- turning matplotlib's SVG into an inline element ---------------------------------------------

_ROOT = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')
_DEFAULT_STYLE = re.compile(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_REFERENCE = re.compile(r'(?:href="#|url\(#)([^")]+)')
_ID = re.compile(r' id="([^"]*)"')
_PATH_DATA = re.compile(r' d="([^"]*)"')
_DECIMALS = re.compile(r"(\.\d)\d+")


def _compact_path(match: re.Match[str]) -> str:
    # matplotlib writes 6 decimals and a line per vertex; a tenth of a point (cut, not rounded: cheaper,
    # and no screen or printer shows the difference) halves the size of a day of minutes.
    return ' d="' + " ".join(_DECIMALS.sub(r"\1", match.group(1)).split()) + '"'


def inline_svg(raw: str, key: str, title: str, caption: str) -> str:
    """matplotlib's SVG document as one element for an HTML page (see the module's docstring)."""
    root = _ROOT.search(raw)
    viewbox = _VIEWBOX.search(root.group(0)) if root else None
    if root is None or viewbox is None:
        raise ValueError("matplotlib wrote no <svg> root with a viewBox")
    body = raw[root.end() :]
    body = _METADATA.sub("", _DEFAULT_STYLE.sub("", body, count=1))
    referenced = set(_REFERENCE.findall(body))

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        return f' id="{key}-{name}"' if name in referenced else ""

    body = _PATH_DATA.sub(_compact_path, _ID.sub(rename, body))
    body = body.replace('xlink:href="#', f'href="#{key}-').replace("url(#", f"url(#{key}-")
    head = (
        f'<svg id="{escape(key)}" class="chart" viewBox="{escape(viewbox.group(1))}" width="100%" '
        f'role="img" aria-labelledby="{escape(key)}-title" aria-describedby="{escape(key)}-desc" '
        f'stroke-linejoin="round" stroke-linecap="butt" style="max-width:100%;height:auto">'
        f'<title id="{escape(key)}-title">{escape(title)}</title>'
        f'<desc id="{escape(key)}-desc">{escape(caption)}</desc>'
    )
    return head + body.strip() + "\n"


def _render(
    key: str, title: str, caption: str, draw: Callable[[Figure], None], *, twin: bool = False
) -> Chart:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN))
        right = RIGHT_TWIN_IN if twin else RIGHT_IN
        figure.subplots_adjust(
            left=LEFT_IN / WIDTH_IN,
            right=1 - right / WIDTH_IN,
            bottom=BOTTOM_IN / HEIGHT_IN,
            top=1 - TOP_IN / HEIGHT_IN,
        )
        FigureCanvasAgg(figure)  # savefig writes through the SVG canvas; nothing here needs a screen
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    return Chart(
        key=key, title=title, caption=caption, svg=Markup(inline_svg(buffer.getvalue(), key, title, caption))
    )


# --- shared pieces --------------------------------------------------------------------------------


def _epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _dates(epochs: Sequence[float]) -> Any:
    """Epoch seconds as matplotlib date numbers (days since 1970-01-01 UTC)."""
    import numpy as np

    return np.asarray(epochs, dtype=float) / 86400.0


def _dense(
    points: Sequence[tuple[float, float]], bucket_s: int, fill: float
) -> tuple[list[float], list[float]]:
    """A per-bucket series with the buckets it skips filled with ``fill`` (0 for counts; NaN leaves
    a gap where a percentile has no data). Too long a span is returned as it is."""
    if not points:
        return [], []
    ordered = sorted(points)
    first, last = ordered[0][0], ordered[-1][0]
    steps = round((last - first) / bucket_s) + 1 if bucket_s > 0 else 0
    if steps <= 0 or steps > MAX_DENSE_BUCKETS:
        return [t for t, _ in ordered], [v for _, v in ordered]
    values = [fill] * steps
    for t, v in ordered:
        values[round((t - first) / bucket_s)] = v
    return [first + i * bucket_s for i in range(steps)], values


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "an unknown time"
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()


def _legend_label(text: str) -> str:
    # matplotlib hides legend labels that start with "_"; a zero-width space keeps a node named so.
    return "\u200b" + text if text.startswith("_") else text


def _time_axis(
    axes: Axes, zone: ZoneInfo, span: tuple[datetime | None, datetime | None], bucket_s: int
) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(tz=zone, minticks=4, maxticks=9)
    formatter = mdates.ConciseDateFormatter(
        locator,
        tz=zone,
        formats=["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%Y-%m", "%Y-%m-%d %Z", "%Y-%m-%d %Z", "%Y-%m-%d %H:%M %Z"],
    )
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(formatter)
    first, last = span
    if first is not None and last is not None:
        start, end = _epoch(first), _epoch(last) + bucket_s
        axes.set_xlim(*_dates([start, max(end, start + bucket_s)]))
    axes.margins(x=0)


def _y_from_zero(axes: Axes) -> None:
    high = axes.get_ylim()[1]
    axes.set_ylim(0, high if high > 0 else 1)


def _markers(axes: Axes, moments: Sequence[datetime | None], label: str) -> None:
    """Dotted vertical lines at ``moments`` (at most MAX_MARKERS), one legend entry."""
    shown = [m for m in moments if m is not None][:MAX_MARKERS]
    for index, moment in enumerate(shown):
        axes.axvline(
            _dates([_epoch(moment)])[0],
            color=INK,
            linestyle=(0, (1, 2)),
            linewidth=0.9,
            label=label if index == 0 else None,
        )


def _legend(axes: Sequence[Axes]) -> None:
    """One legend for all of ``axes``, in a row above the first (never over the data)."""
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    if handles:
        axes[0].legend(
            handles,
            labels,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=min(len(labels), 6),
            borderaxespad=0.2,
            handlelength=2.2,
            columnspacing=1.2,
        )


def _count(n: float) -> str:
    return f"{round(n):,}"


def _ms(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def _ms_tick(value: float, _position: object) -> str:
    if value >= 1000:
        return f"{value / 1000:g} s"
    return f"{value:g} ms"


# --- the charts -----------------------------------------------------------------------------------


def _hit_buckets(signatures: Sequence[SignatureHit], severity: str) -> list[float]:
    found = {
        _epoch(m.at) for s in signatures if s.severity.lower() == severity for m in s.per_minute if m.count
    }
    return sorted(found)[:MAX_HIT_MARKERS]


def events_chart(
    key: str,
    levels: Sequence[LevelMinute],
    restarts: Sequence[RestartEvent],
    signatures: Sequence[SignatureHit] = (),
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: tuple[datetime | None, datetime | None],
) -> Chart:
    """Application-log events per bucket, stacked by level; restarts as dotted lines, and the buckets
    where a critical or warning signature matched as marks along the top."""
    bucket = bucket_label(bucket_s)
    totals = [(_epoch(m.at), float(m.total)) for m in levels]
    warns = [(_epoch(m.at), float(m.warn)) for m in levels]
    errors = [(_epoch(m.at), float(m.error + m.fatal)) for m in levels]
    times, total = _dense(totals, bucket_s, 0.0)
    _, warn = _dense(warns, bucket_s, 0.0)
    _, error = _dense(errors, bucket_s, 0.0)
    info = [max(t - w - e, 0.0) for t, w, e in zip(total, warn, error, strict=True)]
    peak = max(levels, key=lambda m: (m.total, -_epoch(m.at)))
    critical, warning = _hit_buckets(signatures, "critical"), _hit_buckets(signatures, "warning")
    caption = (
        f"{_count(sum(m.total for m in levels))} events; {_count(sum(error))} errors or fatal, "
        f"{_count(sum(warn))} warnings; busiest {bucket}: {_count(peak.total)} events at "
        f"{_local(peak.at, zone)}; {len(restarts)} restart(s) marked"
    )
    if critical or warning:
        caption += (
            f"; known problems matched in {len(critical)} bucket(s) (critical) and {len(warning)} (warning)"
        )
    caption += "."

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        x = _dates(times)
        axes.stackplot(
            x,
            info,
            warn,
            error,
            colors=(INFO_FILL, WARN_FILL, ERROR_FILL),
            linewidth=0,
            labels=("INFO and below", "WARN", "ERROR and FATAL"),
        )
        _markers(axes, [r.at for r in restarts], "restart")
        along_top = axes.get_xaxis_transform()  # x in data, y in axes: 0 bottom, 1 top
        for epochs, colour, label in (
            (warning, WARN_FILL, "warning problem"),
            (critical, FAILURE, "critical problem"),
        ):
            if epochs:
                axes.plot(
                    _dates(epochs),
                    [0.97] * len(epochs),
                    transform=along_top,
                    linestyle="none",
                    marker="v",
                    markersize=4,
                    color=colour,
                    label=label,
                    clip_on=False,
                )
        axes.set_ylabel(f"events per {bucket}")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        _legend([axes])

    return _render(key, f"Application log events per {bucket}, by level", caption, draw)


def gc_share_chart(
    key: str,
    gc: Sequence[GcSummary],
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: tuple[datetime | None, datetime | None],
) -> Chart | None:
    """The share of each bucket each node spent in GC pauses."""
    drawn = [g for g in gc if g.per_minute]
    if not drawn:
        return None
    bucket = bucket_label(bucket_s)
    parts = []
    for g in drawn:
        worst = max(g.per_minute, key=lambda m: (m.share, -_epoch(m.at)))
        overall = "unknown" if g.overhead is None else f"{g.overhead * 100:.1f} %"
        parts.append(
            f"{g.node}: {overall} overall, at most {worst.share * 100:.1f} % at {_local(worst.at, zone)}"
        )
    caption = "Time in GC pauses: " + "; ".join(parts) + "."

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        for index, g in enumerate(drawn):
            times, share = _dense([(_epoch(m.at), m.share * 100) for m in g.per_minute], bucket_s, 0.0)
            axes.plot(
                _dates(times),
                share,
                color=PALETTE[index % len(PALETTE)],
                linestyle=LINESTYLES[index % len(LINESTYLES)],
                label=_legend_label(g.node),
            )
        axes.set_ylabel(f"% of each {bucket}")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        _legend([axes])

    return _render(key, f"Time in GC pauses, share of each {bucket}, per node", caption, draw)


def heap_chart(
    key: str,
    gc: Sequence[GcSummary],
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: tuple[datetime | None, datetime | None],
) -> Chart | None:
    """Heap occupancy after each collection, per node: a floor that keeps rising suggests a leak."""
    drawn = [g for g in gc if g.heap_after]
    if not drawn:
        return None
    parts = []
    for g in drawn:
        slope = (
            "" if g.heap_floor_slope_mb_per_h is None else f", floor {g.heap_floor_slope_mb_per_h:+.0f} MB/h"
        )
        parts.append(f"{g.node}: last {g.heap_after[-1].after_mb:,.0f} MB{slope}")
    caption = "Heap after GC: " + "; ".join(parts) + "."

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        for index, g in enumerate(drawn):
            points = sorted((_epoch(p.at), p.after_mb) for p in g.heap_after)
            few = len(points) <= 60
            axes.plot(
                _dates([t for t, _ in points]),
                [v for _, v in points],
                color=PALETTE[index % len(PALETTE)],
                linestyle=LINESTYLES[index % len(LINESTYLES)],
                marker="o" if few else None,
                markersize=2.5,
                label=_legend_label(g.node),
            )
        axes.set_ylabel("MB after GC")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        _legend([axes])

    return _render(key, "Heap after GC, per node", caption, draw)


def traffic_chart(
    key: str,
    access: AccessSummary,
    name: str,
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: tuple[datetime | None, datetime | None],
) -> Chart | None:
    """Requests per bucket, with the share that failed with a 5xx on a second axis."""
    if not access.per_minute:
        return None
    bucket = bucket_label(bucket_s)
    peak = max(access.per_minute, key=lambda m: (m.requests, -_epoch(m.at)))
    worst = max(
        access.per_minute, key=lambda m: (m.status_5xx / m.requests if m.requests else 0.0, -_epoch(m.at))
    )
    worst_rate = worst.status_5xx / worst.requests * 100 if worst.requests else 0.0
    caption = (
        f"{_count(access.requests)} requests, {_count(access.status_5xx)} with 5xx, "
        f"{_count(access.status_4xx)} with 4xx; busiest {bucket}: {_count(peak.requests)} requests at "
        f"{_local(peak.at, zone)}; highest 5xx rate {worst_rate:.1f} % at {_local(worst.at, zone)}."
    )

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        minutes = access.per_minute
        times, requests = _dense([(_epoch(m.at), float(m.requests)) for m in minutes], bucket_s, 0.0)
        _, failed = _dense([(_epoch(m.at), float(m.status_5xx)) for m in minutes], bucket_s, 0.0)
        x = _dates(times)
        axes.fill_between(x, requests, color=PALETTE[0], alpha=0.25, linewidth=0)
        axes.plot(x, requests, color=PALETTE[0], label=f"requests per {bucket}")
        axes.set_ylabel(f"requests per {bucket}")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        rate_axes = axes.twinx()
        rate_axes.spines["right"].set_visible(True)
        rate_axes.grid(False)
        rates = [f / r * 100 if r else float("nan") for f, r in zip(failed, requests, strict=True)]
        rate_axes.plot(x, rates, color=FAILURE, linestyle="--", label="5xx, % of requests")
        rate_axes.set_ylabel("5xx %")
        _y_from_zero(rate_axes)
        _legend([axes, rate_axes])

    return _render(key, f"{name}: requests per {bucket} and 5xx rate", caption, draw, twin=True)


def latency_chart(
    key: str,
    access: AccessSummary,
    name: str,
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: tuple[datetime | None, datetime | None],
) -> Chart | None:
    """Response time percentiles per bucket, on a log scale (p99 is often 100 times p50)."""
    series = [
        (
            label,
            [
                (_epoch(m.at), getattr(m, field))
                for m in access.per_minute
                if getattr(m, field) is not None and getattr(m, field) > 0
            ],
        )
        for label, field in (("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms"))
    ]
    if not any(points for _, points in series):
        return None
    bucket = bucket_label(bucket_s)
    caption = (
        f"Over the window: p50 {_ms(access.p50_ms)}, p95 {_ms(access.p95_ms)}, p99 {_ms(access.p99_ms)}."
    )

    def draw(figure: Figure) -> None:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

        axes = figure.add_subplot()
        for index, (label, points) in enumerate(series):
            if not points:
                continue
            times, values = _dense(points, bucket_s, float("nan"))
            axes.plot(_dates(times), values, color=PALETTE[index], linestyle=LINESTYLES[index], label=label)
        axes.set_yscale("log")
        axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axes.yaxis.set_major_formatter(FuncFormatter(_ms_tick))
        axes.yaxis.set_minor_locator(NullLocator())  # unlabelled minor ticks cost time and say nothing
        axes.set_ylabel("response time")
        _time_axis(axes, zone, span, bucket_s)
        _legend([axes])

    return _render(key, f"{name}: response time per {bucket} (p50, p95, p99)", caption, draw)


def failed_logins_chart(
    key: str,
    security: SecuritySummary,
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: tuple[datetime | None, datetime | None],
) -> Chart | None:
    """Failed logins per bucket, with the bursts that look like brute force or a stale password shaded."""
    if not security.per_minute_failed:
        return None
    bucket = bucket_label(bucket_s)
    peak = max(security.per_minute_failed, key=lambda m: (m.count, -_epoch(m.at)))
    # A burst that lasts most of the window (a service failing all day) would shade everything: those
    # are in the table, not on the chart.
    times = [_epoch(m.at) for m in security.per_minute_failed]
    window = max(times) - min(times) + bucket_s
    if span[0] is not None and span[1] is not None:
        window = max(window, _epoch(span[1]) - _epoch(span[0]) + bucket_s)
    shaded = [b for b in security.bursts if _epoch(b.end) - _epoch(b.start) + bucket_s <= window / 2]
    caption = (
        f"{_count(security.failed)} failed logins, {_count(security.passed)} successful; busiest "
        f"{bucket}: {_count(peak.count)} failures at {_local(peak.at, zone)}; "
        f"{len(security.bursts)} burst(s), {len(shaded)} shaded (those shorter than half the window)."
    )

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        times, counts = _dense(
            [(_epoch(m.at), float(m.count)) for m in security.per_minute_failed], bucket_s, 0.0
        )
        x = _dates(times)
        axes.fill_between(x, counts, step="post", color=FAILURE, alpha=0.35, linewidth=0)
        axes.step(x, counts, where="post", color=FAILURE, label=f"failed logins per {bucket}")
        for index, burst in enumerate(shaded[:MAX_MARKERS]):
            start, end = _dates([_epoch(burst.start), _epoch(burst.end) + bucket_s])
            axes.axvspan(
                start, end, color=PALETTE[1], alpha=0.25, linewidth=0, label="burst" if index == 0 else None
            )
        axes.set_ylabel(f"failures per {bucket}")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        _legend([axes])

    return _render(key, f"Failed logins per {bucket}", caption, draw)
