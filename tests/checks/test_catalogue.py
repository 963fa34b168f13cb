"""The catalogue of built-in checks: unique ids, described, tested, one check per module."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import checks
from checks.base import Check
from checks.registry import checks_in_module
from tests.checks.harness import registry

TESTS_ROOT = Path(__file__).resolve().parents[1]
MY_PACKAGES = ("checks.instance", "checks.jira")


def builtins():
    return [r for r in registry() if r.origin == "builtin"]


def builtin_classes() -> list[type[Check]]:
    found = []
    for info in pkgutil.walk_packages(checks.__path__, prefix="checks."):
        found += checks_in_module(importlib.import_module(info.name))
    return found


def test_the_catalogue_is_not_empty():
    ids = {r.meta.id for r in builtins()}
    assert {
        "instance.status",
        "instance.credentials",
        "instance.api.latency",
        "instance.api.rate_limit",
        "instance.collection",
        "instance.license.expiry",
        "instance.license.seats",
        "instance.version.support",
        "instance.atst",
        "instance.cluster.nodes",
        "instance.apps.state",
        "jira.index.consistency",
        "jira.index.replication",
    } <= ids


def test_ids_are_unique():
    classes = builtin_classes()
    ids = [cls.meta.id for cls in classes]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert not [p for p in registry().problems if "already taken by builtin" in p and "plugin" not in p]


@pytest.mark.parametrize("registered", builtins(), ids=lambda r: r.meta.id)
def test_every_check_is_described(registered):
    meta = registered.meta
    assert meta.title.strip()
    assert len(meta.description.split()) >= 8, f"{meta.id}: say what it checks and why it matters"
    for name, value in meta.thresholds.items():
        assert value > 0, f"{meta.id}: threshold {name} must be positive"


def _test_sources() -> str:
    here = Path(__file__).resolve()
    return "\n".join(p.read_text(encoding="utf-8") for p in TESTS_ROOT.rglob("*.py") if p.resolve() != here)


@pytest.mark.parametrize("registered", builtins(), ids=lambda r: r.meta.id)
def test_every_check_has_tests_naming_its_id(registered):
    assert f'"{registered.meta.id}"' in _test_sources(), (
        f"no test under tests/ names {registered.meta.id!r}: a check must not land untested"
    )


@pytest.mark.parametrize("package", MY_PACKAGES)
def test_one_check_per_module(package):
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__, prefix=f"{package}."):
        module = importlib.import_module(info.name)
        defined = [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Check) and c is not Check and c.__module__ == module.__name__
        ]
        assert len(defined) <= 1, f"{info.name} defines {len(defined)} checks"
