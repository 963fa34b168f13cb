"""crowd.directories.stale: has every active cached directory synchronised recently?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.crowd.directories_sync import LDAP_CACHING_KB, directory_evidence
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import aware, moment, plural, source
from checks.metadata import CheckMeta
from collectors.facts.crowd import CrowdDirectory
from collectors.products import Product


class CrowdDirectoriesStale(InstanceCheck):
    meta = CheckMeta(
        id="crowd.directories.stale",
        title="Crowd directory synchronisation age",
        description=(
            "For every active cached remote directory: how long ago its last synchronisation started (a "
            "running one: how long it has been running). Crowd synchronises every hour by default, so a "
            "copy days old means the schedule stopped or every run fails before it records anything."
        ),
        category=Category.INTEGRITY,
        default_severity=Severity.WARNING,
        products=(Product.CROWD,),
        requires=("crowd.directories",),
        thresholds={"warning_hours": 24, "critical_hours": 72},
        references=(LDAP_CACHING_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        crowd = collected(inst.crowd, "crowd facts")
        directories = collected(crowd.directories, "directories")
        src = source(inst, "crowd.directories")
        cached = [d for d in directories if d.synchronizable and d.active is not False]
        if not cached:
            yield ctx.ok(
                "No active directory to synchronise",
                "No active directory is a cached remote directory (internal directories need no "
                "synchronisation).",
                evidence=[Evidence(label="directories", value=len(directories), source=src)],
            )
            return
        problems = [f for f in (self._one(ctx, d, src) for d in cached) if f is not None]
        yield from problems
        if not problems:
            ages = [f"{d.name} {_hours(ctx, d):.1f} h ago" for d in cached]
            yield ctx.ok(
                "Directories synchronised recently",
                f"{plural(len(cached), 'directory', 'directories')} synchronised within "
                f"{ctx.threshold('warning_hours')} hours: {', '.join(ages)}.",
                evidence=[e for d in cached for e in directory_evidence(ctx, d, src)[:5]],
            )

    def _one(self, ctx: InstanceContext, directory: CrowdDirectory, src: str) -> Finding | None:
        evidence = directory_evidence(ctx, directory, src)
        sync = directory.last_sync
        if sync is None or sync.started_at is None:
            return ctx.finding(
                Severity.WARNING,
                f"Directory {directory.name} has never synchronised",
                f"Crowd has no synchronisation of {directory.name} on record: its users and groups may "
                "never have been copied, or the record was lost.",
                evidence=evidence,
                recommendation="Run Synchronise now on the directory and check that it completes.",
                key=directory.name,
            )
        hours = _hours(ctx, directory)
        evidence.append(Evidence(label="hours since sync start", value=round(hours, 1)))
        warning, critical = ctx.threshold("warning_hours"), ctx.threshold("critical_hours")
        if hours < warning:
            return None
        severity = Severity.CRITICAL if hours >= critical else Severity.WARNING
        limit = critical if severity is Severity.CRITICAL else warning
        running = (sync.state or "").upper() == "IN_PROGRESS"
        what = (
            f"has been synchronising for {_age(hours)} (since {moment(sync.started_at)})"
            if running
            else f"last synchronised {_age(hours)} ago ({moment(sync.started_at)})"
        )
        return ctx.finding(
            severity,
            f"Directory {directory.name} is stale"
            if not running
            else f"Directory {directory.name} sync is stuck",
            f"{directory.name} {what}; {severity.value} from {limit} hours. Changes made in the directory "
            "since then (new staff, leavers, group changes) are not in Crowd.",
            evidence=evidence,
            recommendation=(
                "Check the directory's polling interval and run Synchronise now; if a run hangs, take thread "
                "dumps of Crowd during it and check the directory server's response times."
                if running
                else "Check that the directory's polling interval is set and run Synchronise now; "
                "crowd.directories.sync shows whether the runs fail."
            ),
            key=directory.name,
        )


def _hours(ctx: InstanceContext, directory: CrowdDirectory) -> float:
    sync = directory.last_sync
    if sync is None or sync.started_at is None:
        return float("inf")
    return (aware(ctx.now) - aware(sync.started_at)).total_seconds() / 3600


def _age(hours: float) -> str:
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.1f} days"
