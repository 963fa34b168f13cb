"""Finding log files in what the user hands over, and opening them as plain byte streams.

A path may be a log file (plain or gzipped), a folder of logs (one folder per node, or flat), an
Atlassian support zip (application-logs/, tomcat-logs/ ...; a cluster zip may hold each node's zip),
or an atlas-health bundle, whose host logs sit under logs/<customer>/<host>/. Archives are read in
place, member by member, never unpacked to disk. Each file gets the node it came from: a support
zip's node id from its application properties, else the zip's name; a folder's sub-folder name.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# Folders that hold logs rather than name a node.
_LOG_FOLDERS = frozenset(
    {
        "log",
        "logs",
        "application-logs",
        "tomcat-logs",
        "tomcat-access-logs",
        "atlassian",
        "jira",
        "confluence",
        "bitbucket",
        "bamboo",
        "crowd",
        "apache-tomcat",
    }
)
# Files in a support zip or a folder that are not logs and not worth reporting as unrecognised.
_NOT_LOGS = frozenset(
    {
        ".xml",
        ".json",
        ".properties",
        ".yaml",
        ".yml",
        ".cfg",
        ".conf",
        ".policy",
        ".html",
        ".md",
        ".jar",
        ".class",
        ".png",
        ".jpg",
        ".hprof",
        ".jfr",
        ".tdump",
        ".pid",
        ".lock",
        ".sh",
        ".bat",
        ".csv",
    }
)
_NODE_ID = re.compile(
    rb"<(?:[\w.-]*node[._-]?id|nodeId)>\s*([^<\s]{1,80})\s*<"
    rb"|[\"']?node[ ._-]?id[\"']?\s*[:=]\s*[\"']?([\w.-]{1,80})",
    re.I,
)
BUNDLE_MANIFEST = "manifest.json"
_PROPERTIES = "application-properties"  # a support zip's folder of the application's properties
MAX_FILES = 20_000  # a folder with more files than this is not a log folder (say, "/" by mistake)

# An open log: a file or a zip member, either maybe decompressed on the fly.
ByteStream = IO[bytes] | gzip.GzipFile


class SourceError(Exception):
    """A path the user gave that cannot be read at all (missing, not a zip, no permission)."""


@dataclass(frozen=True)
class LogSource:
    display: str  # "node1.zip!application-logs/atlassian-jira.log.1.gz"
    node: str
    path: str  # the file on disk: the log itself, or the zip holding it
    member: str | None = None  # the member inside the zip
    inner: str | None = None  # the member of a node zip that is itself a member of ``path``
    size: int = 0  # bytes on disk (compressed when gzipped or zipped)
    unreadable: str | None = None  # why the file could not even be looked at (permissions)

    @property
    def name(self) -> str:
        return (self.inner or self.member or self.path).rsplit("/", 1)[-1]

    @property
    def gzipped(self) -> bool:
        return self.name.endswith(".gz")

    @property
    def seekable(self) -> bool:
        """Only plain files on disk can be split into byte ranges for parallel reading."""
        return self.member is None and not self.gzipped

    def open(self) -> ByteStream:
        """The decompressed bytes. The caller closes it; closing closes the archives too."""
        if self.member is None:
            raw = open(self.path, "rb")  # noqa: SIM115 - returned to the caller
            return gzip.GzipFile(fileobj=raw, mode="rb") if self.gzipped else raw
        archive = zipfile.ZipFile(self.path)
        stream = archive.open(self.member)
        if self.inner is not None:
            nested = zipfile.ZipFile(stream)
            stream = nested.open(self.inner)
        return gzip.GzipFile(fileobj=stream, mode="rb") if self.gzipped else stream


class SalvagingReader:
    """Reads a compressed stream in small steps, so that when it turns out damaged or cut short,
    everything before the damage is still delivered; the error is raised on the next read."""

    STEP = 256 * 1024

    def __init__(self, stream: ByteStream) -> None:
        self._stream = stream
        self._error: Exception | None = None

    def read(self, size: int) -> bytes:
        if self._error is not None:
            raise self._error
        parts: list[bytes] = []
        got = 0
        while got < size:
            try:
                piece = self._stream.read(min(self.STEP, size - got))
            except (EOFError, zlib.error, zipfile.BadZipFile) as exc:
                self._error = exc
                break
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        if not parts and self._error is not None:
            raise self._error
        return b"".join(parts)

    def __enter__(self) -> SalvagingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()


def discover(paths: list[Path]) -> list[LogSource]:
    """Every candidate log file under the given paths, in a stable order."""
    found: list[LogSource] = []
    for path in paths:
        if not path.exists():
            raise SourceError(f"{path}: no such file or folder")
        if path.is_dir():
            inside = list(_folder(path))
            if not inside and not is_bundle(path):
                raise SourceError(
                    f"{path}: no log files in this folder (looked for application, access, GC and catalina "
                    "logs, gzipped or not, and support zips)"
                )
            found.extend(inside)
        elif zipfile.is_zipfile(path):
            found.extend(_zip(path))
        else:
            found.append(LogSource(str(path), _node_of_file(path), str(path), size=path.stat().st_size))
    return found


def is_bundle(path: Path) -> bool:
    return path.is_dir() and (path / BUNDLE_MANIFEST).is_file()


def _candidate(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    if not base or base.startswith("."):
        return False
    stem = base[:-3] if base.endswith(".gz") else base
    return os.path.splitext(stem)[1].lower() not in _NOT_LOGS


def _folder(root: Path) -> Iterator[LogSource]:
    bundle = is_bundle(root)
    base = root / "logs" if bundle else root
    seen = 0
    support: dict[str, str | None] = {}  # folder -> the node id of the extracted support zip holding it
    for dirpath, dirnames, filenames in os.walk(base):  # symbolic links to folders are not followed
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        extracted = _PROPERTIES in dirnames and not bundle  # an extracted support zip
        own = _properties_node(Path(dirpath) / _PROPERTIES) if extracted else None
        support[dirpath] = own or support.get(os.path.dirname(dirpath))
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            seen += 1
            if seen > MAX_FILES:
                raise SourceError(
                    f"{root}: more than {MAX_FILES} files under it; give the folders that hold the logs, "
                    "the log files or the support zips"
                )
            try:
                if not _candidate(filename):
                    continue
                info = path.stat()
                if not stat.S_ISREG(info.st_mode):
                    continue  # sockets, devices and pipes are never read
                size = info.st_size
                is_zip = filename.lower().endswith(".zip") and zipfile.is_zipfile(path)
            except OSError as exc:
                yield LogSource(str(path), _node_of_dir(root), str(path), unreadable=exc.strerror or str(exc))
                continue
            rel = path.relative_to(base).parts
            if is_zip:
                yield from _zip(path)
                continue
            if bundle:  # logs/<customer>/<host>/<folder>/<file>
                node = rel[1] if len(rel) > 2 else root.name
            else:
                node = support[dirpath] or _node_from_parts(rel[:-1]) or _node_of_dir(root)
            yield LogSource(str(path), node, str(path), size=size)


def _node_from_parts(parts: tuple[str, ...]) -> str | None:
    for part in parts:
        if part.lower() not in _LOG_FOLDERS:
            return part
    return None


def _node_of_dir(path: Path) -> str:
    for part in reversed(path.resolve().parts):
        if part.lower() not in _LOG_FOLDERS and part != "/":
            return part
    return "node"


def _node_of_file(path: Path) -> str:
    return _node_of_dir(path.parent)


def _zip(path: Path) -> Iterator[LogSource]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            node = _zip_node(archive, infos) or _zip_stem(path.name)
            nested = [i for i in infos if i.filename.lower().endswith(".zip")]
            for info in infos:
                if info in nested or not _candidate(info.filename):
                    continue
                yield LogSource(
                    f"{path.name}!{info.filename}", node, str(path), info.filename, size=info.compress_size
                )
            for info in nested:  # a cluster support zip holds one zip per node
                with archive.open(info) as raw, zipfile.ZipFile(raw) as inner:
                    inner_infos = [i for i in inner.infolist() if not i.is_dir()]
                    inner_node = _zip_node(inner, inner_infos) or _zip_stem(info.filename.rsplit("/", 1)[-1])
                    for item in inner_infos:
                        if _candidate(item.filename) and not item.filename.lower().endswith(".zip"):
                            yield LogSource(
                                f"{path.name}!{info.filename}!{item.filename}",
                                inner_node,
                                str(path),
                                info.filename,
                                item.filename,
                                size=item.compress_size,
                            )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(
            f"{path}: not a readable zip archive ({exc}); re-download or re-create it"
        ) from None


def _properties_node(folder: Path) -> str | None:
    """The node id in the application properties of an extracted support zip, when they record one."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        if name.lower().endswith((".xml", ".properties", ".txt")):
            try:
                with open(folder / name, "rb") as handle:
                    match = _NODE_ID.search(handle.read(2 * 1024 * 1024))
            except OSError:
                continue
            if match:
                return (match.group(1) or match.group(2)).decode("utf-8", "replace")
    return None


def _zip_node(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    """The node id an ATST support zip records in its application properties, when it does."""
    for info in infos:
        name = info.filename.lower()
        if _PROPERTIES in name or name.endswith(("application.xml", "application.properties")):
            try:
                with archive.open(info) as member:
                    text = member.read(2 * 1024 * 1024)
            except (zipfile.BadZipFile, OSError, EOFError):
                return None
            match = _NODE_ID.search(text)
            if match:
                return (match.group(1) or match.group(2)).decode("utf-8", "replace")
    return None


def _zip_stem(name: str) -> str:
    return name[:-4] if name.lower().endswith(".zip") else name
