"""Moving one log file into the bundle: streamed, decompressed, redacted line by line, capped.

Nothing is held whole in memory: bytes arrive in chunks (SFTP reads, the output of `tail -c +N`
over exec, or a local file), gzip is undone as they come, complete lines are redacted in blocks and
written; at most ``cap`` bytes are written.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from collectors.hosts.model import HostErrorKind
from collectors.hosts.session import HostSession
from collectors.redaction import Redactor

CHUNK = 256 * 1024
_BLOCK = 1024 * 1024  # redact this much text at a time: the patterns run faster on blocks than on lines

Failure = tuple[HostErrorKind, str]


class CapReached(Exception):
    """The writer is full; the reader stops."""


class RedactingWriter:
    """Writes redacted, complete lines to ``path``; the first ``skip_partial`` line is dropped."""

    def __init__(self, path: Path, cap: int, redactor: Redactor, *, gzip: bool, skip_partial: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")
        self.cap = cap
        self.written = 0
        self.full = False
        self.received = 0  # bytes received from the source (compressed, for gzip)
        self._redactor = redactor
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
        text = self._redactor.text(block.decode("utf-8", "replace")).encode("utf-8")
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


class LocalSource:
    method = "local"

    def read(self, path: str, start: int, length: int, sink: Callable[[bytes], None]) -> Failure | None:
        try:
            with open(path, "rb") as handle:
                handle.seek(start)
                left = length
                while left > 0:
                    data = handle.read(min(CHUNK, left))
                    if not data:
                        break
                    left -= len(data)
                    sink(data)
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

    def __init__(self, sftp: object) -> None:
        self.sftp = sftp

    def read(self, path: str, start: int, length: int, sink: Callable[[bytes], None]) -> Failure | None:
        try:
            with self.sftp.open(path, "rb") as handle:  # type: ignore[attr-defined]
                handle.seek(start)
                handle.prefetch(length)
                left = length
                while left > 0:
                    data = handle.read(min(CHUNK, left))
                    if not data:
                        break
                    left -= len(data)
                    sink(data)
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

        # a slow link gets time in proportion to the size, at an assumed 1 MB/s at the least
        timeout = self.session.options.command_timeout_s + length / 1_000_000
        result = self.session.run(
            "logs", "read_log", start=start + 1, path=path, as_user=self.as_user, cap=max(length, 1),
            sink=guarded, quiet=True, timeout_s=timeout,
        )
        if result is None:
            return self.session.last_failure or (HostErrorKind.COMMAND_FAILED, f"{path}: not read")
        return None
