"""Finding checks: built-ins by walking the `checks` package, third-party ones by entry point.

Metadata is validated when a check is loaded (CheckMeta is a pydantic model built at class
definition), so a malformed check fails here, at start-up, not in the middle of a scheduled run.
Built-ins win an id collision; the plugin is dropped with a problem recorded.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType

from checks.base import Check
from checks.metadata import CheckMeta

ENTRY_POINT_GROUP = "atlas_health.checks"


@dataclass(frozen=True)
class RegisteredCheck:
    cls: type[Check]
    origin: str  # "builtin" or "plugin <distribution>:<entry point>"

    @property
    def meta(self) -> CheckMeta:
        return self.cls.meta


@dataclass
class Registry:
    checks: dict[str, RegisteredCheck] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # plugins that could not be loaded, collisions

    def __iter__(self):
        return iter(sorted(self.checks.values(), key=lambda r: r.meta.id))

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


class CheckDefinitionError(Exception):
    """A check class is malformed (no meta, no run, wrong meta type)."""


def _validate(cls: type[Check], where: str) -> None:
    meta = cls.__dict__.get("meta")
    if not isinstance(meta, CheckMeta):
        raise CheckDefinitionError(f"{where}: {cls.__name__}.meta must be a CheckMeta")
    if cls.run is Check.run:
        raise CheckDefinitionError(f"{where}: {cls.__name__} does not implement run(ctx)")


def checks_in_module(module: ModuleType) -> list[type[Check]]:
    """Concrete checks defined in (not imported into) a module."""
    found = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if issubclass(obj, Check) and obj is not Check and obj.__module__ == module.__name__:
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
            elif inspect.isclass(loaded) and issubclass(loaded, Check):
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
