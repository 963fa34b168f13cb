"""fecru.repositories: are the enabled repositories running and indexing?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural, source
from checks.metadata import CheckMeta
from collectors.facts.fecru import FecruRepository
from collectors.model import InstanceSnapshot
from collectors.products import Product

REPOSITORY_STATES_KB = "https://confluence.atlassian.com/fisheye/operations-298976905.html"
LISTING = "GET /rest-service-fecru/admin/repositories"


def _source(inst: InstanceSnapshot) -> str:
    found = source(inst, "fecru.repositories")
    return LISTING if found.startswith("call '") else found


def _indexing_source(inst: InstanceSnapshot, name: str) -> str:
    found = source(inst, f"fecru.indexing:{name}")
    documented = f"GET /rest-service-fecru/indexing-status-v1/status/{name}"
    return documented if found.startswith("call '") else found


class FecruRepositories(InstanceCheck):
    meta = CheckMeta(
        id="fecru.repositories",
        title="Fisheye/Crucible repositories",
        description=(
            "Looks at every enabled repository: one that is stopped (or stuck starting or stopping) cannot "
            "be browsed or reviewed, and one whose indexing failed shows stale history. Disabled "
            "repositories are left alone."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        products=(Product.FECRU,),
        requires=("fecru.repositories",),
        references=(REPOSITORY_STATES_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        fecru = collected(inst.fecru, "fecru facts")
        repositories = collected(fecru.repositories, "repositories")
        enabled = [r for r in repositories if r.enabled is not False and (r.state or "") != "DISABLED"]
        problems = 0
        for repository in enabled:
            finding = _problem(ctx, inst, repository)
            if finding is not None:
                problems += 1
                yield finding
        if problems:
            return
        disabled = len(repositories) - len(enabled)
        yield ctx.ok(
            "Repositories running",
            (
                f"All {plural(len(enabled), 'enabled repository', 'enabled repositories')} are running"
                + (f"; {disabled} disabled." if disabled else ".")
            )
            if enabled
            else "No enabled repositories.",
            evidence=[
                Evidence(label="repositories", value=len(repositories), source=_source(inst), time=ctx.now),
                Evidence(label="enabled", value=len(enabled), source=_source(inst), time=ctx.now),
            ],
        )


def _problem(ctx: InstanceContext, inst: InstanceSnapshot, repo: FecruRepository) -> Finding | None:
    state = (repo.state or "").upper()
    indexing = repo.indexing
    failed = indexing is not None and (indexing.failed or (indexing.stopped and state == "RUNNING"))
    stopped = state not in ("", "RUNNING")
    if not (stopped or failed):
        return None
    evidence = [
        Evidence(label="repository", value=repo.name, source=_source(inst), time=ctx.now),
        Evidence(label="type", value=repo.type, source=_source(inst), time=ctx.now),
        Evidence(label="state", value=repo.state, source=_source(inst), time=ctx.now),
    ]
    if indexing is not None:
        src = _indexing_source(inst, repo.name)
        evidence += [
            Evidence(label="indexing stopped", value=indexing.stopped, source=src, time=ctx.now),
            Evidence(label="indexing failed", value=indexing.failed, source=src, time=ctx.now),
            Evidence(label="scanning percent", value=indexing.scanning_percent, source=src, time=ctx.now),
            Evidence(label="indexing percent", value=indexing.indexing_percent, source=src, time=ctx.now),
            Evidence(label="message", value=indexing.message, source=src, time=ctx.now),
        ]
    why = f": {indexing.message}" if indexing is not None and indexing.message else "."
    if stopped:
        title = f"Repository {repo.name} is {state.lower()}"
        message = (
            f"The enabled {repo.type or ''} repository {repo.name} is {state}: it cannot be browsed, "
            f"searched or used in reviews" + (f", and its indexing failed{why}" if failed else ".")
        ).replace("  ", " ")
    else:
        title = f"Repository {repo.name} is failing to index"
        message = f"Indexing of repository {repo.name} failed{why}"
    return ctx.finding(
        Severity.WARNING,
        title,
        message,
        evidence=evidence,
        recommendation=(
            "In Administration > Repositories, read the repository's error, fix its cause (credentials, "
            "repository URL, network, disk space), then start the repository or run an incremental index."
        ),
        key=repo.name,
    )
