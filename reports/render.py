"""Rendering a HealthCheckReport as self-contained HTML, GitHub-flavoured Markdown or JSON.

The Jinja environment reads the top-level ``templates`` package through importlib.resources, so it
works the same from the source tree, an installed wheel or a zip. HTML templates (``*.html.j2``) are
autoescaped; Markdown is escaped by the ``md*`` filters; undefined names are errors, never blanks.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound, pass_context, select_autoescape
from jinja2.loaders import split_template_path
from jinja2.runtime import Context

from checks.finding import Severity
from collectors.model import Deployment, Product
from reports.document import MEDIA_TYPES, Document, Format, report_filename
from reports.logs_section import log_section
from reports.model import HealthCheckReport
from reports.trend_charts import trend_views
from reports.units import duration, hours_decimal, money

TEMPLATE_PACKAGE = "templates"
HEALTH_CHECK_TEMPLATES: dict[str, str] = {"html": "health_check.html.j2", "md": "health_check.md.j2"}

# Worst first, the order counts and badges are listed in.
SEVERITY_ORDER: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
_LABELS = {
    Severity.CRITICAL: "Critical",
    Severity.WARNING: "Warning",
    Severity.UNKNOWN: "Unknown",
    Severity.INFO: "Info",
    Severity.OK: "OK",
}
_SYMBOLS = {  # shown next to the label, never instead of it
    Severity.CRITICAL: "\u2716",  # heavy multiplication x
    Severity.WARNING: "\u25b2",  # triangle
    Severity.UNKNOWN: "?",
    Severity.INFO: "\u2139",  # information source (not "i": badges are upper-cased)
    Severity.OK: "\u2714",  # check mark
}


class ResourceLoader(BaseLoader):
    """Loads templates from a package's resources (importlib.resources), wherever it is installed."""

    def __init__(self, package: str = TEMPLATE_PACKAGE) -> None:
        self.package = package

    def _resource(self, template: str) -> Traversable:
        resource = resources.files(self.package)
        for piece in split_template_path(template):  # refuses ".." and absolute paths
            resource = resource.joinpath(piece)
        return resource

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        resource = self._resource(template)
        try:
            source = resource.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, KeyError) as exc:
            raise TemplateNotFound(template) from exc
        # Installed resources do not change under a running process.
        return source, str(resource), lambda: True

    def list_templates(self) -> list[str]:
        found: list[str] = []

        def walk(node: Traversable, prefix: str) -> None:
            for child in node.iterdir():
                if child.is_dir():
                    walk(child, f"{prefix}{child.name}/")
                elif child.name.endswith(".j2"):
                    found.append(prefix + child.name)

        walk(resources.files(self.package), "")
        return sorted(found)


# --- filters and tests --------------------------------------------------------------------------


def severity_label(severity: Severity | str) -> str:
    return _LABELS[Severity(severity)]


def severity_symbol(severity: Severity | str) -> str:
    return _SYMBOLS[Severity(severity)]


def product_label(product: Product | str) -> str:
    return Product(product).label


def deployment_label(deployment: Deployment | str) -> str:
    return Deployment(deployment).label


def _in_zone(ctx: Context, moment: datetime) -> datetime:
    zone = ctx.get("timezone")
    return moment.astimezone(zone) if isinstance(zone, ZoneInfo) else moment


@pass_context
def when(ctx: Context, moment: datetime | None, placeholder: str = "\u2014") -> str:
    """A timestamp for people, in the report's zone: 2025-03-04 13:05:09 CET."""
    if moment is None:
        return placeholder
    local = _in_zone(ctx, moment)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or local.strftime('%z')}"


@pass_context
def day(ctx: Context, moment: datetime | None, placeholder: str = "\u2014") -> str:
    """A date for people, in the report's zone: 2025-03-04."""
    if moment is None:
        return placeholder
    return f"{_in_zone(ctx, moment):%Y-%m-%d}"


@pass_context
def iso(ctx: Context, moment: datetime) -> str:
    """A machine-readable timestamp with offset, for <time datetime=...>."""
    return _in_zone(ctx, moment).isoformat()


def plain(value: object, placeholder: str = "\u2014") -> str:
    """An evidence value or optional field for people: None is a dash, booleans are yes / no."""
    if value is None or value == "":
        return placeholder
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def is_weblink(value: object) -> bool:
    """Only http and https URLs with a host become links; anything else is shown as text."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and value == value.strip()


# Markdown. Text is escaped so it shows literally: HTML-special characters become entities (so no
# renderer can take data for markup), other Markdown punctuation gets a backslash.
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
# What would open a block when it starts a line: heading, list item, setext underline, ordered item.
_MD_LINE_START = re.compile(r"^(\s*)(?:(#{1,6}|[-+=]+)|(\d{1,9})([.)]))(?=\s|$)", re.MULTILINE)
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, digits, closing = match.groups()
    if marker:
        return f"{indent}\\{marker}"
    return f"{indent}{digits}\\{closing}"  # "1. text" would start a list: escape the dot


def md(value: object) -> str:
    """Inline Markdown text: every character shows as itself; a newline becomes a hard line break."""
    text = str(value)
    text = "".join(_MD_ENTITIES.get(ch, ch) for ch in text)
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(_escape_line_start, text)
    return _NEWLINES.sub("\\\n", text)


def md_cell(value: object, placeholder: str = "\u2014") -> str:
    """A GFM table cell: escaped like ``md``, pipes escaped, newlines as <br>, never empty."""
    text = plain(value, placeholder)
    text = "".join(_MD_ENTITIES.get(ch, ch) for ch in text)
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    return _NEWLINES.sub("<br>", text).strip() or placeholder


def md_code(value: object) -> str:
    """An identifier in a code span, or escaped text when it could break out of one."""
    text = str(value)
    if text and not re.search(r"[`|\r\n]", text):
        return f"`{text}`"
    return md_cell(text)


def md_link(value: object) -> str:
    """An http(s) URL as an autolink; anything else as escaped text."""
    if is_weblink(value) and not re.search(r"[\s<>`|]", str(value)):
        return f"<{value}>"
    return md_cell(value)


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=ResourceLoader(TEMPLATE_PACKAGE),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        severity_label=severity_label,
        severity_symbol=severity_symbol,
        product_label=product_label,
        deployment_label=deployment_label,
        when=when,
        day=day,
        iso=iso,
        plain=plain,
        md=md,
        md_cell=md_cell,
        md_code=md_code,
        md_link=md_link,
        duration=duration,
        hours_decimal=hours_decimal,
        money=money,
    )
    env.tests["weblink"] = is_weblink
    env.globals["SEVERITIES"] = SEVERITY_ORDER
    env.globals["log_section"] = log_section  # draws charts (matplotlib) only when a report has logs
    env.globals["trend_views"] = trend_views  # likewise, only when a report has trends
    return env


def render(report: HealthCheckReport, fmt: Format) -> Document:
    """The report as one self-contained document of the given format."""
    if fmt == "json":
        content = report.model_dump_json(indent=2) + "\n"
    elif fmt in HEALTH_CHECK_TEMPLATES:
        template = environment().get_template(HEALTH_CHECK_TEMPLATES[fmt])
        content = template.render(report=report, timezone=ZoneInfo(report.timezone))
    else:
        raise ValueError(f"unknown report format {fmt!r}: use one of html, md, json")
    return Document(
        format=fmt,
        filename=report_filename(report.customer, "health-check", report.generated_at, fmt),
        media_type=MEDIA_TYPES[fmt],
        content=content,
    )
