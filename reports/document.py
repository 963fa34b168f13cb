"""A rendered report: what the agent stores, mails or hands over, with the name it should carry."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Format = Literal["html", "md", "json", "csv"]

MEDIA_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Document:
    format: Format
    filename: str  # a bare file name, safe on every file system: no directories, no spaces
    media_type: str
    content: str

    def write_to(self, directory: Path) -> Path:
        """Write the document as UTF-8 into ``directory`` (which must exist) and return its path."""
        path = Path(directory) / self.filename
        path.write_text(self.content, encoding="utf-8", newline="\n")
        return path


# Latin letters NFKD does not decompose into ASCII.
_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
    }
)


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single dashes: "Acme GmbH & Co." -> "acme-gmbh-co".

    Accents are dropped ("Söhne" -> "sohne"); any other character separates words; a name with no
    ASCII letter or digit at all becomes "customer".
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    ascii_text = "".join(ch if ch.isascii() else "-" for ch in decomposed if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "customer"


def report_filename(customer: str, kind: str, generated_at: datetime, fmt: Format) -> str:
    """``<customer>-<kind>-<YYYYmmddTHHMMZ>.<fmt>``, the time in UTC whatever the report's zone."""
    stamp = generated_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"{slugify(customer)}-{kind}-{stamp}.{fmt}"
