"""The check classes: one base per scope, each taking its own context type.

A check is a small class: a ``meta`` (CheckMeta) and a ``run(ctx)`` that yields findings. Which base
it derives from says what it looks at: ``InstanceCheck`` (``ctx.instance``), ``HostCheck``
(``ctx.host``) or ``LogsCheck`` (``ctx.logs``). It does no I/O: everything it needs is in the context.
The runner owns budgets, skipping and crash handling, so a check only says what it concluded.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from checks.context import CheckContext, HostContext, InstanceContext, LogsContext
from checks.finding import Finding
from checks.metadata import CheckMeta
from checks.scopes import HOST_SCOPE, INSTANCE_SCOPE, LOGS_SCOPE, Scope

ContextT = TypeVar("ContextT", bound=CheckContext)
T = TypeVar("T")


class CheckDefinitionError(Exception):
    """A check class is malformed: no meta, no run, no scope, or requires naming unknown fields."""


class SkipCheck(Exception):
    """Raised by a check whose data is absent or does not apply; the message is the reason."""


def collected(value: T | None, what: str) -> T:
    """A part of the subject the check's ``requires`` names; the runner skips the check before it
    runs when that part is missing, so this only narrows the type (and skips, should ``requires`` and
    the code ever disagree)."""
    if value is None:
        raise SkipCheck(f"{what} not collected")
    return value


class Check(ABC, Generic[ContextT]):
    """Derive from InstanceCheck, HostCheck or LogsCheck, set ``meta``, implement ``run``.

    Never derive from another concrete check: every concrete class is registered on its own.
    """

    meta: ClassVar[CheckMeta]
    scope: ClassVar[Scope[Any, Any]]

    @abstractmethod
    def run(self, ctx: ContextT) -> Iterable[Finding]:
        """The findings of this check for the context's subject."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("meta")
        scope = getattr(cls, "scope", None)
        if isinstance(meta, CheckMeta) and scope is not None:
            unknown = [f for f in meta.requires if f.split(".", 1)[0] not in scope.fields]
            if unknown:
                raise CheckDefinitionError(
                    f"{meta.id}: requires names unknown {scope.name} fields: {', '.join(unknown)}"
                )


class InstanceCheck(Check[InstanceContext]):
    """Runs once per collected instance; ``requires`` names InstanceSnapshot fields ("licenses") or
    parts of a product's facts ("bamboo.agents"); ``products`` and ``deployments`` filter instances."""

    scope = INSTANCE_SCOPE


class HostCheck(Check[HostContext]):
    """Runs once per collected host; ``requires`` names HostSnapshot fields; ``products`` filter on
    the product the host serves (a host serving none gets every host check)."""

    scope = HOST_SCOPE


class LogsCheck(Check[LogsContext]):
    """Runs once per customer's log analysis; ``requires`` names LogAnalysis parts ("gc", "access",
    "security": None when no such log was given); ``products`` filter on the products whose log files
    were read."""

    scope = LOGS_SCOPE


# The bases a check derives from; the registry never takes them for checks.
SCOPE_BASES: frozenset[type] = frozenset({Check, InstanceCheck, HostCheck, LogsCheck})
