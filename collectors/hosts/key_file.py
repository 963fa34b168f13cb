"""Reading an SSH private key file: a regular file of at most 1 MiB. The largest keys OpenSSH makes
(RSA 16384 bits) are about 13 KiB; far beyond that it is no key. Apart from private_key.py (which
loads paramiko) so the configuration can check a key file without loading the SSH stack."""

from __future__ import annotations

from pathlib import Path

from collectors.regular_file import MIB, read_regular_file

KEY_FILE_MAX_BYTES = 1 * MIB


def read_key_file(path: Path) -> bytes:
    """The key file's bytes: RefusedFile (not a regular file, or too large) or OSError otherwise."""
    return read_regular_file(path, max_bytes=KEY_FILE_MAX_BYTES, what="key file")
