"""host.disk.free: free space on the filesystems that hold the product's home, shared home, index,
attachments and logs (every real filesystem when no product path is configured).

As ATST's free-space check, a filesystem is only in trouble when it is short in both ways: a small
share free *and* little space in bytes; 10 % of a 10 TB volume is plenty.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import percent, size, source
from checks.metadata import CheckMeta
from collectors.hosts.model import Filesystem

GIB = 1024**3


def watched(filesystems: list[Filesystem]) -> list[Filesystem]:
    """Filesystems with product paths; all of them when none has one (no paths configured)."""
    with_roles = [f for f in filesystems if f.roles]
    return with_roles or filesystems


def where(fs: Filesystem) -> str:
    roles = ", ".join(r.replace("_", " ") for r in fs.roles)
    return f"{fs.mount}" + (f" (holds the {roles})" if roles else "")


class HostDiskFree(HostCheck):
    meta = CheckMeta(
        id="host.disk.free",
        title="Free disk space",
        description=(
            "Free space on the filesystems holding the product's home, shared home, index, attachments and "
            "logs. A full home or index stops indexing, attachments and logins; warns when both the free "
            "percentage and the free bytes are below their thresholds."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("filesystems",),
        thresholds={
            "warning_free_percent": 15,
            "warning_free_gb": 20,
            "critical_free_percent": 5,
            "critical_free_gb": 5,
        },
    )

    @staticmethod
    def _short(ctx: HostContext, level: str, free_pct: float, free_gb: float) -> bool:
        low_share = free_pct < ctx.threshold(f"{level}_free_percent")
        return low_share and free_gb < ctx.threshold(f"{level}_free_gb")

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        filesystems = collected(host.filesystems, "filesystems")
        src = source(host, "filesystems")
        checked = [f for f in watched(filesystems) if f.size and f.available is not None]
        problems = 0
        for fs in checked:
            free_pct = percent(fs.available or 0, fs.size or 0)
            free_gb = (fs.available or 0) / GIB
            if self._short(ctx, "critical", free_pct, free_gb):
                severity = Severity.CRITICAL
            elif self._short(ctx, "warning", free_pct, free_gb):
                severity = Severity.WARNING
            else:
                continue
            problems += 1
            yield ctx.finding(
                severity,
                f"Low disk space on {fs.mount}",
                f"{where(fs)} has {size(fs.available)} free of {size(fs.size)} ({free_pct:.1f} %).",
                evidence=[
                    Evidence(label="filesystem", value=fs.mount, source=src, time=ctx.now),
                    Evidence(label="device", value=fs.device, source=src, time=ctx.now),
                    Evidence(label="size", value=fs.size, source=src, time=ctx.now),
                    Evidence(label="available", value=fs.available, source=src, time=ctx.now),
                    Evidence(label="free percent", value=round(free_pct, 2), source=src, time=ctx.now),
                    Evidence(label="holds", value=", ".join(fs.roles) or None, source=src, time=ctx.now),
                ],
                recommendation=(
                    "Free space or grow the filesystem before it fills: clear old logs, exports and backups "
                    "from the home; a full index or home stops the product from indexing and writing."
                ),
                key=fs.mount,
            )
        if not problems:
            summary = "; ".join(
                f"{fs.mount} {percent(fs.available or 0, fs.size or 0):.0f} % free" for fs in checked
            )
            yield ctx.ok(
                "Enough free disk space",
                f"{summary or 'no filesystem with a known size'}.",
                evidence=[
                    Evidence(label=fs.mount, value=fs.available, source=src, time=ctx.now) for fs in checked
                ],
            )
