"""Where a post-incident report goes: every rendered format and the engineer's notes file, written
all or nothing into the output folder; the notes file is created once and never overwritten.

The notes file is named after the report (reports/post_incident_notes.py: notes_filename), so a
rendering of the same investigation finds the engineer's notes and another incident never does."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from agent.files import OutputError
from agent.incident_args import read_notes
from reports.document import Document
from reports.post_incident_notes import notes_filename


def kept_notes(output: Path | None, customer: str, report_id: str, template: str) -> str | None:
    """The engineer's notes beside an earlier render of the report, unless still the bare template.

    Raises ArgumentError when the file there is not a notes file (a folder, a pipe, over 1 MB).
    """
    if output is None:
        return None
    path = output / notes_filename(customer, report_id)
    if not os.path.lexists(path):
        return None
    text = read_notes(path)
    return None if text.strip() == template.strip() else text


def write_all(folder: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write every file or none: each is written to a temporary file beside its place and flushed to
    disk; only when all are written are they renamed into place. A failure leaves no temporary file
    and no new file behind."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {folder}: {exc.strerror or exc}") from None
    for name in files:
        if (folder / name).is_dir():
            raise OutputError(f"cannot write {folder / name}: a folder of that name is in the way")
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            staged.append((Path(temporary), folder / name))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for staging, path in staged:
            os.replace(staging, path)
    except OSError as exc:
        for staging, _ in staged:
            staging.unlink(missing_ok=True)
        raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    return [path for _, path in staged]


def write_report(
    output: Path, documents: Sequence[Document], customer: str, report_id: str, notes_template: str | None
) -> list[Path]:
    """The documents, and the notes file from ``notes_template`` unless one is there already (it holds
    the engineer's sections) or no template is given (the engineer's notes come from --notes)."""
    files: dict[str, str | bytes] = {doc.filename: doc.content for doc in documents}
    notes = output / notes_filename(customer, report_id)
    if notes_template is not None and not os.path.lexists(notes):
        files[notes.name] = notes_template
    return write_all(output, files)
