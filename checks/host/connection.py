"""host.connection: could the agent log in to the host, and was its identity the one on record?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta
from collectors.hosts.model import HostError, HostErrorKind

_HOW = {
    HostErrorKind.UNKNOWN_HOST_KEY: (
        Severity.WARNING,
        Category.SECURITY,
        "Host key not known: connection refused",
        "Check the fingerprint with the host's administrator (on the host: ssh-keygen -lf "
        "/etc/ssh/ssh_host_ed25519_key.pub), then add the key to the known_hosts file named here, or set "
        "trust_on_first_use: true for this host to record it on the next run.",
    ),
    HostErrorKind.CHANGED_HOST_KEY: (
        Severity.CRITICAL,
        Category.SECURITY,
        "Host key changed: connection refused",
        "A changed host key means the machine was rebuilt, its keys were regenerated, or something is "
        "intercepting the connection. Confirm with the host's administrator which it is before replacing "
        "the entry in known_hosts; until then nothing is collected from this host.",
    ),
    HostErrorKind.KNOWN_HOSTS: (
        Severity.WARNING,
        Category.CONFIGURATION,
        "known_hosts file not readable",
        "Make the known_hosts file readable by the agent's user, or point the host's known_hosts at one.",
    ),
    HostErrorKind.AUTH_FAILED: (
        Severity.WARNING,
        Category.AUTHENTICATION,
        "SSH login refused",
        "Check that the key's public half is in the user's authorized_keys on the host and that the user "
        "may log in (AllowUsers, the account not locked).",
    ),
    HostErrorKind.KEY_FILE: (
        Severity.WARNING,
        Category.CONFIGURATION,
        "SSH key not usable",
        "Check key_file (readable by the agent, an OpenSSH private key) and its passphrase reference.",
    ),
}
_UNREACHABLE = (
    Severity.WARNING,
    Category.AVAILABILITY,
    "Host not reachable over SSH",
    "Check that the host is up, that sshd runs on the configured port and that firewalls between the "
    "agent (and the jump host, if any) and the host let SSH through.",
)


class HostConnection(HostCheck):
    meta = CheckMeta(
        id="host.connection",
        title="SSH connection to the host",
        description=(
            "Whether the agent could log in to the host over SSH with a verified host key. An unknown or "
            "changed host key is refused, so nothing about the machine, its JVM or its logs is known."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        error = host.connect_error()
        if error is None:
            how = f"SSH to {host.address}"
            if host.method == "local":
                how = "the agent's own machine, read locally"
            yield ctx.ok(
                "Host reached",
                f"Collected from {how} ({len(host.commands)} command(s) run).",
                evidence=[Evidence(label="address", value=host.address, time=host.started_at)],
            )
            return
        severity, category, title, recommendation = _HOW.get(error.kind, _UNREACHABLE)
        if error.via:
            title += f" (at jump host {error.via})"
        yield ctx.finding(
            severity,
            title,
            f"{error.message}. Nothing else was collected from {host.name}.",
            evidence=_evidence(error),
            recommendation=recommendation,
            category=category,
        )


def _evidence(error: HostError) -> list[Evidence]:
    items = [Evidence(label="error", value=error.kind.value, source="ssh connect", time=error.at)]
    for label, value in (
        ("presented key type", error.key_type),
        ("presented fingerprint", error.fingerprint),
        ("fingerprint in known_hosts", error.expected_fingerprint),
        ("known_hosts file", error.known_hosts),
        ("jump host", error.via),
    ):
        if value:
            items.append(Evidence(label=label, value=value, source="ssh connect", time=error.at))
    return items
