"""The catalogue of built-in checks: unique ids, described, each run by a test (layout: test_layout.py)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import checks
from atlas_health.testing.harness import registry
from checks.base import Check
from checks.registry import checks_in_module

CHECK_TESTS = Path(__file__).resolve().parent


def builtins():
    return [r for r in registry() if r.origin == "builtin"]


def builtin_classes() -> list[type[Check[Any]]]:
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


def _runs_in_tests() -> set[str]:
    """Names a test function of tests/checks/ uses, itself or through a helper of its module that it
    calls (``def bursts(...): return run_logs_check(LogsAuthBursts, ...)``)."""
    used: set[str] = set()
    for path in CHECK_TESTS.rglob("test_*.py"):
        functions = [
            n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)
        ]
        names = {f.name: {n.id for n in ast.walk(f) if isinstance(n, ast.Name)} for f in functions}
        for name, inside in names.items():
            if name.startswith("test_"):
                used |= inside
                used |= {n for helper in inside & names.keys() for n in names[helper]}
    return used


@pytest.mark.parametrize("registered", builtins(), ids=lambda r: r.meta.id)
def test_every_check_is_run_by_a_test_of_its_own(registered):
    assert registered.cls.__name__ in _runs_in_tests(), (
        f"no test function in tests/checks/ runs {registered.cls.__name__} ({registered.meta.id}): "
        "a check must not land untested"
    )
