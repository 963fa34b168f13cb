"""Starting, stopping and changing instances at runtime; what the sandbox records."""

from __future__ import annotations

import base64
import http.client
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox
from tests.sandbox.client import TIMEOUT_S, call, get

pytestmark = pytest.mark.server

Factory = Callable[..., Sandbox]


def port_of(sandbox: Sandbox, name: str) -> int:
    port = urlsplit(sandbox.url(name)).port
    assert port is not None
    return port


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S).close()
    except ConnectionRefusedError:
        return True
    return False


def test_each_instance_has_its_own_port(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(InstanceSpec("a", Product.JIRA), InstanceSpec("b", Product.CONFLUENCE))
    assert port_of(sandbox, "a") != port_of(sandbox, "b")
    assert get(sandbox, "a", "/rest/api/2/serverInfo").json()["serverTitle"] == "Jira"
    assert get(sandbox, "b", "/rest/api/server-information").json()["version"] == "9.12.2"


def test_down_toggles_on_the_same_port_and_drops_open_connections(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA))
    port = port_of(sandbox, "jira")
    session = requests.Session()
    url = sandbox.url("jira") + "/status"
    assert session.get(url, timeout=TIMEOUT_S).status_code == 200  # leaves a kept-alive connection

    sandbox.update("jira", faults={Fault.DOWN})
    assert port_of(sandbox, "jira") == port
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=TIMEOUT_S)
    assert refuses(port)

    sandbox.update("jira", faults=set())
    assert session.get(url, timeout=TIMEOUT_S).json() == {"state": "RUNNING"}
    for _ in range(3):  # and again, to prove the port is re-bound every time
        sandbox.update("jira", faults={Fault.DOWN})
        assert refuses(port)
        sandbox.update("jira", faults=set())
        assert get(sandbox, "jira", "/status").status_code == 200


def test_an_instance_that_starts_down_can_come_up(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(InstanceSpec("dr", Product.JIRA, faults={Fault.DOWN}))
    port = port_of(sandbox, "dr")
    assert refuses(port)
    sandbox.update("dr", faults=set())
    assert port_of(sandbox, "dr") == port
    assert get(sandbox, "dr", "/rest/api/2/myself").json()["name"] == "svc-health"


def test_tls_toggles_at_runtime(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA))
    port = port_of(sandbox, "jira")
    session = requests.Session()
    assert session.get(sandbox.url("jira") + "/status", timeout=TIMEOUT_S).status_code == 200

    sandbox.update("jira", faults={Fault.TLS_UNTRUSTED})
    assert sandbox.url("jira") == f"https://127.0.0.1:{port}"
    with pytest.raises(requests.exceptions.SSLError):
        session.get(sandbox.url("jira") + "/status", timeout=TIMEOUT_S)
    with pytest.raises(requests.ConnectionError):  # plain HTTP on the now-TLS port
        requests.get(f"http://127.0.0.1:{port}/status", timeout=TIMEOUT_S)

    sandbox.update("jira", faults=set())
    assert sandbox.url("jira") == f"http://127.0.0.1:{port}"
    assert session.get(sandbox.url("jira") + "/status", timeout=TIMEOUT_S).status_code == 200


def test_update_changes_answers_and_restarts_the_rate_limit(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA, faults={Fault.RATE_LIMITED}))
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == 429
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == 200
    updated = sandbox.update("jira", faults={Fault.RATE_LIMITED}, state="MAINTENANCE", version="9.12.5")
    assert updated.state == "MAINTENANCE"
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == 429
    assert get(sandbox, "jira", "/status").status_code == 503
    assert get(sandbox, "jira", "/rest/api/2/serverInfo").json()["versionNumbers"] == [9, 12, 5]


def test_update_validates(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA))
    with pytest.raises(TypeError):
        sandbox.update("jira", colour="red")
    with pytest.raises(ValueError):
        sandbox.update("jira", name="other")
    with pytest.raises(KeyError):
        sandbox.update("nope", faults=set())
    with pytest.raises(ValueError):
        sandbox.update("jira", faults={"no-such-fault"})
    assert sandbox.update("jira", faults={"slow"}).faults == {Fault.SLOW}  # fault names are accepted


def test_spec_is_a_copy(sandbox_of: Factory) -> None:
    original = InstanceSpec("jira", Product.JIRA)
    sandbox = sandbox_of(original)
    original.faults.add(Fault.DOWN)  # the caller's object does not reach into the running sandbox
    copy = sandbox.spec("jira")
    copy.faults.add(Fault.SERVER_ERROR)
    assert sandbox.spec("jira").faults == set()
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == 200


def test_requests_are_recorded_without_secrets(sandbox_of: Factory) -> None:
    cloud = InstanceSpec("cloud", Product.JIRA, Deployment.CLOUD, username="svc@example.com")
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA), cloud)
    token = sandbox.spec("jira").accepted_token()
    password = sandbox.spec("cloud").accepted_password()
    before = datetime.now(UTC)
    get(sandbox, "jira", "/rest/api/2/myself")
    get(sandbox, "jira", f"/rest/api/2/serverInfo?doHealthCheck=false&leak={token}")
    call(sandbox, "jira", "POST", "/rest/api/2/reindex", data=b"x" * 100)
    get(sandbox, "jira", "/status", authenticated=False)
    get(sandbox, "cloud", "/rest/api/3/myself")

    records = sandbox.requests("jira")
    assert [(r.method, r.path, r.auth_scheme) for r in records] == [
        ("GET", "/rest/api/2/myself", "Bearer"),
        ("GET", "/rest/api/2/serverInfo", "Bearer"),
        ("POST", "/rest/api/2/reindex", "Bearer"),
        ("GET", "/status", None),
    ]
    assert records[1].query == "doHealthCheck=false&leak=***"
    assert all(before <= r.time <= datetime.now(UTC) for r in records)
    cloud_records = sandbox.requests("cloud")
    assert [(r.path, r.auth_scheme) for r in cloud_records] == [("/rest/api/3/myself", "Basic")]

    basic = base64.b64encode(f"svc@example.com:{password}".encode()).decode()
    dump = repr(records + cloud_records)
    for secret in (token, password, basic):
        assert secret not in dump

    sandbox.reset_requests("jira")
    assert sandbox.requests("jira") == []
    assert len(sandbox.requests("cloud")) == 1


def test_connections_are_kept_alive(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA))
    connection = http.client.HTTPConnection("127.0.0.1", port_of(sandbox, "jira"), timeout=TIMEOUT_S)
    try:
        connection.request("GET", "/status")
        first = connection.getresponse()
        assert first.getheader("Content-Length") == str(len(first.read()))
        assert first.version == 11 and not first.will_close
        sock = connection.sock
        connection.request("POST", "/rest/api/2/myself", body=b"{}")  # a body is read and dropped
        second = connection.getresponse()
        assert second.status == 401  # no credentials: authentication comes before the 405
        second.read()
        connection.request("GET", "/status")
        assert connection.getresponse().read() == b'{"state": "RUNNING"}'
        assert connection.sock is sock  # the same TCP connection served all three
    finally:
        connection.close()


def test_context_manager_stops_everything() -> None:
    with Sandbox(
        [InstanceSpec("a", Product.JIRA), InstanceSpec("b", Product.JIRA, faults={Fault.DOWN})]
    ) as sb:
        ports = [port_of(sb, "a"), port_of(sb, "b")]
        assert get(sb, "a", "/status").status_code == 200
    assert all(refuses(port) for port in ports)
    with pytest.raises(RuntimeError):
        sb.start()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::1", "localhost", ""])
def test_only_ipv4_loopback_hosts(host: str) -> None:
    with pytest.raises(ValueError):
        Sandbox([InstanceSpec("a", Product.JIRA)], host=host)


def test_names_must_be_unique_and_nodes_positive() -> None:
    with pytest.raises(ValueError):
        Sandbox([InstanceSpec("a", Product.JIRA), InstanceSpec("a", Product.CONFLUENCE)])
    with pytest.raises(ValueError):
        Sandbox([InstanceSpec("a", Product.JIRA, nodes=0)])


def test_url_needs_a_started_sandbox() -> None:
    sandbox = Sandbox([InstanceSpec("a", Product.JIRA)])
    with pytest.raises(RuntimeError):
        sandbox.url("a")
    assert sandbox.names() == ["a"]
