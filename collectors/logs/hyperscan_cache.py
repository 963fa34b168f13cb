"""Compiled Hyperscan databases kept on disk, so that a run does not compile the same patterns again.

Compiling the knowledge base's patterns takes about a tenth of a second per file kind, which is most of
what ``analyze`` spends before it reads a byte. A compiled database is saved, serialised, under the
user's cache folder (``$XDG_CACHE_HOME/atlas-health/hyperscan``, else ``~/.cache/...``), named by a hash
of everything that decides it: the Hyperscan version, the machine, and the patterns, ids and flags. A
file that cannot be read back (damaged, or built for another CPU) is compiled again; a cache folder
that cannot be written (read-only, full) only means compiling every time. Files are written whole
(a temporary file, then a rename) and only the most recently used few are kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
KEEP = 8  # databases kept; custom signature files make new ones


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "atlas-health" / "hyperscan"


def cached_database(
    hyperscan: Any,
    expressions: list[bytes],
    ids: list[int],
    flags: list[int],
    compile_database: Callable[[], Any],
) -> Any:
    """The database of these patterns: read from the cache, or ``compile_database()`` and saved."""
    key = hashlib.sha256(
        json.dumps(
            [
                getattr(hyperscan, "__version__", "?"),
                platform.machine(),
                [e.decode("latin-1") for e in expressions],
                ids,
                flags,
            ]
        ).encode()
    ).hexdigest()
    path = cache_dir() / f"{key}.db"
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is not None:
        try:
            db = hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
            db.scratch = hyperscan.Scratch(db)
            os.utime(path)  # recently used: kept when the folder is pruned
            return db
        except Exception as exc:  # hyperscan errors: damaged, or built for another platform
            log.debug("compiling again: cached Hyperscan database %s unusable (%s)", path, exc)
    db = compile_database()
    _save(path, hyperscan.dumpb(db))
    return db


def _save(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
        old = sorted(path.parent.glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
        for stale in old:
            stale.unlink(missing_ok=True)
    except OSError as exc:  # read-only or full: the cache is only a shortcut
        log.debug("Hyperscan database not cached in %s: %s", path.parent, exc)
