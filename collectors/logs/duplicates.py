"""The same log given twice: read once, the second listed with a note, never counted twice.

Two sources are one file when they are the same place on disk (the same path given twice, a folder and
a file inside it, a symbolic or hard link: the device and inode of the file, or of the zip and the
member's name), or when they hold the same bytes (a support zip and the folder it was extracted to, a
gzipped copy beside the plain one). The same bytes are told by a fingerprint that costs almost nothing:
the first ``HEAD_BYTES`` of the decompressed text, which recognising the file reads anyway, and only when
two heads agree, the size and the last ``TAIL_BYTES`` (a seek for a plain file; a zip member or a gzip
is read through once, which happens only for what is almost surely a copy).

A file shorter than its head is its own fingerprint. Short files may well be alike on two nodes (a
``catalina.out`` holding one start-up line), so below ``DISTINCT_NODES_MIN_BYTES`` only files of the same
node are taken for copies; longer ones hold too many timestamped lines to be alike by chance, whatever
node their folder or zip was named after (a support zip names its node by its id, the folder it was
extracted to by the folder's name). Logs that overlap without being identical (a rotated file and a
copy taken before the rotation) are not caught here.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from dataclasses import dataclass

from collectors.logs.sources import LogSource

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 64 * 1024
DISTINCT_NODES_MIN_BYTES = 4096
_READ = 1024 * 1024

Place = tuple[int, int, str | None, str | None]  # device, inode, zip member, member of a nested zip
Identity = tuple[int, bytes]  # decompressed size, digest of the last TAIL_BYTES


@dataclass(frozen=True)
class Copy:
    """A source found to be one already seen: which, and how it was told."""

    earlier: LogSource
    same_place: bool  # True: the same file on disk; False: a copy with the same bytes

    def note(self) -> str:
        how = "the same file as" if self.same_place else "the same content as"
        return f"{how} {self.earlier.display} (node {self.earlier.node}): read once, not counted twice"


class Duplicates:
    """The sources seen so far in one analysis, to tell a copy from a new file."""

    def __init__(self) -> None:
        self._places: dict[Place, LogSource] = {}
        self._heads: dict[tuple[int, bytes], list[LogSource]] = {}
        self._identities: dict[LogSource, Identity | None] = {}

    def same_place(self, source: LogSource) -> Copy | None:
        """The source seen before at the same place on disk, if any; else remember this one."""
        place = _place(source)
        if place is None:
            return None
        earlier = self._places.setdefault(place, source)
        return None if earlier is source else Copy(earlier, True)

    def same_content(self, source: LogSource, head: bytes) -> Copy | None:
        """The source seen before with the same bytes, if any; else remember this one. ``head`` is the
        first ``HEAD_BYTES`` of its decompressed text (all of it when shorter)."""
        if not head:
            return None  # an empty file: nothing to count twice
        key = (len(head), hashlib.blake2b(head, digest_size=16).digest())
        whole = len(head) < HEAD_BYTES
        alike = self._heads.setdefault(key, [])
        for earlier in alike:
            if earlier.node != source.node and len(head) < DISTINCT_NODES_MIN_BYTES:
                continue
            if whole:
                return Copy(earlier, False)
            mine = self._identity(source)
            if mine is not None and mine == self._identity(earlier):
                return Copy(earlier, False)
        alike.append(source)
        return None

    def _identity(self, source: LogSource) -> Identity | None:
        if source not in self._identities:
            self._identities[source] = _identity(source)
        return self._identities[source]


def _place(source: LogSource) -> Place | None:
    try:
        info = os.stat(source.path)
    except OSError:
        return None
    return info.st_dev, info.st_ino, source.member, source.inner


def _identity(source: LogSource) -> Identity | None:
    """The decompressed size and a digest of the last ``TAIL_BYTES``; None when it cannot be read whole."""
    try:
        if source.seekable:
            with open(source.path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                handle.seek(max(0, size - TAIL_BYTES))
                tail = handle.read(TAIL_BYTES)
        else:
            size, tail = 0, b""
            with source.open() as stream:
                while block := stream.read(_READ):
                    size += len(block)
                    tail = (tail + block)[-TAIL_BYTES:]
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
        return None
    return size, hashlib.blake2b(tail, digest_size=16).digest()
