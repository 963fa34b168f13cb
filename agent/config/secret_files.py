"""Reading a file that holds one secret (a password, a token, a key passphrase): a regular file of at
most 64 KiB. The largest real secrets (a JWT, a long API token) are a few KiB; a bigger file is not
the secret, and a FIFO or a device would block or read without end (collectors/regular_file.py)."""

from __future__ import annotations

from pathlib import Path

from collectors.regular_file import KIB, read_regular_file

SECRET_MAX_BYTES = 64 * KIB


def read_secret_file(path: Path) -> str:
    """The file's UTF-8 text as written (the caller strips it). Raises RefusedFile for a file that is
    not regular or too large, OSError when it cannot be read, UnicodeDecodeError when not UTF-8;
    none of their messages quote the content."""
    return read_regular_file(path, max_bytes=SECRET_MAX_BYTES, what="secret file").decode("utf-8")
