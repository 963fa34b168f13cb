"""jvm.gc.logging and jvm.java.version."""

from __future__ import annotations

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.hosts import host, jvm, run_host_check
from atlas_health.testing.instances import instance, snapshot
from checks.finding import Severity
from checks.java_support import java_major, load_java_support
from checks.jvm.gc_logging import JvmGcLogging
from checks.jvm.java_version import JvmJavaVersion
from checks.runner import OutcomeStatus, run_checks
from collectors.model import ServerInfo


def jira(version: str):
    numbers = [int(p) for p in version.split(".")]
    return instance(server_info=ServerInfo(version=version, version_numbers=numbers))


def test_gc_logging_on_and_off():
    on = only(run_host_check(JvmGcLogging, host()))
    assert (on.check, on.severity) == ("jvm.gc.logging", Severity.OK)
    off = only(run_host_check(JvmGcLogging, host(jvms=[jvm(gc_logging=False, gc_log_option=None)])))
    assert (off.severity, off.title) == (Severity.WARNING, "GC logging is off")
    assert "-Xlog:gc*" in off.recommendation


def test_supported_java_is_ok():
    finding = only(run_host_check(JvmJavaVersion, host(), instances=(jira("9.12.4"),)))
    assert (finding.check, finding.severity) == ("jvm.java.version", Severity.OK)
    assert evidence(finding)["supported Java"] == "8, 11, 17"


def test_unsupported_java_on_a_confirmed_row_is_critical():
    finding = only(
        run_host_check(JvmJavaVersion, host(jvms=[jvm(java_version="11.0.22")]), instances=(jira("10.1.2"),))
    )
    assert (finding.severity, finding.title) == (Severity.CRITICAL, "Unsupported Java 11 for jira 10.1")


def test_unsupported_java_on_an_unconfirmed_row_is_a_warning_that_says_so():
    finding = only(
        run_host_check(
            JvmJavaVersion, host(jvms=[jvm(java_version="1.8.0_402")]), instances=(jira("10.3.1"),)
        )
    )
    assert finding.severity is Severity.WARNING
    assert "not confirmed" in finding.message


def test_without_the_product_version_the_check_is_skipped():
    analysis = run_checks(
        snapshot(instance(server_info=None)).model_copy(update={"hosts": [host()]}), registry()
    )
    outcome = next(o for o in analysis.outcomes if o.check == "jvm.java.version")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert "the product version is not known" in outcome.reason


def test_java_major_versions_and_the_table():
    assert [java_major(v) for v in ("17.0.10", "1.8.0_402", "21", None, "x")] == [17, 8, 21, None, None]
    table = load_java_support()
    assert table.lookup("confluence", (8, 5)).java == (11, 17)
    assert table.lookup("jira", (7, 13)) is None
