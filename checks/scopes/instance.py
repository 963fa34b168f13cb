"""The instance scope: checks that run once per collected product instance (``InstanceContext``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from checks.context import InstanceContext
from checks.metadata import CheckMeta, Threshold
from checks.scopes.base import Scope, lookup, words
from collectors.model import InstanceSnapshot, Snapshot

# The logical call that fills a snapshot field, where its name differs from the field's.
FIELD_CALLS = {"licenses": "license"}
# Failures of /status after which the collector calls nothing else on the instance.
TRANSPORT_FAILURES = frozenset({"connection_refused", "dns", "tls", "timeout", "connection"})


class InstanceScope(Scope[InstanceSnapshot, InstanceContext]):
    name = "instance"
    fields = frozenset(InstanceSnapshot.model_fields)

    def subjects(self, snapshot: Snapshot) -> Iterable[InstanceSnapshot]:
        return snapshot.instances

    def applies(self, meta: CheckMeta, subject: InstanceSnapshot) -> bool:
        return subject.product in meta.products and subject.deployment in meta.deployments

    def skip_reason(self, subject: InstanceSnapshot, requires: Iterable[str]) -> str | None:
        """A dotted name ("bamboo.agents") is looked up part by part; its collection error is filed
        under the same dotted call name by the collector."""
        missing = [f for f in requires if lookup(subject, f) is None]
        if not missing:
            return None
        status_error = subject.error_for("status")
        if status_error is not None and status_error.kind in TRANSPORT_FAILURES:
            return f"instance unreachable ({status_error.message})"
        for name in missing:
            error = subject.error_for(FIELD_CALLS.get(name, name))
            if error is not None:
                return f"{words(name)} not collected: {error.message}"
        return f"{', '.join(words(m) for m in missing)} not collected for this product or deployment"

    def label(self, subject: InstanceSnapshot) -> tuple[str, str]:
        return subject.customer, subject.instance

    def override_key(self, subject: InstanceSnapshot) -> str | None:
        return f"{subject.customer}/{subject.instance}"

    def context(
        self, meta: CheckMeta, subject: InstanceSnapshot, thresholds: Mapping[str, Threshold]
    ) -> InstanceContext:
        return InstanceContext(meta=meta, instance=subject, thresholds=thresholds)


INSTANCE_SCOPE = InstanceScope()
