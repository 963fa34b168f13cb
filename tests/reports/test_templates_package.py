"""The Jinja environment reads the top-level `templates` package through importlib.resources."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound, UndefinedError
from markupsafe import Markup

from reports.model import HealthCheckReport
from reports.render import HEALTH_CHECK_TEMPLATES, ResourceLoader, environment, render

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
        "2025-07-01 19:00:00 JST / 2025-07-01 / 2025-07-01T19:00:00+09:00 / —")
    assert template.render(t=moment, timezone=ZoneInfo("UTC")).startswith("2025-07-01 10:00:00 UTC")


@pytest.mark.server
@pytest.mark.slow
def test_render_from_an_installed_wheel(report: HealthCheckReport, tmp_path: Path) -> None:
    """Build the wheel, install it into a bare directory and render from there, away from the source tree."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "pyproject.toml", src)
    readme = ROOT / "README.md"
    (src / "README.md").write_text(readme.read_text() if readme.exists() else "atlas-health\n")
    for package in ("agent", "checks", "collectors", "reports", "templates"):
        if (ROOT / package).is_dir():
            shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    dist, site = tmp_path / "dist", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "-q", "-w", str(dist), str(src)], check=True, timeout=240)
    wheel = next(dist.glob("atlas_health-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "-q", "--target", str(site), str(wheel)], check=True,
                   timeout=120)

    (tmp_path / "report.json").write_text(render(report, "json").content, encoding="utf-8")
    script = textwrap.dedent("""
        import json, sys
        from pathlib import Path
        import reports, templates
        from reports.model import HealthCheckReport
        from reports.render import render
        from reports.schema import load_schema
        site = Path(sys.argv[1]).resolve()
        assert Path(reports.__file__).resolve().is_relative_to(site), reports.__file__
        assert Path(templates.__file__).resolve().is_relative_to(site), templates.__file__
        report = HealthCheckReport.model_validate_json(Path("report.json").read_text())
        out = {fmt: render(report, fmt).content for fmt in ("html", "md")}
        out["schema"] = load_schema()
        Path("out.json").write_text(json.dumps(out))
    """)
    env = {**os.environ, "PYTHONPATH": str(site)}
    subprocess.run([sys.executable, "-c", script, str(site)], cwd=tmp_path, env=env, check=True, timeout=60)
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["html"] == render(report, "html").content
    assert out["md"] == render(report, "md").content
    from reports.schema import load_schema

    assert out["schema"] == load_schema()
