"""The Jinja environment reads the top-level `templates` package through importlib.resources."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound, UndefinedError
from markupsafe import Markup

from reports.model import HealthCheckReport
from reports.render import HEALTH_CHECK_TEMPLATES, ResourceLoader, environment

ROOT = Path(__file__).resolve().parents[2]


def test_loader_reads_the_installed_templates_package() -> None:
    env = environment()
    source, filename, uptodate = env.loader.get_source(env, "health_check.html.j2")  # type: ignore[union-attr]
    packaged = resources.files("templates").joinpath("health_check.html.j2")
    assert source == packaged.read_text(encoding="utf-8")
    assert filename == str(packaged)
    assert uptodate()
    assert set(HEALTH_CHECK_TEMPLATES.values()) | {"_report.css.j2"} <= set(env.list_templates())


def test_loader_refuses_what_is_not_a_template() -> None:
    env = environment()
    for name in ("missing.html.j2", "../reports/model.py", "/etc/passwd"):
        with pytest.raises(TemplateNotFound):
            env.get_template(name)
    with pytest.raises(TemplateNotFound):
        ResourceLoader("templates").get_source(env, "__pycache__")


def test_autoescape_only_for_html_templates() -> None:
    env = environment()
    assert env.autoescape("health_check.html.j2") is True  # type: ignore[operator]
    assert env.autoescape("health_check.md.j2") is False  # type: ignore[operator]
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_undefined_is_an_error_and_filters_exist() -> None:
    env = environment()
    with pytest.raises(UndefinedError):
        env.from_string("{{ report.nothing }}").render(report={})
    assert env.from_string("{{ 'critical' | severity_label }}").render() == "Critical"
    assert env.from_string("{{ 'ok' | severity_label }}").render() == "OK"
    assert isinstance(env.from_string("{{ x }}").render(x=Markup("<i>")), str)


def test_dates_show_in_the_reports_zone(report: HealthCheckReport) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    env = environment()
    moment = datetime(2025, 7, 1, 10, 0, tzinfo=UTC)
    template = env.from_string("{{ t | when }} / {{ t | day }} / {{ t | iso }} / {{ none | when }}")
    assert template.render(t=moment, timezone=ZoneInfo("Asia/Tokyo")) == (
        "2025-07-01 19:00:00 JST / 2025-07-01 / 2025-07-01T19:00:00+09:00 / —"
    )
    assert template.render(t=moment, timezone=ZoneInfo("UTC")).startswith("2025-07-01 10:00:00 UTC")
