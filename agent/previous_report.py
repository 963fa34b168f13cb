"""Finding and reading a customer's previous health-check report, for the next report to compare with.

The file is read bounded (``reports.comparison.MAX_PREVIOUS_BYTES``): a regular file only (a FIFO or a
device would block or never end), never more than the limit plus one byte.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from reports.comparison import MAX_PREVIOUS_BYTES, PreviousReport, PreviousReportError, parse_previous
from reports.document import slugify

# ``<customer>-health-check-<YYYYmmddTHHMMZ>.json``, as reports.document.report_filename names them.
_STAMP = re.compile(r"-health-check-(\d{8}T\d{4}Z)\.json$")


def read_previous(path: Path, limit: int = MAX_PREVIOUS_BYTES) -> PreviousReport:
    """The previous report in the JSON file ``path``; raises PreviousReportError (one line)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise PreviousReportError(
            f"{path}: no such file: name the .json report of the previous health check"
        ) from None
    except OSError as exc:
        reason = "is a folder" if exc.errno == errno.EISDIR else (exc.strerror or str(exc)).lower()
        raise PreviousReportError(
            f"{path}: cannot be read ({reason}): name a readable .json report"
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PreviousReportError(
                f"{path}: not a regular file: name the .json report of the previous health check"
            )
        data = _read_up_to(fd, limit + 1)
    except OSError as exc:
        raise PreviousReportError(
            f"{path}: cannot be read ({exc.strerror or exc}): name a readable .json report"
        ) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise PreviousReportError(
            f"{path}: larger than {limit:,} bytes, not a health-check report atlas-health wrote: "
            "name the .json report of the previous health check"
        )
    return parse_previous(data, str(path))


def _read_up_to(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _stamped(folder: Path, customer: str) -> Iterator[tuple[datetime, Path]]:
    prefix = f"{slugify(customer)}-health-check-"
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no folder yet: the customer's first report
        return
    for entry in entries:
        match = _STAMP.search(entry.name)
        if entry.name.startswith(prefix) and match:
            try:
                when = datetime.strptime(match.group(1), "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
            except ValueError:
                continue
            yield when, Path(entry.path)


def find_previous(
    folder: Path, customer: str, before: datetime, *, tries: int = 5
) -> tuple[PreviousReport | None, list[str]]:
    """The newest readable report of ``customer`` in ``folder`` written before ``before`` (its
    file's minute earlier than ``before``'s: a report of the same minute is the one being replaced),
    with the problems of the newer files passed over (at most ``tries`` files are read)."""
    minute = before.astimezone(UTC).replace(second=0, microsecond=0)
    candidates = sorted((c for c in _stamped(folder, customer) if c[0] < minute), reverse=True)
    problems: list[str] = []
    for _, path in candidates[:tries]:
        try:
            previous = read_previous(path)
        except PreviousReportError as exc:
            problems.append(str(exc))
            continue
        if previous.customer != customer:  # two customers whose names make the same folder
            problems.append(f"{path}: a report of customer {previous.customer[:80]!r}, not of {customer!r}")
            continue
        if previous.generated_at >= before:
            problems.append(f"{path}: written {previous.generated_at.isoformat()}, not before this report")
            continue
        return previous, problems
    return None, problems
