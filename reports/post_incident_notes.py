"""The engineer's notes file: its template, reading it safely, and its sections by their headings.

The notes are Markdown the engineer writes beside the report (``--notes FILE``). Its ``## `` headings
name the sections; the four the report knows are recognised whatever their wording ("What went well",
"Things that went well", "What didn't go well", "Resolution"); any other section is kept under its own
heading. HTML comments are hints of the template and are dropped, so an unfilled template gives empty
sections. The text is kept as written; the report escapes it when it shows it.
"""

from __future__ import annotations

import re
from pathlib import Path

from checks.incident.model import Incident
from collectors.regular_file import RefusedFile, read_regular_file
from reports.document import slugify
from reports.post_incident_model import IncidentNotes, NoteSection

NOTES_MAX_BYTES = 256 * 1024  # far beyond any notes a person writes; a bigger file is not notes
PREAMBLE_TITLE = "Notes"  # the heading of text written before the first section

KNOWN_SECTIONS: tuple[tuple[str, str, str], ...] = (
    # field, heading of the template, hint of the template
    (
        "what_went_well",
        "What went well",
        "What helped: alerts that fired, runbooks that worked, who was there.",
    ),
    ("what_went_badly", "What went badly", "What slowed detection or recovery, or made it worse."),
    ("where_we_got_lucky", "Where we got lucky", "What went right by chance, and would not next time."),
    ("resolution", "Resolution", "What ended the incident: what was done, by whom, and when."),
)

# Headings are matched on their words (lower case, letters and digits only), the first rule that
# matches wins: "badly" before "well", so "What didn't go well" is not taken for "What went well".
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "what_went_badly",
        re.compile(
            r"\b(badly|wrong|poorly|worse)\b|\b(didn t|didnt|did not|not) go(ne)? well\b|\bgone better\b"
            r"|\bto improve\b|\bimprovements?\b"
        ),
    ),
    ("what_went_well", re.compile(r"\b(went|go|goes|gone) (well|right)\b|\bwhat worked\b")),
    ("where_we_got_lucky", re.compile(r"\bluck(y|ily)?\b")),
    ("resolution", re.compile(r"\bresol(ution|ved|ving|ve)\b|\bhow (it|we) (was |were |got )?fixed\b")),
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SECTION = re.compile(r"^ {0,3}##(?:[ \t](.*))?$")
_TITLE = re.compile(r"^ {0,3}#(?:[ \t]+.*)?$")
_WORDS = re.compile(r"[^a-z0-9]+")


def read_notes(path: Path) -> str:
    """The notes file's text: a regular file (a FIFO or a device is refused without blocking) of at
    most NOTES_MAX_BYTES. Raises ValueError with a one-line message when it cannot be used."""
    try:
        data = read_regular_file(Path(path), max_bytes=NOTES_MAX_BYTES, what="notes file")
    except FileNotFoundError:
        raise ValueError(f"notes file {path} does not exist") from None
    except RefusedFile as exc:
        raise ValueError(f"notes file {exc}") from None
    except OSError as exc:
        raise ValueError(f"notes file {path} cannot be read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"notes file {path} is not UTF-8 text (byte {exc.start})") from None


def section_field(heading: str) -> str | None:
    """The IncidentNotes field a ``## `` heading names, or None for a section the report does not know."""
    words = " ".join(_WORDS.sub(" ", heading.lower().replace("\u2019", "'").replace("'", " ")).split())
    for name, rule in _RULES:
        if rule.search(words):
            return name
    return None


def _split(text: str) -> list[tuple[str | None, list[str]]]:
    """(heading, lines) per section; the heading is None for text before the first one. Headings in
    fenced code do not count."""
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    fence: str | None = None
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
        elif opened:
            fence = opened.group(1)
        else:
            heading = _SECTION.match(line)
            if heading:
                sections.append((_heading_words(heading.group(1) or ""), []))
                continue
            if sections[-1][0] is None and _TITLE.match(line):
                continue  # the file's own "# title" line
        sections[-1][1].append(line)
    return sections


def _heading_words(text: str) -> str:
    """A heading without its closing hashes ("## Resolution ##")."""
    text = text.strip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1] in " \t") else text


def _drop_comments(text: str) -> str:
    """``text`` without its closed HTML comments (an unclosed ``<!--`` is kept: it is the engineer's text)."""
    kept: list[str] = []
    position = 0
    while (opening := text.find("<!--", position)) != -1:
        closing = text.find("-->", opening + 4)
        if closing == -1:
            break
        kept.append(text[position:opening])
        position = closing + 3
    kept.append(text[position:])
    return "".join(kept)


def _trim(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def parse_notes(text: str | None) -> IncidentNotes:
    """The notes' sections. Raises ValueError when ``text`` is larger than a notes file may be."""
    if not text:
        return IncidentNotes()
    if len(text) > NOTES_MAX_BYTES:
        raise ValueError(f"the notes are longer than {NOTES_MAX_BYTES // 1024} KiB")
    text = _drop_comments(text.replace("\r\n", "\n").replace("\r", "\n"))
    known: dict[str, list[str]] = {}
    other: list[NoteSection] = []
    for heading, lines in _split(text):
        body = _trim(lines)
        name = section_field(heading) if heading is not None else None
        if name is not None:
            if body:
                known.setdefault(name, []).append(body)
        elif body.strip():
            title = PREAMBLE_TITLE if heading is None else heading.strip() or PREAMBLE_TITLE
            other.append(NoteSection(title=title, text=body))
    return IncidentNotes(**{name: "\n\n".join(parts) for name, parts in known.items()}, other=other)


def _one_line(text: str) -> str:
    """Text of the incident put into the template: one line, and never the end of an HTML comment."""
    return " ".join(text.split()).replace("--", "\u2013")


def notes_template(incident: Incident) -> str:
    """A notes file to fill in: the four sections' headings, each with a hint the report ignores."""
    if incident.found and incident.start is not None:
        what = f"the incident that began {incident.start:%Y-%m-%d %H:%M} UTC"
        if incident.causes:
            what += f" (most likely: {incident.causes[0].title})"
    elif incident.evidence_from is not None and incident.evidence_to is not None:
        what = (
            f"the evidence from {incident.evidence_from:%Y-%m-%d %H:%M} to "
            f"{incident.evidence_to:%Y-%m-%d %H:%M} UTC (no incident was found in it)"
        )
    else:
        what = "the investigation"
    lines = [
        f"# Post-incident notes: {_one_line(incident.customer)}",
        "",
        f"<!-- Notes on {_one_line(what)}.",
        "     Write Markdown under each heading: paragraphs, lists, **bold** and `code` are laid out.",
        "     The report reads this file each time it is rendered; sections left empty are shown as",
        "     not written. A section under a heading of your own is kept too. These comments are not",
        "     shown. -->",
    ]
    for _name, heading, hint in KNOWN_SECTIONS:
        lines += ["", f"## {heading}", "", f"<!-- {hint} -->", ""]
    return "\n".join(lines)


def notes_filename(customer: str, report_id: str) -> str:
    """The notes file's name beside the report: the same for every rendering of the same report."""
    return f"{slugify(customer)}-{slugify(report_id)}-notes.md"
