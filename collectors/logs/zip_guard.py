"""Limits on what a zip archive may make the log reader decompress, so that a hostile or broken archive
costs bounded memory and time, and each member it holds back is listed with the reason, never fatal.

- Members zipfile cannot decompress (encrypted, Deflate64, Implode, bzip2 ...) are refused before
  they are opened; a member whose compressed data turns out corrupt is read up to the damage.
- Members whose data overlap another's (David Fifield's "better zip bomb": thousands of central
  directory entries sharing one compressed kernel) are refused, all of them.
- While a member is read, its decompressed bytes are counted: past ``RATIO_FLOOR_BYTES``, no member
  may give more than ``MAX_RATIO`` times its compressed size, and none more than ``MAX_MEMBER_BYTES``
  or than its header declares. Reading stops at the limit; what was read before it is analysed.
- Per archive, the most each member can give (the least of those bounds) is summed over the members
  to read; members past ``MAX_ARCHIVE_BYTES`` in all are refused. Counting enforces each bound, so the
  sum bounds what the archive gives, whatever its headers say.
"""

from __future__ import annotations

import gzip
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import IO, Any

# Real support zips hold logs that deflate 10-20:1; a log of equal lines without timestamps reaches
# deflate's ceiling, ~1030:1, but only in its first megabytes: every real log carries timestamps, and
# a few megabytes of it say what it holds. So a ratio over 200:1 is refused only past 8 MiB, which
# costs a bomb's reader 8 MiB per member at most, while a log that is truly that repetitive is still
# read for its first max(8 MiB, 200 x its compressed size).
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 8 * 2**20
# One log as large as this is far beyond any support zip's (ATST cuts each file at 25 MB by default; an
# uncut catalina.out of a few GB is the largest seen). Reading 8 GiB takes minutes, not hours.
MAX_MEMBER_BYTES = 8 * 2**30
# A cluster zip of a dozen nodes with uncut logs stays below this; past it, a run would take hours.
MAX_ARCHIVE_BYTES = 32 * 2**30
# Each read asks for at most this much: deflate gives at most what is asked for.
READ_STEP = 256 * 1024
# LZMA decompresses each compressed block whole (zipfile gives it no output limit): 4 KiB at a time,
# the least zipfile reads, gives at most ~30 MB even at LZMA's ~7000:1 ceiling.
LZMA_STEP = 4096

_NAMES = {
    1: "Shrink",
    6: "Implode",
    9: "Deflate64",
    10: "PKWARE DCL Implode",
    12: "bzip2",
    18: "IBM TERSE",
    19: "IBM LZ77",
    93: "Zstandard",
    95: "XZ",
    97: "WavPack",
    98: "PPMd",
    99: "AES",
}
# bzip2 is left out although zipfile reads it: it decompresses a compressed block whole, and a few
# hundred bytes of bzip2 can give gigabytes, more than any memory limit, before a byte can be counted.
_READABLE = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA})
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name length, extra field length
_LOCAL_SIGNATURE = b"PK\x03\x04"
_EXTRACT = "extract it with unzip and give the folder"


# What a damaged or cut-short compressed stream raises. BadGzipFile is an OSError, so without it a
# file that only looks gzipped would be reported as a permission problem.
DAMAGED: tuple[type[Exception], ...] = (EOFError, zlib.error, zipfile.BadZipFile, gzip.BadGzipFile)


class ArchiveLimit(zipfile.BadZipFile):
    """A limit reached while decompressing; what was read before it stands. Its message is a sentence
    saying which limit, for the report."""


class DamagedMember(zipfile.BadZipFile):
    """A member's compressed data turned out corrupt while it was read."""


def size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why zipfile cannot (or must not) decompress this member, or None."""
    if info.flag_bits & 0x1:
        return f"encrypted zip member; not read (zip it again without a password, or {_EXTRACT})"
    method = info.compress_type
    if method not in _READABLE:
        name = _NAMES.get(method)
        called = f"{name} ({method})" if name else str(method)
        return f"compression method {called} is not supported; {_EXTRACT}"
    return None


def bound(info: zipfile.ZipInfo, container_size: int) -> int:
    """The most bytes reading this member can give: its declared size, the member limit and the ratio
    limit, the last against what it can really hold (its compressed size may claim more than the
    archive has). A gzipped member is decompressed again, within the same limits."""
    compressed = min(info.compress_size, container_size)
    most = min(info.file_size, _most(compressed))
    return _most(most) if info.filename.endswith(".gz") else most


def _most(compressed: int) -> int:
    return min(MAX_MEMBER_BYTES, max(RATIO_FLOOR_BYTES, MAX_RATIO * compressed))


def screen(archive: zipfile.ZipFile, infos: Iterable[zipfile.ZipInfo]) -> dict[str, str]:
    """Member name -> why it will not be read: methods zipfile cannot read, and overlapping data."""
    infos = list(infos)
    refused = {i.filename: why for i in infos if (why := member_problem(i)) is not None}
    refused.update(_overlaps(archive, infos))
    return refused


def _overlaps(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """The members whose local header and data overlap another member's, from their local headers."""
    fp = archive.fp
    if fp is None:
        return {}
    spans: list[tuple[int, int, str]] = []
    damaged: dict[str, str] = {}
    for info in infos:
        fp.seek(info.header_offset)
        head = fp.read(_LOCAL_HEADER.size)
        if len(head) < _LOCAL_HEADER.size or head[:4] != _LOCAL_SIGNATURE:
            damaged[info.filename] = f"its local header is missing or damaged; not read ({_EXTRACT})"
            continue
        _, name_length, extra_length = _LOCAL_HEADER.unpack(head)
        end = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
        spans.append((info.header_offset, end, info.filename))
    spans.sort()
    shared: set[str] = set()
    reach, owner = -1, ""  # the furthest end so far, and whose it is
    for start, end, name in spans:
        if start < reach:
            shared |= {name, owner}
        if end > reach:
            reach, owner = end, name
    if shared:
        why = (
            f"its data overlaps another member's, as {len(shared)} members of this archive do: the layout "
            "of a zip bomb; none of them read"
        )
        damaged.update(dict.fromkeys(shared, why))
    return damaged


class Budget:
    """What one archive may still give, in all, to the members chosen to be read."""

    def __init__(self) -> None:
        self.left = MAX_ARCHIVE_BYTES

    def take(self, amount: int) -> str | None:
        """None when ``amount`` more fits; else why this member is not read."""
        if amount > self.left:
            return (
                f"the archive's members to read expand to more than {size(MAX_ARCHIVE_BYTES)} in all "
                "(the limit for one archive); not read: extract it and give the folders you need"
            )
        self.left -= amount
        return None


class Guarded(io.BufferedIOBase):
    """A decompressing stream whose output is counted, stopped at its limits, and whose decompression
    errors say the data are damaged. Closing it closes what it was built on."""

    def __init__(
        self,
        stream: IO[bytes] | Any,
        compressed: int,
        *,
        declared: int | None = None,
        step: int = READ_STEP,
        closing: Iterable[Any] = (),
    ) -> None:
        super().__init__()
        self._stream = stream
        self._compressed = compressed
        self._declared = declared
        self._step = step
        self._closing = list(closing)
        ratio = max(RATIO_FLOOR_BYTES, MAX_RATIO * compressed)
        self._limit = min(ratio, MAX_MEMBER_BYTES, ratio if declared is None else declared)
        self._given = 0
        self._stop: Exception | None = None

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1, /) -> bytes:
        if n is None or n < 0:
            return b"".join(iter(lambda: self.read(READ_STEP), b""))
        if self._stop is not None:
            raise self._stop
        parts: list[bytes] = []
        got = 0
        # read1 decompresses one input block at a time, so a stream cut short gives every byte before
        # the cut; read(n) would lose what it had decompressed of the last n when the cut shows
        read = getattr(self._stream, "read1", self._stream.read)
        while got < n:
            try:
                piece = read(min(self._step, n - got))
            except lzma.LZMAError as exc:
                if not parts:
                    raise DamagedMember(f"corrupt LZMA data ({exc})") from None
                self._stop = DamagedMember(f"corrupt LZMA data ({exc})")
                break
            except DAMAGED as exc:
                if not parts:
                    raise
                self._stop = exc  # the bytes before it first; the error on the next read
                break
            if not piece:
                break
            piece = self._count(piece)
            parts.append(piece)
            got += len(piece)
            if self._stop is not None:
                break
        if not got and self._stop is not None:
            raise self._stop
        return b"".join(parts)

    def read1(self, n: int = -1, /) -> bytes:
        return self.read(n)

    def _count(self, piece: bytes) -> bytes:
        """The part of ``piece`` within the limits; past them, the reason is kept for the next read."""
        if self._given + len(piece) > self._limit:
            piece = piece[: max(0, self._limit - self._given)]
            self._stop = self._why()
        self._given += len(piece)
        return piece

    def _why(self) -> zipfile.BadZipFile:
        if self._limit == self._declared:
            return DamagedMember(f"it holds more than the {self._declared} bytes its zip header declares")
        if self._limit == MAX_MEMBER_BYTES:
            return ArchiveLimit(
                f"it expands to more than {size(MAX_MEMBER_BYTES)} (the limit for one archive member); "
                "reading stopped there"
            )
        return ArchiveLimit(
            f"it expands to more than {MAX_RATIO} times its compressed size of {size(self._compressed)}, "
            f"as a zip bomb does; reading stopped at {size(self._limit)}"
        )

    def close(self) -> None:
        if not self.closed:
            try:
                self._stream.close()
                for thing in self._closing:
                    thing.close()
            finally:
                super().close()


def open_member(archive: zipfile.ZipFile, name: str, container_size: int) -> Guarded:
    """A member of ``archive`` (held in ``container_size`` bytes), read within the limits."""
    info = archive.getinfo(name)
    why = member_problem(info)
    if why is not None:  # screened at discovery; here only when the archive changed since
        raise DamagedMember(why)
    compressed = min(info.compress_size, container_size)
    step = LZMA_STEP if info.compress_type == zipfile.ZIP_LZMA else READ_STEP
    stream = archive.open(info)
    return Guarded(stream, compressed, declared=info.file_size, step=step)
