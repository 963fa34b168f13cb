"""Host collection over SSH against a real OpenSSH sshd on 127.0.0.1 (key auth, known_hosts checked).

Each failure a customer's network or host can produce gives its own error (and, through the checks,
its own finding) and the rest of the run goes on.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

import paramiko
import pytest

from atlas_health.testing.instances import NOW
from checks.registry import load_registry
from checks.runner import run_checks
from collectors.hosts.collect import collect_host, collect_hosts
from collectors.hosts.model import HostErrorKind
from collectors.hosts.ssh import connect, read_channel
from collectors.model import Snapshot
from tests.collectors.hosts.helpers import FAST, endpoint, target
from tests.collectors.hosts.sshd import Sshd, keygen, public_line, write_known_hosts

pytestmark = pytest.mark.server


def test_a_known_host_is_collected(server, keys, known_hosts, install):
    snapshot = collect_host(target("node1", endpoint(server, keys["client"], known_hosts), install), FAST)
    assert snapshot.connected and snapshot.method == "ssh"
    assert snapshot.errors == [], snapshot.errors
    assert snapshot.os is not None and snapshot.os.kernel == os.uname().release
    assert snapshot.memory is not None and snapshot.memory.total > 0
    assert snapshot.cpu is not None and snapshot.cpu.logical_cpus == os.cpu_count()
    home = next(p for p in snapshot.product_paths if p.role == "home")
    assert home.mount is not None
    assert any("home" in fs.roles for fs in snapshot.filesystems)
    assert snapshot.clock is not None and abs(snapshot.clock.offset_s) < 5  # the same machine's clock
    assert {c.call for c in snapshot.commands} >= {"os", "machine", "filesystems", "jvms", "clock"}
    assert all(
        c.command.startswith(
            (
                "uname",
                "cat",
                "getconf",
                "date",
                "stat",
                "ps",
                "dmesg",
                "find",
                "ls",
                "readlink",
                "journalctl",
                "grep",
                "timeout -k 5 ",
                "LC_ALL=C ",
            )
        )
        for c in snapshot.commands
    ), [c.command for c in snapshot.commands]


def test_an_unknown_host_key_is_refused_with_its_fingerprint(server, keys, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    snapshot = collect_host(target("node1", endpoint(server, keys["client"], empty)), FAST)
    assert not snapshot.connected
    assert snapshot.commands == []  # nothing ran on a host whose identity was not verified
    [error] = snapshot.errors
    assert error.kind is HostErrorKind.UNKNOWN_HOST_KEY
    assert error.fingerprint == server.fingerprint()
    assert error.key_type == "ssh-ed25519"
    assert error.known_hosts == str(empty)
    assert empty.read_text() == ""  # and nothing was added to it


def test_trust_on_first_use_records_the_key_and_then_verifies_it(server, keys, tmp_path):
    known = tmp_path / "fresh" / "known_hosts"
    tofu = endpoint(server, keys["client"], known, trust_on_first_use=True)
    first = collect_host(target("node1", tofu), FAST)
    assert first.connected and first.errors == []
    assert known.read_text().split() == server.known_hosts_line().split()
    again = collect_host(target("node1", replace(tofu, trust_on_first_use=False)), FAST)
    assert again.connected and again.errors == []


def test_a_changed_host_key_is_refused_even_with_trust_on_first_use(server, keys, tmp_path):
    other = keygen(tmp_path / "other_host_key")
    key_type, key_b64 = public_line(other).split()[:2]
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{server.port} {key_type} {key_b64}\n")
    snapshot = collect_host(
        target("node1", endpoint(server, keys["client"], known, trust_on_first_use=True)), FAST
    )
    [error] = snapshot.errors
    assert error.kind is HostErrorKind.CHANGED_HOST_KEY
    assert error.fingerprint == server.fingerprint()
    assert error.expected_fingerprint == paramiko.PKey.from_path(other).fingerprint
    assert error.message.startswith(f"127.0.0.1:{server.port}: the host key changed (ssh-ed25519 ")
    assert error.message.endswith("); refused")
    assert snapshot.commands == []


def test_a_key_the_host_does_not_accept_is_an_auth_failure(server, keys, known_hosts):
    snapshot = collect_host(target("node1", endpoint(server, keys["stranger"], known_hosts)), FAST)
    [error] = snapshot.errors
    assert error.kind is HostErrorKind.AUTH_FAILED
    assert f"{server.user}@127.0.0.1:{server.port}" in error.message


def test_a_closed_port_is_refused():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    snapshot = collect_host(target("node1", endpoint_for_port(port)), FAST)
    [error] = snapshot.errors
    assert (error.kind, error.message) == (
        HostErrorKind.CONNECTION_REFUSED,
        f"127.0.0.1:{port}: connection refused",
    )


def test_a_host_that_accepts_but_never_speaks_ssh_is_a_banner_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        options = replace(FAST, connect_timeout_s=1.0, banner_timeout_s=1.0)
        snapshot = collect_host(target("node1", endpoint_for_port(listener.getsockname()[1])), options)
    finally:
        for sock in [*accepted, listener]:
            sock.close()
    [error] = snapshot.errors
    assert error.kind is HostErrorKind.BANNER, error
    assert not snapshot.connected


def endpoint_for_port(port: int):
    from collectors.hosts.target import SshEndpoint

    return SshEndpoint(
        "127.0.0.1", port, "root", key_file=None, use_agent=False, known_hosts=Path("/nonexistent")
    )


def test_a_command_that_hangs_times_out_and_the_rest_is_still_collected(server, keys, known_hosts, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.mkfifo(home / "dbconfig.xml")  # cat blocks on a FIFO with no writer: a hung NFS read, in effect
    from collectors.hosts.target import ProductDirs

    subject = target(
        "node1",
        endpoint(server, keys["client"], known_hosts),
        product="jira",
        dirs=ProductDirs(home=str(home)),
    )
    snapshot = collect_host(subject, replace(FAST, command_timeout_s=1.0))
    timeouts = [e for e in snapshot.errors if e.kind is HostErrorKind.COMMAND_TIMEOUT]
    assert [(e.call, e.message) for e in timeouts] == [
        ("config_files", f"{home}/dbconfig.xml: read_files: no answer within 1 s")
    ]
    record = next(c for c in snapshot.commands if c.call == "config_files")
    assert record.exit_status == 124  # ended on the host by its timeout wrapper, and the batch went on
    assert record.command.startswith("timeout -k 5 1 grep -a -H '' -- ")
    assert snapshot.memory is not None and snapshot.logs is not None  # the steps after it ran


def test_ten_megabytes_on_stdout_and_five_on_stderr_do_not_deadlock(server, keys, known_hosts):
    connection = connect(endpoint(server, keys["client"], known_hosts), FAST)
    try:
        # not a collector command: the channel reader itself is under test, with both streams full
        channel = connection.client.get_transport().open_session()
        channel.exec_command("head -c 10485760 /dev/zero; head -c 5242880 /dev/zero >&2; exit 3")
        result = read_channel(channel, timeout_s=60, cap=16 * 1024 * 1024)
    finally:
        connection.close()
    assert (result.exit_status, result.stdout_total, len(result.stdout)) == (3, 10485760, 10485760)
    assert not result.truncated and not result.timed_out
    assert len(result.stderr) == 64 * 1024  # stderr is kept to its own cap, and was read to the end


def test_output_still_behind_the_window_when_the_command_exits_is_read_to_the_end(server, keys, known_hosts):
    # A slow reader (the log writer redacts as it goes) lets the SSH window fill: the command exits
    # and sshd sends its exit status while megabytes of output still wait behind the window.
    connection = connect(endpoint(server, keys["client"], known_hosts), FAST)
    received = []

    def slow_sink(data: bytes) -> None:
        if not received:
            time.sleep(1.0)  # long enough for the command to exit with its output in sshd's hands
        received.append(len(data))

    try:
        channel = connection.client.get_transport().open_session()
        channel.exec_command("head -c 8388608 /dev/zero")
        result = read_channel(channel, timeout_s=60, cap=16 * 1024 * 1024, sink=slow_sink)
    finally:
        connection.close()
    assert (result.exit_status, sum(received)) == (0, 8388608)
    assert not result.truncated and not result.timed_out


def test_output_beyond_the_cap_is_cut_and_said(server, keys, known_hosts):
    connection = connect(endpoint(server, keys["client"], known_hosts), FAST)
    try:
        channel = connection.client.get_transport().open_session()
        channel.exec_command("head -c 10485760 /dev/zero")
        result = read_channel(channel, timeout_s=60, cap=1024 * 1024)
    finally:
        connection.close()
    assert result.truncated and len(result.stdout) == 1024 * 1024 and result.stdout_total > 1024 * 1024


def test_a_host_behind_a_jump_host(tmp_path, keys, server):
    with Sshd(tmp_path / "target-sshd", keys["client"]) as inner:
        known = write_known_hosts(tmp_path / "known_hosts", server, inner)
        jump = endpoint(server, keys["client"], known)
        subject = target("inner", endpoint(inner, keys["client"], known), jump=jump)
        snapshot = collect_host(subject, FAST)
        assert snapshot.connected and snapshot.errors == []
        assert snapshot.address == f"127.0.0.1:{inner.port}"
        assert snapshot.memory is not None

        # the target's key is checked too, on the connection tunnelled through the jump host
        only_jump = write_known_hosts(tmp_path / "only_jump", server)
        refused = collect_host(
            target(
                "inner",
                endpoint(inner, keys["client"], only_jump),
                jump=endpoint(server, keys["client"], only_jump),
            ),
            FAST,
        )
        [error] = refused.errors
        assert (error.kind, error.via, error.fingerprint) == (
            HostErrorKind.UNKNOWN_HOST_KEY,
            None,
            inner.fingerprint(),
        )


def test_a_jump_host_that_cannot_reach_the_target(server, keys, known_hosts):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    subject = target("inner", endpoint_for_port(closed), jump=endpoint(server, keys["client"], known_hosts))
    [error] = collect_host(subject, FAST).errors
    assert error.kind is HostErrorKind.CONNECTION_REFUSED
    assert error.via == f"127.0.0.1:{server.port}"
    assert error.message.startswith(f"jump host 127.0.0.1:{server.port}: could not reach 127.0.0.1:{closed}")


def test_failing_hosts_give_their_findings_and_the_others_are_collected(server, keys, known_hosts, tmp_path):
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    good = target("good", endpoint(server, keys["client"], known_hosts))
    hosts = [
        good,
        target("stranger", endpoint(server, keys["stranger"], known_hosts)),
        target("unverified", endpoint(server, keys["client"], empty)),
        target("down", endpoint_for_port(1)),  # port 1 on loopback: nothing listens there
    ]
    snapshots = collect_hosts(hosts, FAST)
    assert [s.name for s in snapshots] == ["good", "stranger", "unverified", "down"]
    assert snapshots[0].connected and snapshots[0].memory is not None
    snapshot = Snapshot(tool_version="test", started_at=NOW, finished_at=NOW, hosts=snapshots)
    analysis = run_checks(snapshot, load_registry())
    connection = {f.target: f for f in analysis.findings if f.check == "host.connection"}
    assert connection["good"].severity == "ok"
    assert connection["stranger"].title == "SSH login refused"
    assert connection["unverified"].title == "Host key not known: connection refused"
    assert connection["down"].title == "Host not reachable over SSH"
    memory = [f for f in analysis.findings if f.check == "host.memory.pressure"]
    assert [f.target for f in memory] == ["good"]


def test_the_connection_and_each_command_are_logged(server, keys, known_hosts, tmp_path, caplog):
    home = tmp_path / "home"
    home.mkdir()
    os.mkfifo(home / "dbconfig.xml")  # a read that hangs: the command times out on the host
    from collectors.hosts.target import ProductDirs

    subject = target(
        "node1",
        endpoint(server, keys["client"], known_hosts),
        product="jira",
        dirs=ProductDirs(home=str(home)),
    )
    caplog.set_level(logging.DEBUG, logger="collectors")
    snapshot = collect_host(subject, replace(FAST, command_timeout_s=1.0))
    assert snapshot.connected
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("DEBUG", f"connecting to {server.user}@127.0.0.1:{server.port} with ssh-ed25519") in lines
    assert any(level == "DEBUG" and re.fullmatch(r"acme/node1: os: `.+` exit 0 after \d+ ms, \d+ bytes out", text)
               for level, text in lines)  # fmt: skip
    warnings = [text for level, text in lines if level == "WARNING"]
    assert len(warnings) == 1 and re.fullmatch(
        r"acme/node1: config_files: `timeout -k 5 1 grep .*dbconfig\.xml'?` timed out, exit 124 after \d+ ms, "
        r"0 bytes out",
        warnings[0],
    ), warnings
    assert ("INFO", f"acme/node1: config_files failed (command_timeout): {home}/dbconfig.xml: read_files: "
            "no answer within 1 s") in lines  # fmt: skip
    assert any(level == "INFO" and re.fullmatch(r"acme/node1: collected over ssh in [\d.]+ s: \d+ command\(s\), "
               r"1 error\(s\)", text) for level, text in lines)  # fmt: skip


def test_the_key_passphrase_is_never_logged(server, keys, known_hosts, caplog):
    passphrase = "pass-phrase-4711"
    caplog.set_level(logging.DEBUG)
    collect_host(
        target("node1", endpoint(server, keys["client"], known_hosts, key_passphrase=passphrase)), FAST
    )
    assert any(r.name == "collectors.hosts.ssh" for r in caplog.records)
    assert passphrase not in caplog.text
