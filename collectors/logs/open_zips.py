"""The zips open in this process, kept open for their next member: a support zip's directory is read
once, not once for each of its logs, and a zip inside a zip (a node's support zip in a cluster zip) is
decompressed once.

zipfile reads a zip's directory by seeking to its end and back; inside a compressed member, every
backward seek starts decompressing again from the member's first byte. Opened in place, a nested zip
was decompressed several times for its directory and again for each member opened (a 300 KB member
expanding to 100 MB took 18 s, a larger one minutes), and its directory was parsed again for each
member (quadratic in its members). Here a stored nested zip is read as a window onto the file on disk,
and a compressed one is decompressed once, within the archive limits of zip_guard.py, into a spooled
temporary file (in memory up to ``IN_MEMORY_BYTES``, then an unnamed file the system deletes).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
import zipfile
from collections import OrderedDict
from typing import IO, Any

from collectors.logs.zip_guard import READ_STEP, open_member

# A spool larger than this goes to an unnamed temporary file: kept spools cost each process (and each
# worker) at most KEPT x 16 MiB of memory.
IN_MEMORY_BYTES = 16 * 2**20
KEPT = 8  # archives kept open per process
# process (a forked worker opens its own) and thread (analyses in threads keep theirs), zip path,
# member, mtime, size
_Key = tuple[int, int, str, str | None, int, int]
_kept: OrderedDict[_Key, tuple[zipfile.ZipFile, int, list[Any]]] = OrderedDict()


class _Window(io.RawIOBase):
    """Bytes ``start`` to ``start + length`` of an open file, as a seekable file of their own."""

    def __init__(self, handle: IO[bytes], start: int, length: int) -> None:
        super().__init__()
        self._handle, self._start, self._length, self._pos = handle, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._length}[whence]
        if base + offset < 0:
            raise OSError("seek before the start of a nested zip")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), max(0, self._length - self._pos))
        self._handle.seek(self._start + self._pos)
        data = self._handle.read(want)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
        super().close()


def open_archive(path: str) -> tuple[zipfile.ZipFile, int]:
    """The zip file at ``path``, open, and its size. The caller does not close it."""
    on_disk = os.stat(path)
    key = (*_mine(), path, None, on_disk.st_mtime_ns, on_disk.st_size)
    if key not in _kept:
        archive = zipfile.ZipFile(path)
        _keep(key, (archive, on_disk.st_size, [archive]))
    _kept.move_to_end(key)
    return _kept[key][0], _kept[key][1]


def open_nested(path: str, member: str) -> tuple[zipfile.ZipFile, int]:
    """The zip that ``member`` of the zip file at ``path`` is, open, and its size. The caller does not
    close it. Raises zipfile.BadZipFile (an ArchiveLimit among them) or OSError when it cannot be read."""
    archive, container = open_archive(path)
    on_disk = os.stat(path)
    key = (*_mine(), path, member, on_disk.st_mtime_ns, on_disk.st_size)
    if key not in _kept:
        info = archive.getinfo(member)
        holder: IO[bytes] | _Window
        if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1:
            holder = _stored(path, info, container)
        else:
            holder = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - kept
            try:
                with open_member(archive, member, container) as stream:
                    shutil.copyfileobj(stream, holder, READ_STEP)
            except BaseException:
                holder.close()
                raise
        try:
            nested = zipfile.ZipFile(holder)
        except BaseException:
            holder.close()
            raise
        _keep(key, (nested, holder.seek(0, os.SEEK_END), [nested, holder]))
    _kept.move_to_end(key)
    return _kept[key][0], _kept[key][1]


def close_all() -> None:
    """Close the zips this thread kept open: at the end of an analysis, so that a long-lived process
    holds no file handle or spool of a customer's archive."""
    for key in [k for k in _kept if k[:2] == _mine()]:
        _close(_kept.pop(key))


def _mine() -> tuple[int, int]:
    return os.getpid(), threading.get_ident()


def _keep(key: _Key, entry: tuple[zipfile.ZipFile, int, list[Any]]) -> None:
    _kept[key] = entry
    while len(_kept) > KEPT:
        _close(_kept.popitem(last=False)[1])


def _close(entry: tuple[zipfile.ZipFile, int, list[Any]]) -> None:
    for thing in entry[2]:
        thing.close()


def _stored(path: str, info: zipfile.ZipInfo, container: int) -> _Window:
    """A window onto a stored member's data: its local header says where they start."""
    handle = open(path, "rb")  # noqa: SIM115 - the window closes it
    try:
        handle.seek(info.header_offset)
        head = handle.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("its local header is missing or damaged")
        start = (
            info.header_offset
            + 30
            + int.from_bytes(head[26:28], "little")
            + int.from_bytes(head[28:30], "little")
        )
        length = max(0, min(info.compress_size, container - start))
    except BaseException:
        handle.close()
        raise
    return _Window(handle, start, length)
