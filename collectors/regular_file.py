"""Reading a file the user named (a secret, a key, a configuration, a manifest) safely: only a regular
file, and only up to a size limit.

A FIFO would block the open (or the read) forever, /dev/zero reads without end and a huge file fills
the memory; each is refused with one line saying what the path is and what to do. The path is
checked before it is opened, so a device is never opened at all, and the open descriptor is checked
again, so a path swapped between the two is caught too. The content never appears in a message.

Here, under collectors/, because collectors import nothing of ours and everything else may import them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


class RefusedFile(Exception):
    """The path is not a regular file, or is larger than its limit. ``fact`` says so without the path
    ("is a FIFO (named pipe), not a regular file"), ``problem`` adds what to do, for callers that name
    the path their own way; ``str()`` is "PATH PROBLEM"."""

    def __init__(self, path: Path, fact: str, hint: str) -> None:
        self.path = path
        self.fact = fact
        self.problem = f"{fact}; {hint}"
        super().__init__(f"{path} {self.problem}")


def describe_size(size: int) -> str:
    """A size as a person reads it: 900 bytes, 64 KiB, 12.5 GiB."""
    if size < KIB:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _refuse_unless_regular(path: Path, mode: int) -> None:
    kind = file_kind(mode)
    if kind is not None:
        raise RefusedFile(path, f"is {kind}, not a regular file", "name a regular file instead")


def _too_large(path: Path, size: int, max_bytes: int, what: str) -> RefusedFile:
    # Near the limit, rounded sizes would read alike ("4.0 MiB; at most 4 MiB"): exact bytes then.
    actual = describe_size(size) if size >= 10 * max_bytes else f"{size:,} bytes"
    limit = describe_size(max_bytes)
    return RefusedFile(path, f"is {actual}; a {what} is at most {limit}", "is it the right file?")


def check_regular_file(path: Path, *, max_bytes: int | None = None, what: str = "file") -> int:
    """The size of ``path`` if it is a regular file within ``max_bytes``; RefusedFile otherwise,
    OSError when it cannot be looked at (missing, no permission). Does not open it."""
    info = os.stat(path)
    _refuse_unless_regular(path, info.st_mode)
    if max_bytes is not None and info.st_size > max_bytes:
        raise _too_large(path, info.st_size, max_bytes, what)
    return info.st_size


def open_regular_file(path: Path) -> int:
    """A read-only descriptor of ``path``, checked to be a regular file (RefusedFile otherwise);
    the caller closes it. For files read in chunks without a size limit (a bundle's host logs)."""
    check_regular_file(path)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        _refuse_unless_regular(path, os.fstat(fd).st_mode)  # the path may have changed since the check
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_file(path: Path, *, max_bytes: int, what: str) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``max_bytes``.

    ``what`` names the file in the size message ("a password file is at most 64 KiB"). Raises
    RefusedFile for a file that is not regular or too large, OSError when it cannot be read.
    """
    check_regular_file(path, max_bytes=max_bytes, what=what)
    fd = open_regular_file(path)
    try:
        with os.fdopen(fd, "rb", closefd=False) as handle:
            size = os.fstat(fd).st_size
            if size > max_bytes:
                raise _too_large(path, size, max_bytes, what)
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while we read it
        raise _too_large(path, len(data), max_bytes, what)
    return data
