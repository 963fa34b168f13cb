"""checks.crowd holds one check per module, each named in the registry with the crowd. prefix."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import checks.crowd
from checks.base import Check
from tests.checks.harness import registry


def test_one_check_per_module_with_the_product_prefix():
    found = []
    for info in pkgutil.iter_modules(checks.crowd.__path__, prefix="checks.crowd."):
        module = importlib.import_module(info.name)
        defined = [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Check) and c is not Check and c.__module__ == module.__name__
        ]
        assert len(defined) == 1, f"{info.name} defines {len(defined)} checks"
        found += defined
    assert all(c.meta.id.startswith("crowd.") for c in found)
    registered = {r.meta.id for r in registry() if r.origin == "builtin"}
    assert {c.meta.id for c in found} <= registered and len(found) == 3
