"""Guard the host check package: one check per module, host scope, host./jvm. ids, each described."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import checks.host
from checks.base import Check


def host_checks() -> dict[str, list[type[Check]]]:
    found = {}
    for info in pkgutil.iter_modules(checks.host.__path__, prefix="checks.host."):
        module = importlib.import_module(info.name)
        found[info.name] = [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Check) and c is not Check and c.__module__ == module.__name__
        ]
    return found


def test_one_host_check_per_module_all_host_scoped():
    modules = host_checks()
    assert all(len(classes) <= 1 for classes in modules.values()), modules
    classes = [c for found in modules.values() for c in found]
    assert len(classes) == 15
    for cls in classes:
        assert cls.meta.scope == "host", cls.meta.id
        assert cls.meta.id.startswith(("host.", "jvm.")), cls.meta.id
