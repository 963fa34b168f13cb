"""Bitbucket Server / Data Center endpoints of the sandbox: healthy answers and each fault that shapes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox
from sandbox.bitbucket_payloads import SEARCH_DOWN_MESSAGE, raw_license
from tests.sandbox.client import call, close_to, from_epoch_ms, get

pytestmark = pytest.mark.server

Factory = Callable[..., Sandbox]
DC = "bb-dc"
SERVER = "bb-server"


def dc(**kwargs: object) -> InstanceSpec:
    return InstanceSpec(DC, Product.BITBUCKET, Deployment.DATACENTER, version="9.4.3", nodes=3, **kwargs)


@pytest.fixture(scope="module")
def healthy():
    specs = [dc(), InstanceSpec(SERVER, Product.BITBUCKET, Deployment.SERVER, version="8.19.5")]
    with Sandbox(specs) as sandbox:
        yield sandbox


def test_product_faults_name_their_product() -> None:
    assert Fault.BITBUCKET_INDEX_DOWN.product is Product.BITBUCKET
    assert Fault.BITBUCKET_SEATS_NEAR_LIMIT.product is Product.BITBUCKET
    assert Fault.NODE_OFFLINE.product is None


@pytest.mark.parametrize(
    ("state", "code"),
    [("RUNNING", 200), ("STARTING", 503), ("FIRST_RUN", 200), ("MAINTENANCE", 200), ("ERROR", 500)],
)
def test_status_codes_follow_the_bitbucket_kb(sandbox_of: Factory, state: str, code: int) -> None:
    sandbox = sandbox_of(dc(state=state))
    response = get(sandbox, DC, "/status", authenticated=False)
    assert (response.status_code, response.json()) == (code, {"state": state})


def test_application_properties_name_the_user_only_when_authenticated(healthy: Sandbox) -> None:
    anonymous = get(healthy, DC, "/rest/api/1.0/application-properties", authenticated=False)
    assert anonymous.status_code == 200 and "X-AUSERNAME" not in anonymous.headers
    assert anonymous.json() == {
        "version": "9.4.3",
        "buildNumber": "9004003",
        "buildDate": anonymous.json()["buildDate"],
        "displayName": "Bitbucket",
    }
    authenticated = get(healthy, DC, "/rest/api/1.0/application-properties")
    assert authenticated.headers["X-AUSERNAME"] == "svc-health"
    assert authenticated.headers["X-AUSERID"].isdigit()


def test_wrong_credentials_are_refused_even_where_anonymous_is_fine(healthy: Sandbox) -> None:
    response = get(
        healthy, DC, "/rest/api/1.0/application-properties", headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401


def test_licence(healthy: Sandbox) -> None:
    licence = get(healthy, DC, "/rest/api/1.0/admin/license").json()
    now = datetime.now(UTC)
    assert close_to(from_epoch_ms(licence["expiryDate"]), now + timedelta(days=400))
    assert licence["maintenanceExpiryDate"] == licence["expiryDate"]
    assert licence["numberOfDaysBeforeExpiry"] in (399, 400)
    assert (licence["maximumNumberOfUsers"], licence["unlimitedNumberOfUsers"]) == (500, False)
    assert licence["status"]["currentNumberOfUsers"] == 312
    assert licence["supportEntitlementNumber"].startswith("SEN-L")
    assert licence["license"] == raw_license(healthy.spec(DC))  # the key the collector must never keep


@pytest.mark.parametrize(
    ("faults", "users"),
    [({Fault.BITBUCKET_SEATS_NEAR_LIMIT}, 475), ({Fault.SEATS_FULL}, 500)],
    ids=["near-limit", "full"],
)
def test_seat_faults(sandbox_of: Factory, faults: set[Fault], users: int) -> None:
    sandbox = sandbox_of(dc(faults=faults))
    assert get(sandbox, DC, "/rest/api/1.0/admin/license").json()["status"]["currentNumberOfUsers"] == users


def test_licence_expired(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(dc(faults={Fault.LICENSE_EXPIRED}))
    licence = get(sandbox, DC, "/rest/api/1.0/admin/license").json()
    assert close_to(from_epoch_ms(licence["expiryDate"]), datetime.now(UTC) - timedelta(days=3))
    assert licence["numberOfDaysBeforeExpiry"] in (-4, -3)


def test_cluster_of_a_data_center(healthy: Sandbox) -> None:
    zdu = get(healthy, DC, "/rest/zdu/cluster").json()
    assert zdu["state"] == "STABLE"
    assert [(n["name"], n["state"], n["version"]) for n in zdu["nodes"]] == [
        ("node1", "ACTIVE", "9.4.3"),
        ("node2", "ACTIVE", "9.4.3"),
        ("node3", "ACTIVE", "9.4.3"),
    ]
    admin = get(healthy, DC, "/rest/api/1.0/admin/cluster").json()
    assert [n["name"] for n in admin["nodes"]] == ["node1", "node2", "node3"]
    assert admin["localNode"]["local"] is True and admin["running"] is True


def test_node_offline(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(dc(faults={Fault.NODE_OFFLINE}))
    zdu = get(sandbox, DC, "/rest/zdu/cluster").json()
    assert [n["state"] for n in zdu["nodes"]] == ["ACTIVE", "ACTIVE", "OFFLINE"]
    admin = get(sandbox, DC, "/rest/api/1.0/admin/cluster").json()
    assert [n["name"] for n in admin["nodes"]] == ["node1", "node2"]  # a node that is down is not connected


def test_server_has_no_rolling_upgrades_and_one_node(healthy: Sandbox) -> None:
    assert get(healthy, SERVER, "/rest/zdu/cluster").status_code == 404
    assert [n["name"] for n in get(healthy, SERVER, "/rest/api/1.0/admin/cluster").json()["nodes"]] == [
        "node1"
    ]


def test_search_index(healthy: Sandbox, sandbox_of: Factory) -> None:
    assert get(healthy, DC, "/rest/indexing/latest/status").json() == {"status": "IDLE"}
    down = sandbox_of(dc(faults={Fault.BITBUCKET_INDEX_DOWN}))
    response = get(down, DC, "/rest/indexing/latest/status")
    assert response.status_code == 503
    assert response.json()["errors"][0]["message"] == SEARCH_DOWN_MESSAGE


def test_mail_server(healthy: Sandbox) -> None:
    mail = get(healthy, DC, "/rest/api/1.0/admin/mail-server").json()
    assert (mail["hostname"], mail["port"], mail["protocol"]) == ("smtp.example.com", 587, "SMTP")
    assert "password" not in mail
    missing = get(healthy, SERVER, "/rest/api/1.0/admin/mail-server")
    assert missing.status_code == 404 and missing.json()["errors"][0]["message"]


def test_mirrors(healthy: Sandbox) -> None:
    page = get(healthy, DC, "/rest/mirroring/1.0/mirrorServers", params={"limit": 100}).json()
    (mirror,) = page["values"]
    assert mirror["enabled"] is True and mirror["productVersion"] == "9.4.3"
    assert close_to(from_epoch_ms(mirror["lastSeenDate"]), datetime.now(UTC) - timedelta(minutes=1))
    assert get(healthy, SERVER, "/rest/mirroring/1.0/mirrorServers").status_code == 404


def test_atst_keys_and_failures(healthy: Sandbox, sandbox_of: Factory) -> None:
    statuses = get(healthy, DC, "/rest/troubleshooting/1.0/check").json()["statuses"]
    assert all(
        s["completeKey"].startswith("com.atlassian.troubleshooting.plugin-bitbucket:") for s in statuses
    )
    assert all(s["isHealthy"] and s["application"] == "Bitbucket" for s in statuses)
    failing = sandbox_of(dc(faults={Fault.ATST_FAILING}))
    bad = [
        s
        for s in get(failing, DC, "/rest/troubleshooting/1.0/check").json()["statuses"]
        if not s["isHealthy"]
    ]
    assert {s["severity"] for s in bad} == {"critical", "major", "warning"}


def test_apps_and_login_page(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(dc(faults={Fault.APP_FAILED}))
    plugins = get(sandbox, DC, "/rest/plugins/1.0").json()["plugins"]
    assert sum(not p["enabled"] for p in plugins if p["userInstalled"]) == 2
    sandbox.update(DC, faults={Fault.HTML_LOGIN})
    page = get(sandbox, DC, "/rest/api/1.0/admin/license")
    assert page.status_code == 200 and "<title>Log in - Bitbucket</title>" in page.text


def test_only_get(healthy: Sandbox) -> None:
    assert call(healthy, DC, "POST", "/rest/indexing/latest/status").status_code == 405
