"""Crowd endpoints of the sandbox: under /crowd, basic authentication only, directories and sync faults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox
from sandbox.crowd_payloads import LDAP_DIRECTORY, SYNC_FAILURE
from tests.sandbox.client import TIMEOUT_S, close_to, from_epoch_ms, get

pytestmark = pytest.mark.server

Factory = Callable[..., Sandbox]
NAME = "crowd"


def spec(**kwargs: Any) -> InstanceSpec:
    return InstanceSpec(
        NAME, Product.CROWD, Deployment.SERVER, version="6.1.2", context_path="/crowd", **kwargs
    )


def basic(sandbox: Sandbox, path: str, **kwargs: Any) -> requests.Response:
    s = sandbox.spec(NAME)
    return get(sandbox, NAME, path, headers={}, auth=(s.username, s.accepted_password()), **kwargs)


def ldap(sandbox: Sandbox) -> dict[str, Any]:
    values = basic(sandbox, "/rest/admin/1.0/directory/detailed").json()["values"]
    return next(d for d in values if d["displayName"] == LDAP_DIRECTORY)


@pytest.fixture(scope="module")
def healthy():
    with Sandbox([spec()]) as sandbox:
        yield sandbox


def test_product_faults_name_their_product() -> None:
    assert {Fault.CROWD_SYNC_FAILED.product, Fault.CROWD_SYNC_STALE.product} == {Product.CROWD}


def test_status_lives_under_the_context_path(healthy: Sandbox) -> None:
    assert healthy.url(NAME).endswith("/crowd")
    assert get(healthy, NAME, "/status", authenticated=False).json() == {"state": "RUNNING"}
    root = healthy.url(NAME).removesuffix("/crowd")
    assert requests.get(root + "/status", timeout=TIMEOUT_S).status_code == 404


def test_admin_api_takes_a_password_not_a_token(healthy: Sandbox) -> None:
    assert get(healthy, NAME, "/rest/admin/1.0/server-info").status_code == 401  # Bearer token
    assert get(healthy, NAME, "/rest/admin/1.0/server-info", authenticated=False).status_code == 401
    info = basic(healthy, "/rest/admin/1.0/server-info").json()
    assert (info["version"], info["versions"], info["deploymentTitle"]) == ("6.1.2", ["6", "1", "2"], "Crowd")
    assert info["baseUrl"] == healthy.url(NAME)


def test_directories(healthy: Sandbox) -> None:
    page = basic(healthy, "/rest/admin/1.0/directory/detailed", params={"start": 0, "limit": 1000}).json()
    assert page["isLastPage"] is True
    assert [(d["displayName"], d["directoryType"], d["synchronizable"]) for d in page["values"]] == [
        ("Crowd internal", "INTERNAL", False),
        (LDAP_DIRECTORY, "CONNECTOR", True),
    ]
    sync = ldap(healthy)["synchronizationData"]
    assert sync["status"] == "SUCCESS" and "incrementalSyncFailureReason" not in sync
    assert close_to(from_epoch_ms(sync["startDate"]), datetime.now(UTC) - timedelta(minutes=20))
    assert sync["endDate"] - sync["startDate"] == 42_000


def test_sync_failed(sandbox_of: Factory) -> None:
    sync = ldap(sandbox_of(spec(faults={Fault.CROWD_SYNC_FAILED})))["synchronizationData"]
    assert (sync["status"], sync["incrementalSyncFailureReason"]) == ("FAILURE", SYNC_FAILURE)


def test_sync_stale(sandbox_of: Factory) -> None:
    sync = ldap(sandbox_of(spec(faults={Fault.CROWD_SYNC_STALE})))["synchronizationData"]
    assert sync["status"] == "SUCCESS"
    assert close_to(from_epoch_ms(sync["startDate"]), datetime.now(UTC) - timedelta(days=3, minutes=20))


def test_atst_and_login_page(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(spec(faults={Fault.ATST_FAILING}))
    statuses = basic(sandbox, "/rest/troubleshooting/1.0/check").json()["statuses"]
    assert all(s["completeKey"].startswith("com.atlassian.troubleshooting.plugin-crowd:") for s in statuses)
    assert any(not s["isHealthy"] for s in statuses)
    sandbox.update(NAME, faults={Fault.HTML_LOGIN})
    assert "<title>Log in - Crowd</title>" in basic(sandbox, "/rest/admin/1.0/server-info").text
