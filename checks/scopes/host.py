"""The host scope: checks that run once per collected host (``HostContext``).

A host check sees its host, the customer's other hosts (``peers``: clock skew between cluster nodes)
and the customer's instances (the product version the host serves).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from checks.context import HostContext
from checks.metadata import CheckMeta, Threshold
from checks.scopes.base import Scope, lookup, words
from collectors.hosts.model import HostSnapshot
from collectors.model import InstanceSnapshot, Snapshot


class HostNeighbourhood(NamedTuple):
    host: HostSnapshot
    peers: tuple[HostSnapshot, ...]  # the customer's other hosts
    instances: tuple[InstanceSnapshot, ...]  # the customer's instances


class HostScope(Scope[HostNeighbourhood, HostContext]):
    name = "host"
    fields = frozenset(HostSnapshot.model_fields)

    def subjects(self, snapshot: Snapshot) -> Iterator[HostNeighbourhood]:
        for host in snapshot.hosts:
            peers = tuple(h for h in snapshot.hosts if h.customer == host.customer and h is not host)
            instances = tuple(i for i in snapshot.instances if i.customer == host.customer)
            yield HostNeighbourhood(host, peers, instances)

    def applies(self, meta: CheckMeta, subject: HostNeighbourhood) -> bool:
        """A host serving no configured product gets every host check; a host made of thread-dump files
        given to analyze (agent/thread_dump_inputs.py) only the checks of thread dumps."""
        if subject.host.method == "files":
            return "thread_dumps" in meta.requires
        product = subject.host.product
        return product is None or product in meta.products

    def skip_reason(self, subject: HostNeighbourhood, requires: Iterable[str]) -> str | None:
        host = subject.host
        missing = [f for f in requires if lookup(host, f) is None]
        if not missing:
            return None
        connect = host.connect_error()
        if connect is not None:
            return f"host not reached ({connect.message})"
        for name in missing:
            error = host.error_for(name)
            if error is not None:
                return f"{words(name)} not collected: {error.message}"
        if "thread_dumps" in missing:
            return "no thread dumps were taken: ask for them with --thread-dumps N --interval S"
        return f"{', '.join(words(m) for m in missing)} not collected on this host"

    def label(self, subject: HostNeighbourhood) -> tuple[str, str]:
        return subject.host.customer, subject.host.name

    def override_key(self, subject: HostNeighbourhood) -> str | None:
        return f"{subject.host.customer}/{subject.host.name}"

    def context(
        self, meta: CheckMeta, subject: HostNeighbourhood, thresholds: Mapping[str, Threshold]
    ) -> HostContext:
        host, peers, instances = subject
        return HostContext(meta=meta, host=host, peers=peers, instances=instances, thresholds=thresholds)


HOST_SCOPE = HostScope()
