"""Finding log files in what the user hands over, and opening them as plain byte streams.

A path may be a log file (plain or gzipped), a folder of logs (one folder per node, or flat), an
Atlassian support zip (application-logs/, tomcat-logs/ ...; a cluster zip may hold each node's zip),
or an atlas-health bundle, whose host logs sit under logs/<customer>/<host>/. Archives are read in
place, member by member, never unpacked to disk (only a compressed node zip inside a cluster zip is
decompressed once, into memory or an unnamed temporary file: open_zips.py), within the limits of
zip_guard.py. Each file gets the node it came from: a support zip's node id from its application
properties, else the zip's name; a folder's sub-folder name. Only regular files are opened: a FIFO
would block for ever, /dev/zero never ends; what is not read is listed with the reason.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from collectors.logs.open_zips import open_archive, open_nested
from collectors.logs.zip_guard import (
    DAMAGED,
    ArchiveLimit,
    Budget,
    DamagedMember,
    Guarded,
    bound,
    open_member,
    screen,
)
from collectors.regular_file import file_kind

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
LISTED_REFUSALS = 20  # members of one zip refused for one reason, listed one by one; then one entry

# An open log: a file or a zip member, either maybe decompressed on the fly.
ByteStream = IO[bytes] | Guarded


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
    refused: str | None = None  # why it is not read at all: a sentence for the report (zip_guard.py)

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
        """The decompressed bytes, within the limits of zip_guard.py. The caller closes it; the zips
        stay open for the next member (open_zips.py)."""
        if self.refused is not None:
            raise DamagedMember(self.refused)
        if self.member is None:
            raw = open(self.path, "rb")  # noqa: SIM115 - returned to the caller
            return _gunzip(raw, self.size) if self.gzipped else raw
        if self.inner is None:
            archive, container = open_archive(self.path)
            stream = open_member(archive, self.member, container)
        else:
            nested, nested_size = open_nested(self.path, self.member)
            stream = open_member(nested, self.inner, nested_size)
        return _gunzip(stream, self.size) if self.gzipped else stream


def _gunzip(stream: IO[bytes] | Guarded, compressed: int) -> Guarded:
    """A gzip's decompressed bytes, within the same limits as a zip member's."""
    return Guarded(gzip.GzipFile(fileobj=stream, mode="rb"), compressed, closing=[stream])


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
            except DAMAGED as exc:
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
        odd = _not_regular(path)
        if odd is not None:  # opening a FIFO waits for a writer for ever; /dev/zero never ends
            raise SourceError(f"{path}: is {odd}, not a file; give a log file, folder or zip")
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


def _not_regular(path: Path) -> str | None:
    """What ``path`` is when neither a folder nor a regular file (a symbolic link is followed)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # reported when it is read
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    return _what(mode)


def _what(mode: int) -> str:
    return file_kind(mode) or "not a regular file"


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
            if not _candidate(filename):
                continue
            rel = path.relative_to(base).parts
            if bundle:  # logs/<customer>/<host>/<folder>/<file>
                node = rel[1] if len(rel) > 2 else root.name
            else:
                node = support[dirpath] or _node_from_parts(rel[:-1]) or _node_of_dir(root)
            try:
                info = path.stat()  # through a symbolic link: a link to /dev/zero is a device
                if not stat.S_ISREG(info.st_mode):  # sockets, devices and pipes are never opened
                    why = f"{_what(info.st_mode)}, not a regular file; not read"
                    yield LogSource(str(path), node, str(path), refused=why)
                    continue
                size = info.st_size
                is_zip = filename.lower().endswith(".zip") and zipfile.is_zipfile(path)
            except OSError as exc:
                yield LogSource(str(path), _node_of_dir(root), str(path), unreadable=exc.strerror or str(exc))
                continue
            if is_zip:
                yield from _zip(path, in_folder=True)
                continue
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


def _zip(path: Path, *, in_folder: bool = False) -> Iterator[LogSource]:
    """The logs in a support zip; one that cannot be read at all is an error when given by name, and
    listed as not read when found in a folder."""
    try:
        archive, container = open_archive(str(path))
        found = _few_refusals(list(_members(archive, path, container)))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        why = f"not a readable zip archive ({exc}); re-download or re-create it"
        if not in_folder:
            raise SourceError(f"{path}: {why}") from None
        found = [LogSource(str(path), _node_of_file(path), str(path), refused=why)]
    yield from found


def _few_refusals(found: list[LogSource]) -> list[LogSource]:
    """The first ``LISTED_REFUSALS`` members refused for one reason, then one entry for the others: a
    zip bomb's thousands of entries make one line of the report, not thousands."""
    alike: dict[str, list[LogSource]] = {}
    kept: list[LogSource] = []
    for source in found:
        if source.refused is None or len(alike.setdefault(source.refused, [])) < LISTED_REFUSALS:
            kept.append(source)
        if source.refused is not None:
            alike[source.refused].append(source)
    for why, sources in alike.items():
        rest = sources[LISTED_REFUSALS:]
        if rest:
            first, last = rest[0], rest[-1]
            more = f"{first.display} and {len(rest) - 1} more members"
            why = f"{why} (the same for {len(rest)} more members, {first.name} to {last.name})"
            kept.append(LogSource(more, first.node, first.path, first.member, first.inner, refused=why))
    return kept


def _members(archive: zipfile.ZipFile, path: Path, container: int) -> Iterator[LogSource]:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    refused = screen(archive, infos)
    budget = Budget()
    usable = [i for i in infos if i.filename not in refused]
    node = _zip_node(archive, usable, container) or _zip_stem(path.name)
    nested = [i for i in infos if i.filename.lower().endswith(".zip")]
    for info in infos:
        if info in nested or not _candidate(info.filename):
            continue
        why = refused.get(info.filename) or budget.take(bound(info, container))
        display = f"{path.name}!{info.filename}"
        yield LogSource(display, node, str(path), info.filename, size=info.compress_size, refused=why)
    for info in nested:  # a cluster support zip holds one zip per node
        display = f"{path.name}!{info.filename}"
        why = refused.get(info.filename)
        if why is None and info.compress_type != zipfile.ZIP_STORED:  # decompressed to be read
            why = budget.take(bound(info, container))
        if why is None:
            try:
                inner, inner_size = open_nested(str(path), info.filename)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                why = _unreadable_node_zip(exc)
            else:
                yield from _node_zip(inner, inner_size, path, info, budget)
                continue
        yield LogSource(display, node, str(path), info.filename, size=info.compress_size, refused=why)


def _node_zip(
    inner: zipfile.ZipFile, inner_size: int, path: Path, outer: zipfile.ZipInfo, budget: Budget
) -> Iterator[LogSource]:
    """The logs in a node's zip held in a cluster zip; zips deeper inside are listed, not read."""
    infos = [i for i in inner.infolist() if not i.is_dir()]
    refused = screen(inner, infos)
    usable = [i for i in infos if i.filename not in refused]
    node = _zip_node(inner, usable, inner_size) or _zip_stem(outer.filename.rsplit("/", 1)[-1])
    for item in infos:
        if item.filename.lower().endswith(".zip"):
            why: str | None = _TOO_DEEP
        elif not _candidate(item.filename):
            continue
        else:
            why = refused.get(item.filename) or budget.take(bound(item, inner_size))
        yield LogSource(
            f"{path.name}!{outer.filename}!{item.filename}",
            node,
            str(path),
            outer.filename,
            item.filename,
            size=item.compress_size,
            refused=why,
        )


_TOO_DEEP = (
    "a zip inside a node's zip inside a zip: only one level of nesting (a cluster zip holding node "
    "zips) is read; extract it and give it"
)


def _unreadable_node_zip(exc: Exception) -> str:
    if isinstance(exc, ArchiveLimit):
        return f"{exc}; the logs in this zip were not read"
    return f"not a readable zip archive ({exc}); the logs in it were not read: re-create it"


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


def _zip_node(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], container: int) -> str | None:
    """The node id an ATST support zip records in its application properties, when it does."""
    for info in infos:
        name = info.filename.lower()
        if _PROPERTIES in name or name.endswith(("application.xml", "application.properties")):
            try:
                with open_member(archive, info.filename, container) as member:
                    text = member.read(2 * 1024 * 1024)
            except (zipfile.BadZipFile, OSError, EOFError):
                return None
            match = _NODE_ID.search(text)
            if match:
                return (match.group(1) or match.group(2)).decode("utf-8", "replace")
    return None


def _zip_stem(name: str) -> str:
    return name[:-4] if name.lower().endswith(".zip") else name
