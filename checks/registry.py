"""Finding checks: built-ins by walking the `checks` package, third-party ones by entry point.

Metadata is validated when a check is loaded (CheckMeta is a pydantic model built at class
definition), so a malformed check fails here, at start-up, not in the middle of a scheduled run.
Built-ins win an id collision; the plugin is dropped with a problem recorded.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any, TypeGuard

from checks.base import SCOPE_BASES, Check, CheckDefinitionError
from checks.metadata import CheckMeta
from checks.scopes import Scope

ENTRY_POINT_GROUP = "atlas_health.checks"


@dataclass(frozen=True)
class RegisteredCheck:
    cls: type[Check[Any]]
    origin: str  # "builtin" or "plugin <distribution>:<entry point>"

    @property
    def meta(self) -> CheckMeta:
        return self.cls.meta

    @property
    def scope(self) -> Scope[Any, Any]:
        return self.cls.scope


@dataclass
class Registry:
    checks: dict[str, RegisteredCheck] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # plugins that could not be loaded, collisions

    def __iter__(self) -> Iterator[RegisteredCheck]:
        return iter(sorted(self.checks.values(), key=lambda r: r.meta.id))

    def of_scope(self, scope: Scope[Any, Any]) -> list[RegisteredCheck]:
        """The checks of one scope, in id order."""
        return [r for r in self if r.scope is scope]

    def __len__(self) -> int:
        return len(self.checks)

    def get(self, check_id: str) -> RegisteredCheck | None:
        return self.checks.get(check_id)

    def add(self, registered: RegisteredCheck) -> None:
        existing = self.checks.get(registered.meta.id)
        if existing is not None:
            self.problems.append(
                f"check {registered.meta.id!r} from {registered.origin} ignored: "
                f"the id is already taken by {existing.origin}"
            )
            return
        self.checks[registered.meta.id] = registered


def _validate(cls: type[Check[Any]], where: str) -> None:
    meta = cls.__dict__.get("meta")
    if not isinstance(meta, CheckMeta):
        raise CheckDefinitionError(f"{where}: {cls.__name__}.meta must be a CheckMeta")
    if getattr(cls, "scope", None) is None:
        raise CheckDefinitionError(
            f"{where}: {cls.__name__} must derive from InstanceCheck, HostCheck or LogsCheck"
        )
    if inspect.isabstract(cls):
        raise CheckDefinitionError(f"{where}: {cls.__name__} does not implement run(ctx)")


def is_check_class(obj: object) -> TypeGuard[type[Check[Any]]]:
    """A check class of its own, not one of the bases checks derive from."""
    return inspect.isclass(obj) and issubclass(obj, Check) and obj not in SCOPE_BASES


def checks_in_module(module: ModuleType) -> list[type[Check[Any]]]:
    """Concrete checks defined in (not imported into) a module."""
    found = []
    for _, obj in inspect.getmembers(module, is_check_class):
        if obj.__module__ == module.__name__:
            _validate(obj, module.__name__)
            found.append(obj)
    return found


def _builtin_modules() -> Iterable[ModuleType]:
    import checks

    for info in pkgutil.walk_packages(checks.__path__, prefix="checks."):
        yield importlib.import_module(info.name)


def _plugin_checks(registry: Registry) -> Iterable[RegisteredCheck]:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist is not None else "?"
        origin = f"plugin {dist}:{ep.name}"
        try:
            loaded = ep.load()
            if inspect.ismodule(loaded):
                classes = checks_in_module(loaded)
            elif is_check_class(loaded):
                _validate(loaded, ep.value)
                classes = [loaded]
            else:
                raise CheckDefinitionError(f"{ep.value} is neither a Check subclass nor a module")
        except Exception as exc:  # a broken plugin must never stop the agent
            registry.problems.append(f"{origin} could not be loaded: {type(exc).__name__}: {exc}")
            continue
        for cls in classes:
            yield RegisteredCheck(cls, origin)


def load_registry(include_plugins: bool = True) -> Registry:
    registry = Registry()
    for module in _builtin_modules():
        for cls in checks_in_module(module):
            registry.add(RegisteredCheck(cls, "builtin"))
    if include_plugins:
        for registered in _plugin_checks(registry):
            registry.add(registered)
    return registry
