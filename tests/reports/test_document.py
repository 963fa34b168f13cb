from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from reports.document import Document, report_filename, slugify
from reports.model import HealthCheckReport
from reports.render import render


@pytest.mark.parametrize(
    ("customer", "slug"),
    [
        ("Acme Corp & Söhne", "acme-corp-sohne"),
        ("  ACME  ", "acme"),
        ("../../etc/passwd", "etc-passwd"),
        ("Ünïcødé—Ltd.", "unicode-ltd"),
        ("日本", "customer"),
    ],
)
def test_slugify(customer: str, slug: str) -> None:
    assert slugify(customer) == slug


def test_filename_uses_utc_minutes_whatever_the_zone() -> None:
    berlin = datetime(2025, 3, 4, 13, 5, 59, tzinfo=timezone(timedelta(hours=1)))
    assert report_filename("Acme", "health-check", berlin, "html") == "acme-health-check-20250304T1205Z.html"
    assert report_filename("Acme", "health-check", berlin.astimezone(UTC), "md") == (
        "acme-health-check-20250304T1205Z.md"
    )


def test_render_every_format(report: HealthCheckReport, tmp_path: Path) -> None:
    for fmt in ("html", "md", "json"):
        document = render(report, fmt)
        assert isinstance(document, Document)
        assert document.format == fmt
        assert document.filename == f"acme-corp-sohne-health-check-20250304T1205Z.{fmt}"
        path = document.write_to(tmp_path)
        assert path == tmp_path / document.filename
        assert path.read_text(encoding="utf-8") == document.content
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "pdf")  # type: ignore[arg-type]
