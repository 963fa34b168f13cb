"""Moving one log file into the bundle: streamed, decompressed, redacted line by line, capped.

Nothing is held whole in memory: bytes arrive in chunks (SFTP reads, the output of `tail -c +N`
over exec, or a local file), gzip is undone as they come, complete lines are redacted in blocks and
written; at most ``cap`` bytes are written.

Running every redaction rule over every line of a 200 MB log takes minutes. So a block is first
scanned for the words any rule needs (``TRIGGERS``: a password rule needs "pass", a URL with a user
needs "@", a JWT "eyJ", ...) and for long base64 runs; only the lines holding one go through the
Redactor, the others are copied as they are. ``TRIGGERS`` must stay a superset of what the rules in
collectors/redaction.py can match: tests/collectors/hosts/test_log_redaction.py checks every rule.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from collectors.hosts.model import HostErrorKind
from collectors.hosts.session import HostSession
from collectors.redaction import Redactor, secret_encodings

if TYPE_CHECKING:
    import paramiko

CHUNK = 256 * 1024
_BLOCK = 1024 * 1024  # scan this much at a time

# Lower-case words at least one of which every redaction rule's match contains (see the docstring).
TRIGGERS = (
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "auth",
    "bearer",
    "basic",
    "eyj",
    "aaa",
    "@",
    "sig",
    "session",
    "jwt",
    "cookie",
    "seraph",
    "remember",
    "_atl_",
)
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{160}")


class LineFilter:
    """Redacts only the lines of a block that a redaction rule or a known secret could touch."""

    def __init__(self, redactor: Redactor, known_secrets: Iterable[str] = ()) -> None:
        words = {w.encode() for w in TRIGGERS}
        for secret in known_secrets:
            if secret:
                words |= {v.lower().encode() for v in secret_encodings(secret)}
        self._words = re.compile(b"|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
        self._redactor = redactor

    def block(self, data: bytes) -> bytes:
        """``data`` (whole lines) with every line that needs it redacted; bytes.lower() keeps offsets."""
        starts = {m.start() for m in self._words.finditer(data.lower())}
        starts |= {m.start() for m in _BASE64_RUN.finditer(data)}
        if not starts:
            return data
        out: list[bytes] = []
        done = 0
        for position in sorted(starts):
            if position < done:
                continue  # already inside a redacted line
            begin = data.rfind(b"\n", 0, position) + 1
            end = data.find(b"\n", position)
            end = len(data) if end < 0 else end
            out.append(data[done:begin])
            out.append(self._redactor.text(data[begin:end].decode("utf-8", "replace")).encode("utf-8"))
            done = end
        out.append(data[done:])
        return b"".join(out)


Failure = tuple[HostErrorKind, str]


class CapReached(Exception):
    """The writer is full; the reader stops."""


class RedactingWriter:
    """Writes redacted, complete lines to ``path``; the first ``skip_partial`` line is dropped."""

    def __init__(self, path: Path, cap: int, lines: LineFilter, *, gzip: bool, skip_partial: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")
        self.cap = cap
        self.written = 0
        self.full = False
        self.received = 0  # bytes received from the source (compressed, for gzip)
        self._lines = lines
        self._pending = b""
        self._skipping = skip_partial
        self._inflate = zlib.decompressobj(wbits=47) if gzip else None  # 47: gzip or zlib header

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        if self.full:
            raise CapReached
        if self._inflate is not None:
            data = self._inflate.decompress(data)
            while self._inflate.eof and self._inflate.unused_data:  # concatenated gzip members
                rest = self._inflate.unused_data
                self._inflate = zlib.decompressobj(wbits=47)
                data += self._inflate.decompress(rest)
        if self._skipping:
            newline = data.find(b"\n")
            if newline < 0:
                return
            data, self._skipping = data[newline + 1 :], False
        self._pending += data
        if len(self._pending) >= _BLOCK:
            cut = self._pending.rfind(b"\n") + 1
            if cut > 0:
                self._write(self._pending[:cut])
                self._pending = self._pending[cut:]

    def _write(self, block: bytes) -> None:
        text = self._lines.block(block)
        room = self.cap - self.written
        if len(text) > room:
            text = text[: text.rfind(b"\n", 0, room) + 1] if room > 0 else b""
            self.full = True
        self._file.write(text)
        self.written += len(text)
        if self.full:
            raise CapReached

    def close(self) -> None:
        try:
            if self._pending and not self.full:
                self._write(self._pending)
        except CapReached:
            pass
        finally:
            self._file.close()


class LogSource(Protocol):
    method: str

    def read(self, path: str, start: int, length: int, sink: Callable[[bytes], None]) -> Failure | None:
        """Feed ``length`` bytes of ``path`` from ``start`` to ``sink``; a failure, or None."""
        ...


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def _copy(handle: _Readable, length: int, sink: Callable[[bytes], None]) -> None:
    """Stream `length` bytes from the current position to the sink (which may raise CapReached)."""
    left = length
    while left > 0:
        data = handle.read(min(CHUNK, left))
        if not data:
            break
        left -= len(data)
        sink(data)


class LocalSource:
    method = "local"

    def read(self, path: str, start: int, length: int, sink: Callable[[bytes], None]) -> Failure | None:
        try:
            with open(path, "rb") as handle:
                handle.seek(start)
                _copy(handle, length, sink)
        except CapReached:
            return None
        except PermissionError as exc:
            return HostErrorKind.PERMISSION_DENIED, f"{path}: {exc.strerror}"
        except FileNotFoundError:
            return HostErrorKind.NOT_FOUND, f"{path}: gone (rotated away?)"
        except OSError as exc:
            return HostErrorKind.COMMAND_FAILED, f"{path}: {exc.strerror or exc}"
        return None


class SftpSource:
    method = "sftp"

    def __init__(self, sftp: paramiko.SFTPClient) -> None:
        self.sftp = sftp

    def read(self, path: str, start: int, length: int, sink: Callable[[bytes], None]) -> Failure | None:
        try:
            with self.sftp.open(path, "rb") as handle:
                handle.seek(start)
                handle.prefetch(start + length)  # prefetch takes the end offset, not a byte count
                _copy(handle, length, sink)
        except CapReached:
            return None
        except PermissionError as exc:
            return HostErrorKind.PERMISSION_DENIED, f"{path}: {exc.strerror or 'permission denied'}"
        except FileNotFoundError:
            return HostErrorKind.NOT_FOUND, f"{path}: gone (rotated away?)"
        except TimeoutError:
            return HostErrorKind.COMMAND_TIMEOUT, f"{path}: SFTP read timed out"
        except (OSError, EOFError) as exc:
            return HostErrorKind.COMMAND_FAILED, f"{path}: SFTP: {exc}"
        return None


class ExecSource:
    """`tail -c +N -- FILE` through the shell: for servers without SFTP, or to read as the sudo user."""

    method = "exec"

    def __init__(self, session: HostSession, as_user: str | None) -> None:
        self.session = session
        self.as_user = as_user

    def read(self, path: str, start: int, length: int, sink: Callable[[bytes], None]) -> Failure | None:
        stopped = False

        def guarded(data: bytes) -> None:
            nonlocal stopped
            if stopped:
                return
            try:
                sink(data)
            except CapReached:
                stopped = True

        # a slow link gets time in proportion to the size, at an assumed 256 KB/s at the least
        timeout = self.session.options.command_timeout_s + length / 256_000
        result = self.session.run(
            "logs",
            "read_log",
            start=start + 1,
            path=path,
            as_user=self.as_user,
            cap=max(length, 1),
            sink=guarded,
            quiet=True,
            timeout_s=timeout,
        )
        if result is None:
            return self.session.last_failure or (HostErrorKind.COMMAND_FAILED, f"{path}: not read")
        return None
