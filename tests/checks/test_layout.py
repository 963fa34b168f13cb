"""One naming rule for every built-in check, so a check is where its id says and named what its id says.

A check with id ``product.area.name`` lives in ``checks/product/area_name.py`` and its class is
``ProductAreaName``; every other module of a check package starts with an underscore (a helper). The
scope follows the package: ``host/`` and ``jvm/`` hold host checks, ``logs/`` logs checks, the rest
instance checks. Packages of ``checks/`` that hold no check are named here, so a new one is a choice.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import checks
from atlas_health.testing.harness import registry
from checks.base import HostCheck, InstanceCheck, LogsCheck
from checks.registry import RegisteredCheck, checks_in_module

CHECKS_ROOT = Path(checks.__file__).parent
CHECK_PACKAGES = {"bamboo", "bitbucket", "cloud", "crowd", "fecru", "host", "instance", "jira", "jvm", "logs"}
OTHER_PACKAGES = {
    "forecasting",
    "incident",
    "scopes",
    "signatures",
    "thread_dumps",
}  # the framework's parts and the knowledge base
SCOPE_OF_PACKAGE = {"host": HostCheck, "jvm": HostCheck, "logs": LogsCheck}


def builtins() -> list[RegisteredCheck]:
    return [r for r in registry() if r.origin == "builtin"]


def class_name(check_id: str) -> str:
    return "".join(word.capitalize() for part in check_id.split(".") for word in part.split("_"))


def test_every_package_of_checks_is_a_check_package_or_named_as_something_else():
    packages = {p.parent.name for p in CHECKS_ROOT.glob("*/__init__.py")}
    assert packages == CHECK_PACKAGES | OTHER_PACKAGES
    assert {r.meta.id.split(".")[0] for r in builtins()} == CHECK_PACKAGES


@pytest.mark.parametrize("registered", builtins(), ids=lambda r: r.meta.id)
def test_id_file_and_class_agree(registered: RegisteredCheck):
    package, *rest = registered.meta.id.split(".")
    assert registered.cls.__module__ == f"checks.{package}.{'_'.join(rest)}"
    assert registered.cls.__name__ == class_name(registered.meta.id)


@pytest.mark.parametrize("package", sorted(CHECK_PACKAGES))
def test_a_check_package_holds_one_check_per_module_and_helpers_with_an_underscore(package: str):
    files = sorted(p for p in (CHECKS_ROOT / package).glob("*.py") if p.name != "__init__.py")
    checks_here = []
    for path in files:
        module = importlib.import_module(f"checks.{package}.{path.stem}")
        defined = checks_in_module(module)
        if path.stem.startswith("_"):
            assert defined == [], f"{path.name} is a helper (leading underscore) but defines checks"
        else:
            assert len(defined) == 1, f"{path.name} defines {len(defined)} checks; helpers start with '_'"
            checks_here += defined
    assert checks_here, f"checks/{package}/ holds no check"
    base = SCOPE_OF_PACKAGE.get(package, InstanceCheck)
    assert [c.__name__ for c in checks_here if not issubclass(c, base)] == []


def test_no_check_lives_outside_the_check_packages():
    outside = []
    for info in pkgutil.walk_packages(checks.__path__, prefix="checks."):
        if info.name.split(".")[1] in CHECK_PACKAGES:
            continue
        outside += [c.__name__ for c in checks_in_module(importlib.import_module(info.name))]
    assert outside == []
