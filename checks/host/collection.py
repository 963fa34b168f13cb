"""host.collection: what could not be read on a host the agent did reach, and what was cut short."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, SkipCheck
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta
from collectors.hosts.model import CONNECT_KINDS, HostError, HostErrorKind

_SEVERITY = {
    HostErrorKind.PERMISSION_DENIED: Severity.WARNING,
    HostErrorKind.COMMAND_TIMEOUT: Severity.WARNING,
    HostErrorKind.BUDGET_EXCEEDED: Severity.WARNING,
    HostErrorKind.COLLECTOR: Severity.UNKNOWN,
}
_HINTS = {
    HostErrorKind.PERMISSION_DENIED: (
        "Some files or process details belong to the product's user: set sudo_user for this host (and "
        "allow the agent's user `sudo -n -u <product user>` for cat, ls, readlink, find, tail, stat, jcmd "
        "and jstack), or log in as the product's user."
    ),
    HostErrorKind.COMMAND_TIMEOUT: (
        "A command did not answer within settings.hosts.command_timeout_seconds; a hung NFS mount or an "
        "overloaded host are the usual causes."
    ),
    HostErrorKind.BUDGET_EXCEEDED: "Raise settings.hosts.host_budget_seconds, or take fewer thread dumps.",
    HostErrorKind.COLLECTOR: "A defect of atlas-health: report it with the bundle.",
}
_DEFAULT_HINT = "See the messages; the facts they name are missing from this report."


class HostCollection(HostCheck):
    meta = CheckMeta(
        id="host.collection",
        title="Host data collection",
        description=(
            "Which facts could not be read on a host the agent logged in to (permissions, timeouts, "
            "missing tools) and which outputs were cut by a size cap, so the gaps in the report are explicit."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        if host.connect_error() is not None:
            raise SkipCheck("host not reached: see host.connection")
        errors = [e for e in host.errors if e.kind not in CONNECT_KINDS]
        by_kind: dict[HostErrorKind, list[HostError]] = {}
        for error in errors:
            by_kind.setdefault(error.kind, []).append(error)
        for kind, group in by_kind.items():
            severity = _SEVERITY.get(kind, Severity.INFO)
            more = f"; and {len(group) - 5} more" if len(group) > 5 else ""
            where = f"{host.method} {host.name}"
            yield ctx.finding(
                severity,
                f"{len(group)} host read(s) failed: {kind.value.replace('_', ' ')}",
                "; ".join(e.message for e in group[:5]) + more,
                evidence=[
                    Evidence(label=e.call, value=e.message, source=where, time=e.at) for e in group[:20]
                ],
                recommendation=_HINTS.get(kind, _DEFAULT_HINT),
                key=kind.value,  # not the calls: they name pids, which change on restart
            )
        if host.limits_hit:
            yield ctx.finding(
                Severity.INFO,
                "Host collection cut short by a limit",
                "; ".join(host.limits_hit),
                evidence=[Evidence(label="limit", value=line) for line in host.limits_hit],
                recommendation="Raise the cap or budget named in settings.hosts if the missing part matters.",
                key="limits",
            )
        if not errors and not host.limits_hit:
            ran = f"{len(host.commands)} command(s) on {host.name}, none failed."
            yield ctx.ok("Everything was read", ran)
