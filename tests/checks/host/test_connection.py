"""host.connection and host.collection: reaching the host, and what could not be read once there."""

from __future__ import annotations

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.hosts import host, run_host_check
from atlas_health.testing.instances import NOW, instance, snapshot
from checks.finding import Category, Severity
from checks.host.collection import HostCollection
from checks.host.connection import HostConnection
from checks.runner import OutcomeStatus, run_checks
from collectors.hosts.model import HostError, HostErrorKind


def unreached(kind: HostErrorKind, message: str, **extra) -> object:
    return host(
        connected=False,
        commands=[],
        os=None,
        uptime_s=None,
        cpu=None,
        memory=None,
        filesystems=None,
        product_paths=None,
        jvms=None,
        oom_events=None,
        clock=None,
        errors=[HostError(call="connect", kind=kind, message=message, at=NOW, **extra)],
    )


def test_a_reached_host_is_ok():
    finding = only(run_host_check(HostConnection, host()))
    assert finding.check == "host.connection"
    assert finding.severity is Severity.OK
    assert finding.target == "jira-node1"


def test_an_unknown_host_key_is_a_security_warning_carrying_the_fingerprint():
    subject = unreached(
        HostErrorKind.UNKNOWN_HOST_KEY,
        "10.0.0.11:22 presented a host key ... refused",
        key_type="ssh-ed25519",
        fingerprint="SHA256:abc123",
        known_hosts="/etc/atlas/known_hosts",
    )
    finding = only(run_host_check(HostConnection, subject))
    assert finding.severity is Severity.WARNING
    assert finding.category is Category.SECURITY
    assert finding.title == "Host key not known: connection refused"
    facts = evidence(finding)
    assert facts["presented fingerprint"] == "SHA256:abc123"
    assert facts["known_hosts file"] == "/etc/atlas/known_hosts"
    assert "trust_on_first_use" in finding.recommendation


def test_a_changed_host_key_is_critical_with_both_fingerprints():
    subject = unreached(
        HostErrorKind.CHANGED_HOST_KEY,
        "the host key changed; refused",
        fingerprint="SHA256:new",
        expected_fingerprint="SHA256:old",
    )
    finding = only(run_host_check(HostConnection, subject))
    assert finding.severity is Severity.CRITICAL
    facts = evidence(finding)
    assert (facts["presented fingerprint"], facts["fingerprint in known_hosts"]) == (
        "SHA256:new",
        "SHA256:old",
    )


def test_auth_failure_and_unreachable_hosts_get_their_own_titles():
    auth = only(
        run_host_check(
            HostConnection, unreached(HostErrorKind.AUTH_FAILED, "svc@10.0.0.11:22 refused the key")
        )
    )
    assert (auth.severity, auth.category, auth.title) == (
        Severity.WARNING,
        Category.AUTHENTICATION,
        "SSH login refused",
    )
    down = only(
        run_host_check(
            HostConnection,
            unreached(HostErrorKind.CONNECTION_REFUSED, "connection refused", via="10.0.0.1:22"),
        )
    )
    assert down.title == "Host not reachable over SSH (at jump host 10.0.0.1:22)"


def test_every_other_host_check_is_skipped_with_the_connection_error():
    subject = unreached(HostErrorKind.UNREACHABLE, "10.0.0.11:22: no answer within 10 s")
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    outcomes = {o.check: o for o in analysis.outcomes if o.target == "jira-node1"}
    assert outcomes["host.disk.free"].status is OutcomeStatus.SKIPPED
    assert outcomes["host.disk.free"].reason == "host not reached (10.0.0.11:22: no answer within 10 s)"
    assert outcomes["host.connection"].status is OutcomeStatus.RAN


def test_collection_reports_failed_reads_by_kind_and_limits():
    subject = host(
        errors=[
            HostError(
                call="jvm.4242.open_files",
                kind=HostErrorKind.PERMISSION_DENIED,
                message="ls: cannot open directory '/proc/4242/fd': Permission denied",
                at=NOW,
            ),
            HostError(
                call="config_files",
                kind=HostErrorKind.COMMAND_TIMEOUT,
                message="read_file: no answer within 20 s",
                at=NOW,
            ),
        ],
        limits_hit=["acme/jira-node1: jvms: output cut at the cap of 8388608 bytes (9000000+ bytes sent)"],
    )
    findings = run_host_check(HostCollection, subject)
    titles = {f.title: f for f in findings}
    denied = titles["1 host read(s) failed: permission denied"]
    assert denied.severity is Severity.WARNING
    assert "sudo_user" in denied.recommendation
    assert titles["1 host read(s) failed: command timeout"].severity is Severity.WARNING
    assert titles["Host collection cut short by a limit"].severity is Severity.INFO


def test_collection_is_ok_when_nothing_failed_and_skipped_when_not_connected():
    assert only(run_host_check(HostCollection, host())).severity is Severity.OK
    subject = unreached(HostErrorKind.DNS, "jira-node1.acme: name not resolved")
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    outcome = next(o for o in analysis.outcomes if o.check == "host.collection")
    assert (outcome.status, outcome.reason) == (
        OutcomeStatus.SKIPPED,
        "host not reached: see host.connection",
    )
