"""Failure classification and Retry-After parsing, as pure functions.

Network failures that the sandbox can produce (refused, timeout, TLS, 401, 429, 5xx, HTML, malformed
JSON) are tested end to end in test_faults.py. What it cannot produce safely is tested here on the
exception chains requests and urllib3 build.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import urllib3.exceptions

from collectors.model import Deployment, ErrorKind, Product
from collectors.rest.http import (
    Deadline,
    build_client,
    classify_exception,
    fetch,
    interpret,
    parse_retry_after,
)
from collectors.target import CollectOptions, Credentials, InstanceTarget

URL = "https://jira.example.invalid:8443/rest/api/2/myself"


def _wrapped(reason: BaseException) -> requests.ConnectionError:
    """What requests raises: ConnectionError(MaxRetryError(reason=...)), with the chain requests sets."""
    max_retry = urllib3.exceptions.MaxRetryError(None, URL, reason=reason)  # type: ignore[arg-type]
    error = requests.ConnectionError(max_retry)
    error.__cause__ = max_retry
    return error


def test_dns_failure_is_classified_from_the_exception_chain() -> None:
    # Resolving a made-up name for real would hand it to the system resolver, which may send a query
    # to an external DNS server: tests must not send traffic off the machine. So the chain that
    # requests raises for an unknown host is built here instead.
    gaierror = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    resolution = urllib3.exceptions.NameResolutionError("jira.example.invalid", None, gaierror)  # type: ignore[arg-type]
    kind, message = classify_exception(_wrapped(resolution), URL, 10)
    assert kind is ErrorKind.DNS
    assert message == "host name 'jira.example.invalid' could not be resolved (DNS)"


def test_a_bare_gaierror_cause_is_dns_too() -> None:
    error = requests.ConnectionError("failed")
    error.__cause__ = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    assert classify_exception(error, URL, 10)[0] is ErrorKind.DNS


def test_refused_is_not_mistaken_for_a_timeout() -> None:
    # urllib3's NewConnectionError subclasses ConnectTimeoutError; a refusal must still say "refused".
    refused = ConnectionRefusedError(111, "Connection refused")
    new_connection = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")  # type: ignore[arg-type]
    new_connection.__context__ = refused
    kind, message = classify_exception(_wrapped(new_connection), URL, 10)
    assert (kind, message) == (
        ErrorKind.CONNECTION_REFUSED,
        "connection refused by jira.example.invalid:8443",
    )


def test_tls_failure_names_the_certificate_problem() -> None:
    cert_error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    cert_error.verify_message = "self-signed certificate"
    error = requests.exceptions.SSLError(urllib3.exceptions.SSLError(cert_error))
    kind, message = classify_exception(error, URL, 10)
    assert kind is ErrorKind.TLS
    assert message.endswith("failed: certificate verify failed: self-signed certificate")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            requests.exceptions.ConnectTimeout("x"),
            "could not connect to jira.example.invalid:8443 within 0.5 s",
        ),
        (requests.exceptions.ReadTimeout("x"), "no answer from jira.example.invalid:8443 within 0.5 s"),
    ],
)
def test_timeouts(error: Exception, expected: str) -> None:
    assert classify_exception(error, URL, 0.5) == (ErrorKind.TIMEOUT, expected)


def test_other_transport_errors_name_the_root_cause() -> None:
    reset = ConnectionResetError(104, "Connection reset by peer")
    protocol = urllib3.exceptions.ProtocolError("Connection aborted.", reset)
    kind, message = classify_exception(requests.ConnectionError(protocol), URL, 10)
    assert kind is ErrorKind.CONNECTION
    assert message == (
        "connection to jira.example.invalid:8443 failed: ConnectionResetError: [Errno 104] Connection reset by peer"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("0", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date() -> None:
    now = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=120), usegmt=True)
    assert parse_retry_after(header, now) == 120.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0.0


def _response(status: int, body: str, content_type: str = "application/json") -> requests.Response:
    """A real requests.Response, filled in by hand: the answers the sandbox does not give."""
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    response.headers["Content-Type"] = content_type
    response.encoding = "utf-8"
    response.reason = "Reason"
    return response


def test_403_keeps_the_servers_reason() -> None:
    value, problem = interpret(
        _response(403, '{"errorMessages":["You must be a Jira Administrator"]}'), "p", has_credentials=True
    )
    assert value is None
    assert problem == (
        ErrorKind.FORBIDDEN,
        "HTTP 403: permission denied (admin rights needed?): You must be a Jira Administrator",
    )


def test_405_is_not_clustered_only_on_cluster_calls() -> None:
    answer = _response(405, '{"errorMessages":["This Jira instance is not clustered"]}')
    assert interpret(answer, "p", has_credentials=True, cluster_call=True)[1] == (
        ErrorKind.NOT_CLUSTERED,
        "HTTP 405: the instance is not clustered: This Jira instance is not clustered",
    )
    assert interpret(answer, "p", has_credentials=True)[1][0] is ErrorKind.CLIENT_ERROR  # type: ignore[index]


def test_confluence_clustered_installation_refusal_is_not_clustered() -> None:
    answer = _response(403, '{"message":"This feature requires a clustered installation"}')
    assert interpret(answer, "p", has_credentials=True, cluster_call=True)[1][0] is ErrorKind.NOT_CLUSTERED  # type: ignore[index]


def test_html_without_a_login_form_says_html_only() -> None:
    _, problem = interpret(
        _response(200, "<html><title>Proxy</title></html>", "text/html"), "p", has_credentials=True
    )
    assert problem == (ErrorKind.HTML_INSTEAD_OF_JSON, "HTTP 200: an HTML page 'Proxy' instead of JSON")


def test_html_is_recognised_by_the_body_whatever_the_content_type() -> None:
    _, problem = interpret(_response(200, "  <!DOCTYPE html><p>hi</p>"), "p", has_credentials=True)
    assert problem is not None and problem[0] is ErrorKind.HTML_INSTEAD_OF_JSON


def test_empty_body_is_malformed_json() -> None:
    assert interpret(_response(200, ""), "p", has_credentials=True)[1] == (
        ErrorKind.MALFORMED_JSON,
        "HTTP 200: an empty body instead of JSON",
    )


def test_401_without_credentials_says_so() -> None:
    assert interpret(_response(401, "{}"), "p", has_credentials=False)[1] == (
        ErrorKind.UNAUTHORIZED,
        "HTTP 401: authentication required, no credentials configured",
    )


def test_other_4xx_is_a_client_error() -> None:
    assert interpret(_response(400, "{}"), "p", has_credentials=True)[1] == (
        ErrorKind.CLIENT_ERROR,
        "HTTP 400: Reason",
    )


def test_a_non_2xx_answer_is_data_only_when_the_caller_says_so() -> None:
    maintenance = _response(503, '{"state":"MAINTENANCE"}')
    assert interpret(
        maintenance, "status", has_credentials=False, answer_on_error=lambda v: "state" in v
    ) == (
        {"state": "MAINTENANCE"},
        None,
    )
    assert interpret(maintenance, "status", has_credentials=False)[1][0] is ErrorKind.SERVER_ERROR  # type: ignore[index]


@pytest.mark.parametrize(
    ("product", "deployment"),
    [
        (Product.JIRA, Deployment.DATACENTER),
        (Product.JIRA, Deployment.CLOUD),
        (Product.CONFLUENCE, Deployment.DATACENTER),
        (Product.CONFLUENCE, Deployment.CLOUD),
        (Product.BAMBOO, Deployment.SERVER),
    ],
)
def test_build_client_keeps_sub_second_timeouts_and_our_retry_policy(
    product: Product, deployment: Deployment
) -> None:
    target = InstanceTarget(
        "acme", "x", product, deployment, "https://x.example.invalid", Credentials("token", None, "t")
    )
    client = build_client(target, CollectOptions(timeout_s=0.3, user_agent="atlas-health/test"))
    # The constructor int()-casts timeouts (0.3 -> 0, i.e. none); and Confluence(...) is a wrapper whose
    # attributes do not reach the real client, so the implementation itself must carry the timeout.
    assert client.timeout == 0.3
    assert type(client).__name__ != "Confluence"
    assert client.session.headers["User-Agent"] == "atlas-health/test"
    assert client.session.headers["Authorization"] == "Bearer t"
    assert (client.retry_with_header, client.backoff_and_retry) == (False, False)
    assert client.cloud is (deployment is Deployment.CLOUD)


def test_build_client_basic_auth_and_tls_settings() -> None:
    target = InstanceTarget(
        "acme",
        "x",
        Product.JIRA,
        Deployment.CLOUD,
        "https://acme.atlassian.net",
        Credentials("basic", "svc@example.com", "api-token"),
        verify_tls="/etc/ssl/custom-ca.pem",
    )
    client = build_client(target, CollectOptions())
    assert client.session.auth == ("svc@example.com", "api-token")
    assert client.verify_ssl == "/etc/ssl/custom-ca.pem"
    assert "Authorization" not in client.session.headers


class _Client:
    """Answers GETs from a list; enough of AtlassianRestAPI for ``fetch``."""

    url = "https://jira.example.invalid"

    def __init__(self, *answers: requests.Response) -> None:
        self.answers = list(answers)

    def url_joiner(self, url: str, path: str) -> str:
        return f"{url}/{path.lstrip('/')}"

    def get(self, path: str, params: object = None, advanced_mode: bool = False) -> requests.Response:
        return self.answers.pop(0)


def test_fetch_logs_each_answer_and_retry_with_the_url_redacted(caplog: pytest.LogCaptureFixture) -> None:
    limited = _response(429, "")
    limited.headers["Retry-After"] = "1"
    client = _Client(limited, _response(200, '{"total": 3}'))
    caplog.set_level(logging.DEBUG, logger="collectors.rest.http")
    reply = fetch(
        client,  # type: ignore[arg-type]
        "search",
        "/rest/api/2/search",
        params={"jql": "project = X", "access_token": "abc123secret"},
        options=CollectOptions(),
        deadline=Deadline(30),
        has_credentials=True,
        sleep=lambda _s: None,
    )
    assert reply.ok and reply.value == {"total": 3}
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "collectors.rest.http"]
    shown = "https://jira.example.invalid/rest/api/2/search?jql=project+%3D+X&access_token=***"
    assert [level for level, _ in lines] == ["DEBUG", "INFO", "DEBUG"]
    assert re.fullmatch(rf"search: GET {re.escape(shown)} -> 429 in \d+ ms, 0 bytes", lines[0][1])
    assert lines[1][1] == f"search: GET {shown} rate limited (HTTP 429); retry 1 in 1 s (Retry-After)"
    assert re.fullmatch(rf"search: GET {re.escape(shown)} -> 200 in \d+ ms, 12 bytes", lines[2][1])
    assert "abc123secret" not in caplog.text


def test_fetch_logs_a_failure_with_its_kind(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="collectors.rest.http")
    reply = fetch(
        _Client(_response(500, '{"message": "boom"}')),  # type: ignore[arg-type]
        "license",
        "/rest/plugins/applications/1.0/installed/jira-software/license",
        options=CollectOptions(),
        deadline=Deadline(30),
        has_credentials=True,
    )
    assert reply.kind is ErrorKind.SERVER_ERROR
    assert [r.getMessage() for r in caplog.records] == [
        "license: GET https://jira.example.invalid/rest/plugins/applications/1.0/installed/jira-software/license "
        "failed (server_error): HTTP 500: server error: boom"
    ]
