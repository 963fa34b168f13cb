"""crowd.directories.sync: did the last synchronisation of each cached remote directory succeed?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import moment, plural, source
from checks.metadata import CheckMeta
from collectors.facts.crowd import CrowdDirectory
from collectors.products import Product

LDAP_CACHING_KB = (
    "https://confluence.atlassian.com/crowd/configuring-caching-for-an-ldap-directory-174227697.html"
)


def directory_evidence(ctx: InstanceContext, directory: CrowdDirectory, src: str) -> list[Evidence]:
    sync = directory.last_sync
    started = sync.started_at if sync is not None else None
    items = [
        Evidence(label="directory", value=directory.name, source=src, time=ctx.now),
        Evidence(label="type", value=directory.description or directory.type, source=src, time=ctx.now),
        Evidence(label="active", value=directory.active, source=src, time=ctx.now),
        Evidence(label="last sync state", value=sync.state if sync else None, source=src, time=started),
        Evidence(
            label="last sync start", value=moment(started) if started else None, source=src, time=started
        ),
    ]
    if sync is not None and sync.duration_ms is not None:
        items.append(Evidence(label="duration s", value=round(sync.duration_ms / 1000, 1), source=src))
    if sync is not None and sync.failure_message:
        items.append(Evidence(label="failure", value=sync.failure_message, source=src, time=started))
    return items


class CrowdDirectoriesSync(InstanceCheck):
    meta = CheckMeta(
        id="crowd.directories.sync",
        title="Crowd directory synchronisation",
        description=(
            "For every cached remote directory (LDAP, Active Directory, another Crowd, Azure AD): the state "
            "of its last synchronisation. A failed one leaves Crowd's copy of users, groups and "
            "memberships behind the directory: new staff cannot log in, leavers keep their groups."
        ),
        category=Category.INTEGRITY,
        default_severity=Severity.CRITICAL,
        products=(Product.CROWD,),
        requires=("crowd.directories",),
        references=(LDAP_CACHING_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        crowd = collected(inst.crowd, "crowd facts")
        directories = collected(crowd.directories, "directories")
        src = source(inst, "crowd.directories")
        synchronised = [d for d in directories if d.synchronizable and d.last_sync is not None]
        if not synchronised:
            yield ctx.ok(
                "No directory synchronisation to judge",
                "No directory has a synchronisation on record (internal directories only, or none has run "
                "yet; crowd.directories.stale reports the latter).",
                evidence=[Evidence(label="directories", value=len(directories), source=src)],
            )
            return
        problems = [f for f in (self._one(ctx, d, src) for d in synchronised) if f is not None]
        yield from problems
        if not problems:
            names = ", ".join(d.name for d in synchronised)
            yield ctx.ok(
                "Directory synchronisation succeeded",
                f"The last synchronisation of {plural(len(synchronised), 'directory', 'directories')} "
                f"succeeded or is running: {names}.",
                evidence=[e for d in synchronised for e in directory_evidence(ctx, d, src)[:4]],
            )

    def _one(self, ctx: InstanceContext, directory: CrowdDirectory, src: str) -> Finding | None:
        sync = directory.last_sync
        if sync is None:  # nothing on record: crowd.directories.stale reports it
            return None
        state = (sync.state or "UNKNOWN").upper()
        if state in ("SUCCESS", "IN_PROGRESS"):
            return None
        evidence = directory_evidence(ctx, directory, src)
        when = f" on {moment(sync.started_at)}" if sync.started_at else ""
        reason = f": {sync.failure_message}" if sync.failure_message else " (Crowd gave no reason)"
        if state == "FAILURE":
            severity = Severity.CRITICAL if directory.active is not False else Severity.WARNING
            inactive = (
                "" if directory.active is not False else " The directory is inactive, so no logins use it."
            )
            return ctx.finding(
                severity,
                f"Directory {directory.name} failed to synchronise",
                f"The last synchronisation of {directory.name}{when} failed{reason}. Crowd keeps serving "
                f"its previous copy of the directory's users and groups.{inactive}",
                evidence=evidence,
                recommendation=(
                    "Open the directory in Crowd's administration and run Synchronise now: the error names "
                    "the cause (unreachable LDAP server, expired bind password or certificate, a changed "
                    "base DN). atlassian-crowd.log has the full stack trace."
                ),
                key=directory.name,
            )
        return ctx.finding(
            Severity.WARNING,
            f"Directory {directory.name} synchronisation {state.lower().replace('_', ' ')}",
            f"The last synchronisation of {directory.name}{when} ended as {state}{reason}, so whether "
            "Crowd's copy is complete is not known.",
            evidence=evidence,
            recommendation="Run Synchronise now on the directory and check that it completes.",
            key=directory.name,
        )
