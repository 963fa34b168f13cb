"""Discovery and metadata validation of checks."""

from __future__ import annotations

import types

import pytest
from pydantic import ValidationError

from atlas_health import Category, Check, CheckMeta, InstanceCheck, Severity
from checks.base import CheckDefinitionError
from checks.registry import RegisteredCheck, Registry, checks_in_module, load_registry


def test_metadata_is_validated_when_the_check_is_defined() -> None:
    with pytest.raises(ValidationError, match="dotted lower-case"):
        CheckMeta(
            id="Bad-Id",
            title="t",
            description="d",
            category=Category.CAPACITY,
            default_severity=Severity.WARNING,
        )
    with pytest.raises(CheckDefinitionError, match="requires names unknown instance fields: licences"):

        class ReadsLicences(InstanceCheck):
            meta = CheckMeta(
                id="a.b",
                title="t",
                description="d",
                category=Category.CAPACITY,
                default_severity=Severity.WARNING,
                requires=("licences",),
            )

            def run(self, ctx):
                yield from ()

    with pytest.raises(ValidationError, match="severity of a problem"):
        CheckMeta(
            id="a.b", title="t", description="d", category=Category.CAPACITY, default_severity=Severity.OK
        )


def test_a_check_without_run_or_meta_is_refused() -> None:
    module = types.ModuleType("fake_checks")

    class NoRun(InstanceCheck):
        meta = CheckMeta(
            id="a.b",
            title="t",
            description="d",
            category=Category.CAPACITY,
            default_severity=Severity.WARNING,
        )

    NoRun.__module__ = "fake_checks"
    module.NoRun = NoRun
    with pytest.raises(CheckDefinitionError, match="does not implement run"):
        checks_in_module(module)


def test_a_check_of_no_scope_is_refused() -> None:
    module = types.ModuleType("fake_checks")

    class NoScope(Check):  # derives from the generic base, not InstanceCheck, HostCheck or LogsCheck
        meta = CheckMeta(
            id="a.b",
            title="t",
            description="d",
            category=Category.CAPACITY,
            default_severity=Severity.WARNING,
        )

        def run(self, ctx):
            yield from ()

    NoScope.__module__ = "fake_checks"
    module.NoScope = NoScope
    with pytest.raises(CheckDefinitionError, match="must derive from InstanceCheck, HostCheck or LogsCheck"):
        checks_in_module(module)


def test_first_registration_wins_and_the_collision_is_reported() -> None:
    class One(InstanceCheck):
        meta = CheckMeta(
            id="a.b",
            title="one",
            description="d",
            category=Category.CAPACITY,
            default_severity=Severity.WARNING,
        )

        def run(self, ctx):
            return []

    class Two(One):
        meta = One.meta.model_copy(update={"title": "two"})

    registry = Registry()
    registry.add(RegisteredCheck(One, "builtin"))
    registry.add(RegisteredCheck(Two, "plugin x:y"))
    assert registry.get("a.b").cls is One
    assert registry.problems == ["check 'a.b' from plugin x:y ignored: the id is already taken by builtin"]


def test_builtin_checks_are_found_by_walking_the_package() -> None:
    registry = load_registry(include_plugins=False)
    ids = {r.meta.id for r in registry}
    assert {"instance.status", "instance.credentials", "jira.index.consistency"} <= ids
    assert all(r.origin == "builtin" for r in registry)
    assert registry.problems == []
