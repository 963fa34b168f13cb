"""A scope: what one kind of check runs over, and what the runner needs to know about it.

The runner runs one loop over every scope (checks/runner.py); a scope supplies what differs: its
subjects in a snapshot (instances, hosts, log analyses), which checks apply to a subject, why a
check's data is missing, and the typed context a check of that scope receives.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

from checks.context import CheckContext
from checks.metadata import CheckMeta, Threshold
from collectors.model import Snapshot

SubjectT = TypeVar("SubjectT")
ContextT = TypeVar("ContextT", bound=CheckContext)


class Scope(ABC, Generic[SubjectT, ContextT]):
    """One kind of subject checks look at; the runner handles every scope the same way."""

    name: str  # "instance", "host", "logs": shown in the catalogue
    fields: frozenset[str]  # what a check's ``requires`` may name: the subject model's fields

    @abstractmethod
    def subjects(self, snapshot: Snapshot) -> Iterable[SubjectT]:
        """Each thing in the snapshot that this scope's checks run once for."""

    @abstractmethod
    def applies(self, meta: CheckMeta, subject: SubjectT) -> bool:
        """Whether a check of this scope is meant for this subject (its products, deployments)."""

    @abstractmethod
    def skip_reason(self, subject: SubjectT, requires: Iterable[str]) -> str | None:
        """Why the data a check requires is missing, or None when it is all there."""

    @abstractmethod
    def label(self, subject: SubjectT) -> tuple[str, str]:
        """The customer and the target name of a subject, for the outcome of a skipped check."""

    @abstractmethod
    def override_key(self, subject: SubjectT) -> str | None:
        """The "customer/name" key of per-target threshold overrides, or None when there are none."""

    @abstractmethod
    def context(self, meta: CheckMeta, subject: SubjectT, thresholds: Mapping[str, Threshold]) -> ContextT:
        """The context a check of this scope runs with."""


def lookup(subject: object, path: str) -> object | None:
    """A dotted field of a subject ("bamboo.agents"), or None when any part of it is missing."""
    value: object | None = subject
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def words(name: str) -> str:
    """A field name as words for a reason: "thread_dumps" -> "thread dumps"."""
    return name.replace("_", " ").replace(".", " ")
