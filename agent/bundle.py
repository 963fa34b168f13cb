"""Snapshot bundles: collect on site, analyse later, with the same findings as the live run.

A bundle is a folder: the snapshot, the check settings the run used (thresholds and disabled
checks, never secrets), the hosts' log files under ``logs/`` (redacted as they were fetched) and a
manifest with the checksum of each file, so a damaged or edited bundle is refused with a clear
message instead of producing quietly different findings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from agent.files import OutputError, replace_directory
from checks.runner import CheckSettings
from collectors.model import SNAPSHOT_SCHEMA_VERSION, Snapshot
from collectors.regular_file import MIB, RefusedFile, open_regular_file, read_regular_file

FORMAT = "atlas-health-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
SNAPSHOT = "snapshot.json"
SETTINGS = "check-settings.json"
LOGS = "logs"  # host log files, laid out as the snapshot's LogFile.bundle_path says
# Every file a bundle names must be a regular file inside it (a FIFO would block the read, /dev/zero
# never end it). The JSON files are read whole, so they have limits far above what `collect` writes:
MANIFEST_MAX_BYTES = 16 * MIB  # about 100 bytes per file: 150,000 host logs
SNAPSHOT_MAX_BYTES = 512 * MIB  # logs are files beside it; the snapshot holds facts and thread dumps
SETTINGS_MAX_BYTES = 16 * MIB  # thresholds and disabled checks
_READ_WHOLE = {SNAPSHOT: SNAPSHOT_MAX_BYTES, SETTINGS: SETTINGS_MAX_BYTES}
log = logging.getLogger(__name__)


class BundleError(Exception):
    """The folder is not a readable bundle; the message says why and what to do."""


@dataclass(frozen=True)
class Bundle:
    snapshot: Snapshot
    settings: CheckSettings
    manifest: dict


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    """A large file's checksum, read in chunks (logs are never held whole). RefusedFile for a path
    that is not a regular file."""
    digest = hashlib.sha256()
    with os.fdopen(open_regular_file(path), "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _attachments(spool: Path | None) -> dict[str, Path]:
    """Bundle name -> spooled file, for the log files the host collectors fetched into ``spool``."""
    if spool is None or not spool.is_dir():
        return {}
    return {f"{LOGS}/{p.relative_to(spool).as_posix()}": p for p in sorted(spool.rglob("*")) if p.is_file()}


def write_bundle(
    directory: Path, snapshot: Snapshot, settings: CheckSettings, tool_version: str, logs: Path | None = None
) -> None:
    """Write the bundle; the files under ``logs`` (a log spool) are moved into it, not copied."""
    started = time.perf_counter()
    if directory.exists() and (
        not directory.is_dir() or (any(directory.iterdir()) and not (directory / MANIFEST).is_file())
    ):
        raise OutputError(f"{directory} exists and is not an atlas-health bundle; choose another folder")
    files = {
        SNAPSHOT: snapshot.model_dump_json(indent=1).encode(),
        SETTINGS: settings.model_dump_json(indent=1).encode(),
    }
    checksums = {name: _sha256(data) for name, data in files.items()}
    manifest = {
        "format": FORMAT,
        "bundle_version": BUNDLE_VERSION,
        "snapshot_schema_version": SNAPSHOT_SCHEMA_VERSION,
        "tool_version": tool_version,
        "created_at": datetime.now(UTC).isoformat(),
        "files": checksums,
    }
    attached = _attachments(logs)

    def fill(staging: Path) -> None:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        for name, source in attached.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, staging / name)
            checksums[name] = _file_sha256(staging / name)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")

    replace_directory(directory, fill)
    log.info(
        "bundle %s written in %.1f s: %d file(s), %d of them host logs",
        directory,
        time.perf_counter() - started,
        len(files) + len(attached) + 1,  # and the manifest
        len(attached),
    )


def _check_inside(directory: Path, name: object) -> None:
    """A manifest names files inside the bundle: relative, without "..", so an edited manifest cannot
    make the checksum read /dev/zero or another folder's files."""
    parts = PurePosixPath(name).parts if isinstance(name, str) else ()
    if not parts or PurePosixPath(str(name)).is_absolute() or ".." in parts:
        raise BundleError(
            f"{directory / MANIFEST} names {str(name)[:200]!r}, which is not a file inside the bundle: "
            "the bundle is damaged or was edited"
        )


def read_bundle(directory: Path) -> Bundle:
    if not directory.is_dir():
        raise BundleError(f"{directory} is not a folder; give the folder `atlas-health collect -o` wrote")
    try:
        text = read_regular_file(directory / MANIFEST, max_bytes=MANIFEST_MAX_BYTES, what="bundle manifest")
        manifest = json.loads(text.decode("utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{directory} is not an atlas-health bundle (no {MANIFEST})") from None
    except RefusedFile as exc:
        raise BundleError(f"{exc.path} {exc.fact}: give the folder `atlas-health collect -o` wrote") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{directory / MANIFEST} is unreadable: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{directory / MANIFEST} is not an atlas-health bundle manifest")
    if manifest.get("bundle_version") != BUNDLE_VERSION:
        writer = manifest.get("tool_version")
        raise BundleError(
            f"{directory} is bundle version {manifest.get('bundle_version')}; this atlas-health reads "
            f"version {BUNDLE_VERSION}: analyse it with the version that wrote it ({writer})"
        )
    files = manifest.get("files") or {}
    if not isinstance(files, dict):
        raise BundleError(f"{directory / MANIFEST} is not an atlas-health bundle manifest (no file list)")
    contents: dict[str, bytes] = {}
    for name, digest in files.items():
        _check_inside(directory, name)
        data = None
        try:
            if name in _READ_WHOLE:
                data = read_regular_file(
                    directory / name, max_bytes=_READ_WHOLE[name], what=f"bundle's {name}"
                )
                actual = _sha256(data)
            else:  # host log files: checked in chunks, not loaded
                actual = _file_sha256(directory / name)
        except RefusedFile as exc:
            raise BundleError(f"{exc.path} {exc.fact}: the bundle is damaged or was edited") from None
        except OSError as exc:
            raise BundleError(f"{directory / name} cannot be read: {exc.strerror or exc}") from None
        if actual != digest:
            raise BundleError(
                f"{directory / name} does not match its checksum: the bundle is damaged or was edited"
            )
        if data is not None:
            contents[name] = data
    log.debug("bundle %s: %d file(s) match their checksums", directory, len(files))
    if SNAPSHOT not in contents or SETTINGS not in contents:
        raise BundleError(f"{directory} is incomplete: the manifest lists no {SNAPSHOT} or {SETTINGS}")
    try:
        snapshot = Snapshot.model_validate_json(contents[SNAPSHOT])
        settings = CheckSettings.model_validate_json(contents[SETTINGS])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BundleError(f"{directory} holds an invalid snapshot ({where}: {first['msg']})") from None
    return Bundle(snapshot=snapshot, settings=settings, manifest=manifest)
