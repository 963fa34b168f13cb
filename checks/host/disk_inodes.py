"""host.disk.inodes: inodes left on the product's filesystems. Lucene indexes, attachments and
thumbnails are many small files: a filesystem can run out of inodes with gigabytes still free.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import percent, source
from checks.host.disk_free import watched, where
from checks.metadata import CheckMeta


class HostDiskInodes(HostCheck):
    meta = CheckMeta(
        id="host.disk.inodes",
        title="Free inodes",
        description=(
            "Share of inodes used on the filesystems holding the product's directories. When they run out, "
            "no file can be created although space is free: index updates and attachment uploads fail."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("filesystems",),
        thresholds={"warning_percent": 80, "critical_percent": 95},
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        filesystems = collected(host.filesystems, "filesystems")
        src = source(host, "filesystems.inodes", "filesystems")
        # btrfs and some others report no fixed inode table (0 or "-"): nothing to run out of
        checked = [f for f in watched(filesystems) if f.inodes_total and f.inodes_used is not None]
        problems = 0
        for fs in checked:
            used_pct = percent(fs.inodes_used or 0, fs.inodes_total or 0)
            if used_pct >= ctx.threshold("critical_percent"):
                severity = Severity.CRITICAL
            elif used_pct >= ctx.threshold("warning_percent"):
                severity = Severity.WARNING
            else:
                continue
            problems += 1
            yield ctx.finding(
                severity,
                f"Inodes running out on {fs.mount}",
                f"{where(fs)} uses {fs.inodes_used} of {fs.inodes_total} inodes ({used_pct:.1f} %).",
                evidence=[
                    Evidence(label="filesystem", value=fs.mount, source=src, time=ctx.now),
                    Evidence(label="inodes", value=fs.inodes_total, source=src, time=ctx.now),
                    Evidence(label="inodes used", value=fs.inodes_used, source=src, time=ctx.now),
                    Evidence(label="used percent", value=round(used_pct, 2), source=src, time=ctx.now),
                ],
                recommendation=(
                    "Remove many-small-file clutter (old index snapshots, temp and export files, thumbnails "
                    "caches) or move the directory to a filesystem created with more inodes."
                ),
                key=fs.mount,
            )
        if not problems:
            if not checked:
                yield ctx.ok("No inode limit", "The filesystems report no fixed inode table.")
                return
            summary = "; ".join(
                f"{fs.mount} {percent(fs.inodes_used or 0, fs.inodes_total or 0):.0f} % used"
                for fs in checked
            )
            yield ctx.ok("Enough free inodes", f"{summary}.")
