"""Hostile HTTP servers: a drip, a huge Content-Length, an endless chunked body, a gzip bomb and a
redirect to another host. Each ends as a collection error within small configured limits, never a
hang or unbounded memory; the `atlas-health check` case shows the error becoming a finding."""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from collectors.model import Deployment, ErrorKind, InstanceSnapshot, Product
from collectors.rest.instance import collect_instance
from collectors.target import CollectOptions, InstanceTarget
from tests.hostile.limits import atlas

pytestmark = pytest.mark.server

STATUS = json.dumps({"state": "RUNNING"}).encode()
CAP = 64 * 1024
OPTIONS = CollectOptions(
    timeout_s=2.0, call_deadline_s=1.0, instance_budget_s=5.0, response_cap_bytes=CAP, calls_per_instance=8
)
Behaviour = Callable[[BaseHTTPRequestHandler], None]


def _drip(handler: BaseHTTPRequestHandler) -> None:
    """A valid-looking answer sent one byte at a time, each well inside the read timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(1000):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.1)


def _drip_headers(handler: BaseHTTPRequestHandler) -> None:
    """Headers that never end, one byte at a time: no body for a per-chunk check to see."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(1000):
        handler.wfile.write(b"a")
        handler.wfile.flush()
        time.sleep(0.1)


def _huge_length(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(5 * 2**30))
    handler.end_headers()
    handler.wfile.write(b"[" + b"0," * 1000)  # then nothing: only the announcement is huge


def _endless_chunked(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"[" + b"0," * 4000
    while True:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


_BOMB = gzip.compress(b" " * (8 * 2**20), compresslevel=9)  # about 8 KB that expands to 8 MB


def _gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(_BOMB)))
    handler.end_headers()
    handler.wfile.write(_BOMB)


def _answer_json(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(STATUS)))
    handler.end_headers()
    handler.wfile.write(STATUS)


def _serve(behaviour: Behaviour) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with contextlib.suppress(OSError):  # the client hung up: what it should do
                behaviour(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], str]]:
    started: list[Iterator[str]] = []

    def start(behaviour: Behaviour) -> str:
        server = _serve(behaviour)
        started.append(server)
        return next(server)

    yield start
    for server in started:
        next(server, None)


def _collect(url: str) -> InstanceSnapshot:
    """collect_instance in a thread, so that a hang fails the test instead of stalling the suite."""
    target = InstanceTarget("acme", "jira", Product.JIRA, Deployment.SERVER, url)
    result: list[InstanceSnapshot] = []
    worker = threading.Thread(target=lambda: result.append(collect_instance(target, OPTIONS)), daemon=True)
    worker.start()
    worker.join(30)
    assert result, "collection did not end within 30 s"
    return result[0]


def _status_error(snapshot: InstanceSnapshot) -> tuple[ErrorKind, str]:
    error = next(e for e in snapshot.errors if e.call == "status")
    return error.kind, error.message


def test_a_dripping_server_meets_the_call_deadline(serve: Callable[[Behaviour], str]) -> None:
    url = serve(_drip)
    kind, message = _status_error(_collect(url))
    assert kind is ErrorKind.TIMEOUT
    assert message.startswith(f"no complete answer from {url} within 1 s (")


def test_dripping_headers_meet_the_call_deadline(serve: Callable[[Behaviour], str]) -> None:
    url = serve(_drip_headers)
    kind, message = _status_error(_collect(url))
    assert kind is ErrorKind.TIMEOUT
    assert message.startswith(f"no complete answer from {url} within 1 s")


def test_the_instance_budget_bounds_a_call_in_progress(serve: Callable[[Behaviour], str]) -> None:
    url = serve(_drip)
    target = InstanceTarget("acme", "jira", Product.JIRA, Deployment.SERVER, url)
    options = CollectOptions(timeout_s=2.0, call_deadline_s=60.0, instance_budget_s=1.0)
    result: list[InstanceSnapshot] = []
    worker = threading.Thread(target=lambda: result.append(collect_instance(target, options)), daemon=True)
    worker.start()
    worker.join(30)
    assert result, "collection did not end within 30 s"
    kind, message = _status_error(result[0])
    assert kind is ErrorKind.BUDGET_EXCEEDED
    assert message.startswith(f"no complete answer from {url} within the instance budget of 1 s (")


def test_a_huge_content_length_is_refused_before_reading(serve: Callable[[Behaviour], str]) -> None:
    url = serve(_huge_length)
    kind, message = _status_error(_collect(url))
    assert kind is ErrorKind.RESPONSE_TOO_LARGE
    assert message == f"answer from {url} announced 5,368,709,120 bytes, over the cap of 65,536 bytes"


def test_an_endless_chunked_body_meets_the_size_cap(serve: Callable[[Behaviour], str]) -> None:
    url = serve(_endless_chunked)
    kind, message = _status_error(_collect(url))
    assert kind is ErrorKind.RESPONSE_TOO_LARGE
    assert message == f"answer from {url} over the cap of 65,536 bytes"


def test_a_gzip_bomb_meets_the_cap_after_decompression(serve: Callable[[Behaviour], str]) -> None:
    assert len(_BOMB) < CAP  # small on the wire: only the decompressed size can refuse it
    url = serve(_gzip_bomb)
    kind, message = _status_error(_collect(url))
    assert kind is ErrorKind.RESPONSE_TOO_LARGE
    assert message.startswith(f"answer from {url} over the cap of 65,536 bytes once decompressed (")


def _redirect_to(location: str) -> Behaviour:
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/elsewhere"):
            _answer_json(handler)
            return
        handler.send_response(302)
        handler.send_header("Location", location + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return behaviour


def test_a_redirect_to_another_host_is_not_followed(serve: Callable[[Behaviour], str]) -> None:
    asked: list[str] = []
    elsewhere = serve(lambda handler: asked.append(handler.path))
    url = serve(_redirect_to(elsewhere))
    kind, message = _status_error(_collect(url))
    assert kind is ErrorKind.CROSS_HOST_REDIRECT
    assert asked == []
    assert message.startswith(f"HTTP 302: redirect from {url} to another host, {elsewhere}; not followed")


def test_a_redirect_on_the_same_host_is_still_followed(serve: Callable[[Behaviour], str]) -> None:
    holder: list[str] = []
    url = serve(lambda handler: _redirect_to(holder[0] + "/elsewhere")(handler))
    holder.append(url)
    snapshot = _collect(url)
    assert snapshot.status is not None and snapshot.status.state == "RUNNING"
    assert not [e for e in snapshot.errors if e.call == "status"]


def test_check_reports_the_refused_answers_as_findings(
    serve: Callable[[Behaviour], str], tmp_path: Path
) -> None:
    bomb, elsewhere = serve(_gzip_bomb), serve(_answer_json)
    redirect = serve(_redirect_to(elsewhere))
    config = {
        "settings": {"timeout_seconds": 2, "call_deadline_seconds": 2, "response_cap_mb": 0.0625},
        "customers": [
            {
                "name": "acme",
                "instances": [
                    {
                        "name": "bomb",
                        "product": "jira",
                        "deployment": "server",
                        "url": bomb,
                        "auth": {"type": "none"},
                    },
                    {
                        "name": "moved",
                        "product": "jira",
                        "deployment": "server",
                        "url": redirect,
                        "auth": {"type": "none"},
                    },
                ],
            }
        ],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    result = atlas(["check", "--config", str(path), "--format", "json"], timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (1, 2), (result.returncode, result.stderr)
    findings = {f["message"] for f in json.loads(result.stdout)["findings"]}
    assert (
        f"/status could not be read (response too large): answer from {bomb} over the cap of 65,536 bytes "
        "once decompressed (" in "\n".join(findings)
    )
    assert (
        f"/status could not be read (cross host redirect): HTTP 302: redirect from {redirect} to another "
        f"host, {elsewhere}; not followed" in "\n".join(findings)
    )
