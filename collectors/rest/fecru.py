"""Fisheye/Crucible: reachability, server info, repositories and their indexing, ATST and apps.

Fisheye/Crucible documents no ``/status`` probe: when ``/status`` is not found, the server info
resource (readable anonymously) stands in as the liveness probe, so a healthy instance still reads
RUNNING. Only GETs: the admin resources that start, stop or reindex a repository are never called.
"""

from __future__ import annotations

from urllib.parse import quote

from collectors.facts.fecru import FecruRepository
from collectors.model import ErrorKind, ProductStatus
from collectors.rest.common import apps_step, health_checks_step, simple_step
from collectors.rest.fecru_parsing import (
    is_last_page,
    parse_indexing,
    parse_repositories,
    parse_server_info,
)
from collectors.rest.parsing import parse_status
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.target import InstanceTarget

SERVER_INFO = "rest-service-fecru/server-v1"
ADMIN_REPOSITORIES = "rest-service-fecru/admin/repositories"
LEGACY_REPOSITORIES = "rest-service-fe/repositories-v1"  # older FishEye repositories service
INDEXING = "rest-service-fecru/indexing-status-v1/status"
PAGE = 100
MAX_PAGES = 10  # 1,000 repositories; a bigger estate is reported as far as it was read
MAX_INDEXING_CALLS = 50  # indexing status is one call per repository: the first 50 enabled ones


def plan(target: InstanceTarget) -> Plan:
    return Plan(
        Step("status", "status", _status),
        [
            simple_step("server_info", SERVER_INFO, parse_server_info),
            health_checks_step(),
            apps_step(),
            Step("fecru.repositories", "fecru.repositories", _repositories),
        ],
    )


def _has_state(payload: object) -> bool:
    return isinstance(payload, dict) and ("state" in payload or "status" in payload)


def _status(session: InstanceSession) -> ProductStatus | None:
    """/status where it exists, else the server info as the probe. Neither call is recorded as
    "status": a 404 of the missing /status is no answer code of the instance."""
    reply = session.get("status:probe", "status", parse=parse_status, answer_on_error=_has_state)
    if reply.ok and reply.record is not None:
        status: ProductStatus = reply.value
        return status.model_copy(update={"http_status": reply.record.status_code})
    if reply.kind is not ErrorKind.NOT_FOUND:
        session.fail("status", reply.failure)
        return None
    probe = session.get("status:server-v1", SERVER_INFO, parse=parse_server_info)
    raw: dict[str, object] = {"probe": f"/{SERVER_INFO}"}
    if probe.ok and probe.record is not None:
        return ProductStatus(state="RUNNING", http_status=probe.record.status_code, raw=raw)
    if probe.kind in (ErrorKind.UNAUTHORIZED, ErrorKind.FORBIDDEN) and probe.failure is not None:
        # anonymous access is off and the credentials were refused: the server answered, so it runs
        return ProductStatus(state="RUNNING", raw=raw | {"answered": probe.failure.status_code})
    session.fail("status", probe.failure)
    return None


def _repositories(session: InstanceSession) -> list[FecruRepository] | None:
    repositories = _listing(session)
    if repositories is None:
        return None
    indexed = 0
    result = []
    for repository in repositories:
        if repository.enabled is False or indexed >= MAX_INDEXING_CALLS:
            result.append(repository)
            continue
        indexed += 1
        reply = session.get(
            f"fecru.indexing:{repository.name}",
            f"{INDEXING}/{quote(repository.name, safe='')}",
            parse=parse_indexing,
        )
        session.fail("fecru.indexing", reply.failure)
        result.append(repository.model_copy(update={"indexing": reply.value}) if reply.ok else repository)
    return result


def _listing(session: InstanceSession) -> list[FecruRepository] | None:
    """Every repository, page by page; the older FishEye listing where the admin API is missing."""
    repositories: list[FecruRepository] = []
    for page in range(MAX_PAGES):
        params = {"start": page * PAGE, "limit": PAGE}
        reply = session.get("fecru.repositories", ADMIN_REPOSITORIES, params=params, parse=_page)
        if page == 0 and reply.kind is ErrorKind.NOT_FOUND:
            legacy = session.get("fecru.repositories:legacy", LEGACY_REPOSITORIES, parse=parse_repositories)
            if not legacy.ok:
                session.fail("fecru.repositories", legacy.failure)
                return None
            legacy_list: list[FecruRepository] = legacy.value
            return legacy_list
        if not reply.ok:
            session.fail("fecru.repositories", reply.failure)
            return repositories if page else None
        listed, last = reply.value
        repositories += listed
        if last or not listed:
            break
    return repositories


def _page(payload: object) -> tuple[list[FecruRepository], bool]:
    listed = parse_repositories(payload)
    return listed, is_last_page(payload) or len(listed) < PAGE
