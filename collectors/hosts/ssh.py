"""SSH to a customer's host with paramiko: verified host keys, bounded waits, one connection per run.

- Host keys are checked against a known_hosts file (the customer's, or the agent's own). An unknown
  key is refused unless the host is configured for trust on first use; a changed key is always
  refused. Both come back as errors carrying the fingerprint the server presented, for a finding.
- Every wait is bounded: TCP connect and handshake, banner, authentication, each command.
- stdout and stderr are read in one loop as data arrives, so a command that fills one stream while
  the other is unread can never stall the channel window; stdout beyond the cap is dropped.
- A jump host is a second connection whose direct-tcpip channel carries the target's connection.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import select
import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict, Unpack

import paramiko
from paramiko.ssh_exception import NoValidConnectionsError

from collectors.hosts.commands import Command
from collectors.hosts.model import HostError, HostErrorKind
from collectors.hosts.private_key import load_private_key
from collectors.hosts.session import STDERR_CAP, CappedBuffer, RawResult, Sink, one_line
from collectors.hosts.target import HostCollectOptions, SshEndpoint
from collectors.regular_file import MIB, RefusedFile, read_regular_file

_KNOWN_HOSTS_LOCK = threading.Lock()  # trust-on-first-use appends from several hosts at once
_SLICE_S = 0.5
KNOWN_HOSTS_MAX_BYTES = 16 * MIB  # about 50,000 hosts with three keys each
_NO_HANDSHAKE = frozenset({"No existing session", "Negotiation failed."})
log = logging.getLogger(__name__)


class ConnectFailure(Exception):
    """Connecting to a host (or its jump host) failed; ``error`` is the finding-ready record."""

    def __init__(self, error: HostError) -> None:
        super().__init__(error.message)
        self.error = error


class _UnknownHostKey(paramiko.SSHException):
    def __init__(self, name: str, key: paramiko.PKey) -> None:
        super().__init__(f"host key for {name} is not in known_hosts")
        self.key = key


def host_key_name(endpoint: SshEndpoint) -> str:
    """How known_hosts names the endpoint: "host" on port 22, "[host]:port" otherwise."""
    return endpoint.address if endpoint.port == 22 else f"[{endpoint.address}]:{endpoint.port}"


class _Policy(paramiko.MissingHostKeyPolicy):
    """Refuse unknown keys; or, with trust on first use, remember the first key seen in known_hosts."""

    def __init__(self, endpoint: SshEndpoint, known_hosts: Path) -> None:
        self.endpoint = endpoint
        self.known_hosts = known_hosts

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        if not self.endpoint.trust_on_first_use:
            raise _UnknownHostKey(hostname, key)
        line = f"{hostname} {key.get_name()} {key.get_base64()}\n"
        with _KNOWN_HOSTS_LOCK:
            self.known_hosts.parent.mkdir(parents=True, exist_ok=True)
            with self.known_hosts.open("a", encoding="utf-8") as handle:
                handle.write(line)
        client.get_host_keys().add(hostname, key.get_name(), key)


def _known_hosts(endpoint: SshEndpoint) -> tuple[Path, paramiko.HostKeys]:
    """The known host keys, read as paramiko's ``HostKeys.load`` reads them, but through the bounded
    reader: that opens the file itself, and a FIFO there would block the host's collection forever.
    OSError or RefusedFile for a file that cannot be read: reported by the caller."""
    path = endpoint.known_hosts.expanduser()
    keys = paramiko.HostKeys()
    if not path.exists():
        return path, keys
    data = read_regular_file(path, max_bytes=KNOWN_HOSTS_MAX_BYTES, what="known_hosts file")
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            entry = paramiko.hostkeys.HostKeyEntry.from_line(line, number)
        except paramiko.SSHException:
            continue  # as paramiko does: a line it cannot read is no key
        if entry is not None and entry.key is not None:
            for name in entry.hostnames:
                keys.add(name, entry.key.get_name(), entry.key)
    return path, keys


class _KeyFileProblem(Exception):
    """The configured key file could not be opened; the message says why, never with the passphrase."""


def _private_key(endpoint: SshEndpoint) -> paramiko.PKey | None:
    if endpoint.key_file is None:
        return None
    passphrase = endpoint.key_passphrase.encode() if endpoint.key_passphrase is not None else None
    try:
        return load_private_key(endpoint.key_file.expanduser(), passphrase)
    except RefusedFile as exc:  # the key file, or the certificate beside it
        what = "key file" if exc.path == endpoint.key_file.expanduser() else "key's certificate"
        raise _KeyFileProblem(f"the {what} {exc}") from None
    except paramiko.PasswordRequiredException as exc:  # an encrypted key in the old PEM format
        raise _KeyFileProblem(f"the key file {endpoint.key_file} needs a passphrase") from exc
    except TypeError as exc:  # cryptography: an encrypted OpenSSH key and no passphrase
        if passphrase is None and "password" in str(exc).lower():
            raise _KeyFileProblem(f"the key file {endpoint.key_file} needs a passphrase") from exc
        raise
    except (ValueError, paramiko.SSHException) as exc:
        if passphrase is not None:
            raise _KeyFileProblem(
                f"the key file {endpoint.key_file} could not be opened with the configured passphrase "
                "(a wrong passphrase, or not a private key)"
            ) from exc
        raise _KeyFileProblem(f"the key file {endpoint.key_file} is not a private key: {exc}") from exc


class _HostKeyDetails(TypedDict, total=False):
    """What a host key error adds to its HostError."""

    key_type: str
    fingerprint: str
    expected_fingerprint: str
    known_hosts: str


def _error(
    kind: HostErrorKind, message: str, via: SshEndpoint | None, **extra: Unpack[_HostKeyDetails]
) -> HostError:
    prefix = f"jump host {via.display}: " if via is not None else ""
    return HostError(
        call="connect",
        kind=kind,
        message=prefix + one_line(message, 400),
        via=via.display if via else None,
        **extra,
    )


def _classify(
    exc: BaseException, endpoint: SshEndpoint, known: Path, timeout_s: float, via: SshEndpoint | None
) -> HostError:
    where = f"{endpoint.user}@{endpoint.display}"
    if isinstance(exc, _UnknownHostKey):
        key = exc.key
        return _error(
            HostErrorKind.UNKNOWN_HOST_KEY,
            f"{endpoint.display}: host key not in {known} ({key.get_name()} {key.fingerprint}); refused",
            via,
            key_type=key.get_name(),
            fingerprint=key.fingerprint,
            known_hosts=str(known),
        )
    if isinstance(exc, paramiko.BadHostKeyException):
        return _error(
            HostErrorKind.CHANGED_HOST_KEY,
            f"{endpoint.display}: the host key changed ({exc.key.get_name()} {exc.key.fingerprint}; {known} "
            f"holds {exc.expected_key.fingerprint}); refused",
            via,
            key_type=exc.key.get_name(),
            fingerprint=exc.key.fingerprint,
            expected_fingerprint=exc.expected_key.fingerprint,
            known_hosts=str(known),
        )
    if isinstance(exc, _KeyFileProblem):
        return _error(HostErrorKind.KEY_FILE, str(exc), via)
    if isinstance(exc, RefusedFile):  # key files come as _KeyFileProblem: this is the known_hosts file
        return _error(HostErrorKind.KNOWN_HOSTS, f"the known_hosts file {exc}", via)
    if isinstance(exc, paramiko.AuthenticationException):
        return _error(HostErrorKind.AUTH_FAILED, f"{where} refused the key: {exc}", via)
    if isinstance(exc, NoValidConnectionsError):
        refused = all(getattr(e, "errno", None) == errno.ECONNREFUSED for e in exc.errors.values())
        kind = HostErrorKind.CONNECTION_REFUSED if refused else HostErrorKind.UNREACHABLE
        return _error(kind, f"{endpoint.display}: connection refused" if refused else f"{where}: {exc}", via)
    if isinstance(exc, socket.gaierror):
        return _error(HostErrorKind.DNS, f"{endpoint.address}: name not resolved ({exc.strerror})", via)
    if isinstance(exc, TimeoutError | socket.timeout):
        return _error(HostErrorKind.UNREACHABLE, f"{endpoint.display}: no answer within {timeout_s:g} s", via)
    if isinstance(exc, paramiko.SSHException) and "banner" in str(exc).lower():
        return _error(HostErrorKind.BANNER, f"{endpoint.display}: no SSH banner ({exc})", via)
    if isinstance(exc, paramiko.SSHException) and str(exc) in _NO_HANDSHAKE:
        # paramiko stops waiting for the key exchange at the connect timeout and fails later like this
        return _error(
            HostErrorKind.BANNER,
            f"{endpoint.display}: no SSH handshake within {timeout_s:g} s "
            "(not an SSH server, or a firewall or proxy in between)",
            via,
        )
    if isinstance(exc, paramiko.SSHException):
        return _error(HostErrorKind.SSH, f"{where}: {exc}", via)
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.ENOENT) and exc.filename:
        kind = HostErrorKind.KNOWN_HOSTS if str(exc.filename) == str(known) else HostErrorKind.KEY_FILE
        return _error(kind, f"cannot read {exc.filename}: {exc.strerror}", via)
    if isinstance(exc, OSError):
        return _error(HostErrorKind.UNREACHABLE, f"{endpoint.display}: {exc.strerror or exc}", via)
    return _error(HostErrorKind.SSH, f"{where}: {type(exc).__name__}: {exc}", via)


def _open_client(
    endpoint: SshEndpoint, options: HostCollectOptions, sock: paramiko.Channel | None, via: SshEndpoint | None
) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    known = endpoint.known_hosts.expanduser()
    started = time.monotonic()
    try:
        known, keys = _known_hosts(endpoint)
        for name, entry in keys.items():
            for key_type, key in entry.items():
                client.get_host_keys().add(name, key_type, key)
        client.set_missing_host_key_policy(_Policy(endpoint, known))
        pkey = _private_key(endpoint)
        log.debug(
            "connecting to %s@%s%s with %s",
            endpoint.user,
            endpoint.display,
            " (jump host)" if via is not None else (" through the jump host" if sock is not None else ""),
            pkey.get_name() if pkey is not None else ("the SSH agent" if endpoint.use_agent else "no key"),
        )
        client.connect(
            endpoint.address,
            port=endpoint.port,
            username=endpoint.user,
            pkey=pkey,
            allow_agent=endpoint.use_agent,
            look_for_keys=False,  # never the operator's ~/.ssh keys: only what the config names
            timeout=options.connect_timeout_s,
            banner_timeout=options.banner_timeout_s,
            auth_timeout=options.auth_timeout_s,
            channel_timeout=options.connect_timeout_s,
            sock=sock,
        )
    except Exception as exc:
        client.close()
        error = _classify(exc, endpoint, known, options.connect_timeout_s, via)
        log.info(
            "%s@%s: cannot connect (%s): %s", endpoint.user, endpoint.display, error.kind.value, error.message
        )
        raise ConnectFailure(error) from exc
    log.debug(
        "connected to %s@%s in %.0f ms", endpoint.user, endpoint.display, (time.monotonic() - started) * 1000
    )
    transport = client.get_transport()
    if transport is not None and isinstance(transport.sock, socket.socket):
        # many small request/reply exchanges: without this, Nagle and delayed ACKs add 40 ms to each
        transport.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client


class SshConnection:
    """One host's connection for the whole run: commands in sequence, SFTP opened when first needed."""

    def __init__(self, client: paramiko.SSHClient, jump: paramiko.SSHClient | None, login_user: str) -> None:
        self.client = client
        self.jump = jump
        self.login_user: str | None = login_user
        self._sftp: paramiko.SFTPClient | None = None
        self._sftp_failed = False

    def execute(
        self,
        cmd: Command,
        args: Mapping[str, object],
        *,
        as_user: str | None,
        timeout_s: float,
        cap: int,
        sink: Sink | None = None,
    ) -> RawResult:
        line = cmd.line(args, as_user=as_user, timeout_s=timeout_s + 2)
        return self.run_line(line, timeout_s=timeout_s, cap=cap, sink=sink)

    def run_line(self, line: str, *, timeout_s: float, cap: int, sink: Sink | None = None) -> RawResult:
        """Run a line already rendered from the command list (one command, or a batch of them)."""
        transport = self.client.get_transport()
        if transport is None or not transport.is_active():
            raise EOFError("the SSH connection is closed")
        channel = transport.open_session(timeout=timeout_s)
        try:
            channel.exec_command(line)
            return read_channel(channel, timeout_s, cap, sink)
        finally:
            channel.close()

    def sftp(self, timeout_s: float) -> paramiko.SFTPClient | None:
        """The SFTP session, or None when the server has no SFTP subsystem (then: cat over exec)."""
        if self._sftp is None and not self._sftp_failed:
            try:
                self._sftp = self.client.open_sftp()
                channel = self._sftp.get_channel()
                if channel is not None:  # an open SFTP client always has its channel
                    channel.settimeout(timeout_s)
            except (paramiko.SSHException, OSError, EOFError):
                self._sftp_failed = True
        return self._sftp

    def close(self) -> None:
        for closable in (self._sftp, self.client, self.jump):
            if closable is not None:
                with contextlib.suppress(Exception):  # closing is best effort; the run goes on
                    closable.close()


def read_channel(
    channel: paramiko.Channel, timeout_s: float, cap: int, sink: Sink | None = None
) -> RawResult:
    """Read stdout and stderr of a running command together until it exits, times out or hits the cap."""
    deadline = time.monotonic() + timeout_s
    out = CappedBuffer(cap)
    err = CappedBuffer(STDERR_CAP)
    sent = 0

    def drain() -> None:
        nonlocal sent
        while channel.recv_ready():
            data = channel.recv(65536)
            if not data:
                break
            if sink is None:
                out.feed(data)
            else:
                room = cap - sent
                if room > 0:
                    sink(data[:room])
                sent += len(data)
                out.total = sent
        while channel.recv_stderr_ready():
            data = channel.recv_stderr(65536)
            if not data:
                break
            err.feed(data)

    timed_out = truncated = False
    while True:
        drain()
        if out.total > cap:
            truncated = True  # stop reading: closing the channel ends the command on the host
            break
        # The exit status may come before the last of the output: sshd sends it when the command
        # exits, while output that did not fit our window yet is still on its way. Only EOF (or the
        # channel's close) says all of it is here.
        if channel.exit_status_ready() and (channel.eof_received or channel.closed):
            drain()
            truncated = out.total > cap
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        if channel.eof_received:  # output finished; the exit status follows
            if not channel.status_event.wait(min(remaining, _SLICE_S)) and channel.closed:
                break
        else:
            select.select([channel], [], [], min(remaining, _SLICE_S))
    status = channel.recv_exit_status() if channel.exit_status_ready() else None
    return RawResult(
        exit_status=status,
        stdout=out.value() if sink is None else b"",
        stderr=err.value(),
        stdout_total=out.total,
        truncated=truncated,
        timed_out=timed_out,
    )


def connect(
    endpoint: SshEndpoint, options: HostCollectOptions, jump: SshEndpoint | None = None
) -> SshConnection:
    """An authenticated connection (through ``jump`` if given); raises ConnectFailure with the reason."""
    jump_client = None
    sock = None
    if jump is not None:
        jump_client = _open_client(jump, options, None, jump)
        try:
            transport = jump_client.get_transport()
            assert transport is not None
            sock = transport.open_channel(
                "direct-tcpip",
                (endpoint.address, endpoint.port),
                ("127.0.0.1", 0),
                timeout=options.connect_timeout_s,
            )
        except Exception as exc:
            jump_client.close()
            text = str(exc) or type(exc).__name__
            refused = isinstance(exc, paramiko.ChannelException) and exc.code == 2
            kind = HostErrorKind.CONNECTION_REFUSED if refused else HostErrorKind.UNREACHABLE
            raise ConnectFailure(
                _error(kind, f"could not reach {endpoint.display} through it: {text}", jump)
            ) from exc
    try:
        client = _open_client(endpoint, options, sock, None)
    except ConnectFailure:
        if jump_client is not None:
            jump_client.close()
        raise
    return SshConnection(client, jump_client, endpoint.user)
