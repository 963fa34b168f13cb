"""The engineer's Markdown, shown safely: a small part of Markdown laid out, everything else as text.

Notes are written by people and may hold anything (pasted log lines, HTML, template syntax). Only
paragraphs, bullet and numbered lists, headings inside a section, fenced code, ``**bold**`` and
`` `code` `` are laid out; every character of the text is escaped, so no markup of the notes ever
reaches the page. Line breaks are kept: notes are often written a line per fact.

Each pass over the text is linear in its length (no regular expression that can backtrack across a
line), so a hostile notes file costs time in proportion to its size, which the reader caps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from reports.render import md

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_ITEM = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])[ \t]+")
_BLANK = re.compile(r"^\s*$")
_BACKTICKS = re.compile(r"`+")
_STARS = re.compile(r"\*\*")


@dataclass
class Block:
    kind: str  # "paragraph", "list", "code", "heading"
    lines: list[str] = field(default_factory=list)  # paragraph lines, code lines, the heading's text
    items: list[list[str]] = field(default_factory=list)  # list items, each its lines
    ordered: bool = False
    start: int = 1  # the first number of an ordered list


def _heading_text(line: str, match: re.Match[str]) -> str:
    text = line[match.end() :].rstrip()
    stripped = text.rstrip("#")
    if stripped != text and (not stripped or stripped[-1] in " \t"):  # "## Title ##": closing hashes
        text = stripped.rstrip()
    return text


def blocks(markdown: str) -> list[Block]:
    """The blocks of ``markdown``: paragraphs, lists, code and headings, in order."""
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found: list[Block] = []
    current: Block | None = None
    index = 0
    while index < len(lines):
        line = lines[index].replace("\t", "    ")
        index += 1
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            code = Block("code")
            while index < len(lines):
                inner = lines[index]
                index += 1
                if inner.lstrip(" ").startswith(marker[0] * len(marker)) and not inner.strip(marker[0] + " "):
                    break
                code.lines.append(inner)
            found.append(code)
            current = None
            continue
        if _BLANK.match(line):
            if current is not None and current.kind == "list" and _next_is_item(lines, index, current):
                continue  # a blank line between items of one list keeps the list
            current = None
            continue
        heading = _HEADING.match(line)
        if heading:
            found.append(Block("heading", lines=[_heading_text(line, heading)]))
            current = None
            continue
        item = _ITEM.match(line)
        if item:
            marker = item.group(2)
            ordered = marker[0].isdigit()
            text = line[item.end() :]
            if current is not None and current.kind == "list" and current.ordered == ordered:
                current.items.append([text])
            else:
                current = Block("list", ordered=ordered, start=int(marker[:-1]) if ordered else 1)
                current.items.append([text])
                found.append(current)
            continue
        if current is not None and current.kind == "list":
            current.items[-1].append(line.strip())  # a continuation of the item
            continue
        if current is None or current.kind != "paragraph":
            current = Block("paragraph")
            found.append(current)
        current.lines.append(line.strip())
    return found


def _next_is_item(lines: list[str], index: int, current: Block) -> bool:
    while index < len(lines) and _BLANK.match(lines[index]):
        index += 1
    if index >= len(lines):
        return False
    item = _ITEM.match(lines[index].replace("\t", "    "))
    return item is not None and item.group(2)[0].isdigit() == current.ordered


def spans(text: str) -> list[tuple[str, str]]:
    """``text`` as (kind, text) pieces: "text", "code" (between backticks) and "bold" (between **)."""
    pieces: list[tuple[str, str]] = []
    runs = list(_BACKTICKS.finditer(text))
    # For each run, the next run of the same length closes it: found in one pass from the end.
    closer: dict[int, int] = {}
    last_of_length: dict[int, int] = {}
    for number in range(len(runs) - 1, -1, -1):
        length = len(runs[number].group())
        if length in last_of_length:
            closer[number] = last_of_length[length]
        last_of_length[length] = number
    position = 0
    number = 0
    while number < len(runs):
        if number in closer:
            opening, closing = runs[number], runs[closer[number]]
            pieces += _bold(text[position : opening.start()])
            code = text[opening.end() : closing.start()]
            if len(code) >= 2 and code[0] == " " and code[-1] == " " and code.strip():
                code = code[1:-1]
            pieces.append(("code", code))
            position = closing.end()
            number = closer[number] + 1
        else:
            number += 1
    pieces += _bold(text[position:])
    return [p for p in pieces if p[1]]


def _bold(text: str) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    position = 0
    opened: int | None = None
    for star in _STARS.finditer(text):
        start, end = star.start(), star.end()
        if opened is None:
            if end < len(text) and not text[end].isspace():
                opened = start
        elif start > opened + 2 and not text[start - 1].isspace():
            pieces.append(("text", text[position:opened]))
            pieces.append(("bold", text[opened + 2 : start]))
            position, opened = end, None
    pieces.append(("text", text[position:]))
    return pieces


# --- HTML -------------------------------------------------------------------------------------------


def _inline_html(text: str) -> str:
    out = []
    for kind, piece in spans(text):
        if kind == "code":
            out.append(f"<code>{escape(piece)}</code>")
        elif kind == "bold":
            out.append(f"<strong>{escape(piece)}</strong>")
        else:
            out.append(str(escape(piece)))
    return "".join(out)


def _lines_html(lines: list[str]) -> str:
    return "<br>\n".join(_inline_html(line) for line in lines)


def notes_html(markdown: str) -> Markup:
    """The notes as HTML: every character escaped, the small part of Markdown laid out."""
    out: list[str] = []
    for block in blocks(markdown):
        if block.kind == "code":
            code = escape("\n".join(block.lines))
            out.append(f'<pre class="notes-code"><code>{code}</code></pre>')
        elif block.kind == "heading":
            out.append(f"<h4>{_inline_html(block.lines[0])}</h4>")
        elif block.kind == "list":
            tag = "ol" if block.ordered else "ul"
            start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
            items = "".join(f"<li>{_lines_html(item)}</li>" for item in block.items)
            out.append(f"<{tag}{start}>{items}</{tag}>")
        else:
            out.append(f"<p>{_lines_html(block.lines)}</p>")
    return Markup("\n".join(out))


# --- Markdown ---------------------------------------------------------------------------------------


def _code_span(text: str) -> str:
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or text.startswith(" ") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _inline_md(text: str) -> str:
    out = []
    for kind, piece in spans(text):
        if kind == "code":
            out.append(_code_span(piece))
        elif kind == "bold":
            out.append(f"**{md(piece)}**")
        else:
            out.append(md(piece))
    return "".join(out)


def _lines_md(lines: list[str], indent: str = "") -> str:
    return ("\\\n" + indent).join(_inline_md(line) for line in lines)


def fenced(text: str) -> str:
    """``text`` as a fenced block of plain text that nothing in it can close."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}" if text else f"{fence}text\n{fence}"


def notes_md(markdown: str) -> str:
    """The notes as Markdown that shows the same as the HTML: no raw HTML, headings cannot climb above
    the report's own, a code block cannot be closed by its contents."""
    out: list[str] = []
    for block in blocks(markdown):
        if block.kind == "code":
            out.append(fenced("\n".join(block.lines)))
        elif block.kind == "heading":
            out.append(f"#### {_inline_md(block.lines[0])}")
        elif block.kind == "list":
            rows = []
            for number, item in enumerate(block.items, start=block.start):
                bullet = f"{number}." if block.ordered else "-"
                rows.append(f"{bullet} {_lines_md(item, ' ' * (len(bullet) + 1))}")
            out.append("\n".join(rows))
        else:
            out.append(_lines_md(block.lines))
    return "\n\n".join(out)
