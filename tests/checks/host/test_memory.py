"""host.memory.pressure, host.swap and jvm.heap.size."""

from __future__ import annotations

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.hosts import GIB, host, jvm, run_host_check
from atlas_health.testing.instances import NOW, instance, snapshot
from checks.finding import Severity
from checks.host.memory_pressure import HostMemoryPressure
from checks.host.swap import HostSwap
from checks.jvm.heap_size import JvmHeapSize
from checks.runner import OutcomeStatus, run_checks
from collectors.hosts.model import HostError, HostErrorKind, MemoryInfo


def memory(total_gib: float = 32, available_gib: float = 14, swap_gib: float = 2, swap_used_gib: float = 0):
    return MemoryInfo(
        total=int(total_gib * GIB),
        available=int(available_gib * GIB),
        swap_total=int(swap_gib * GIB),
        swap_used=int(swap_used_gib * GIB),
    )


def outcome(subject, check_id):
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    return next(o for o in analysis.outcomes if o.check == check_id)


def test_memory_pressure_levels():
    assert only(run_host_check(HostMemoryPressure, host())).severity is Severity.OK
    tight = only(run_host_check(HostMemoryPressure, host(memory=memory(available_gib=2.5))))
    assert tight.check == "host.memory.pressure"
    assert (tight.severity, tight.title) == (Severity.WARNING, "Host is short of memory")
    assert evidence(tight)["available percent"] == 7.81
    assert (
        only(run_host_check(HostMemoryPressure, host(memory=memory(available_gib=1)))).severity
        is Severity.CRITICAL
    )


def test_missing_memory_skips_with_the_error():
    subject = host(
        memory=None,
        errors=[
            HostError(
                call="memory",
                kind=HostErrorKind.PERMISSION_DENIED,
                message="cat: /proc/meminfo: Permission denied",
                at=NOW,
            )
        ],
    )
    result = outcome(subject, "host.memory.pressure")
    assert (result.status, result.reason) == (
        OutcomeStatus.SKIPPED,
        "memory not collected: cat: /proc/meminfo: Permission denied",
    )


def test_swap_levels():
    assert only(run_host_check(HostSwap, host())).title == "Little swap in use"
    assert only(run_host_check(HostSwap, host(memory=memory(swap_gib=0)))).title == "No swap configured"
    swapping = only(run_host_check(HostSwap, host(memory=memory(swap_used_gib=0.5))))
    assert swapping.check == "host.swap"
    assert (swapping.severity, swapping.title) == (Severity.WARNING, "Host is swapping")
    assert (
        only(run_host_check(HostSwap, host(memory=memory(swap_used_gib=1.5)))).severity is Severity.CRITICAL
    )


def test_heap_that_fits_is_ok():
    finding = only(run_host_check(JvmHeapSize, host()))
    assert finding.check == "jvm.heap.size"
    assert finding.severity is Severity.OK


def test_heap_below_the_products_minimum():
    finding = only(run_host_check(JvmHeapSize, host(jvms=[jvm(xmx=1 * GIB)])))
    assert (finding.severity, finding.title) == (
        Severity.WARNING,
        "Heap below the product's minimum (Jira JVM (pid 4242, user jira))",
    )


def test_heap_larger_than_ram_is_critical():
    finding = only(run_host_check(JvmHeapSize, host(memory=memory(total_gib=16), jvms=[jvm(xmx=24 * GIB)])))
    assert finding.severity is Severity.CRITICAL


def test_heaps_of_all_jvms_together_over_75_percent_of_ram():
    other = jvm(
        pid=5000,
        role="other",
        product=None,
        user="elastic",
        xmx=10 * GIB,
        main="org.elasticsearch.bootstrap.Elasticsearch",
    )
    findings = run_host_check(JvmHeapSize, host(memory=memory(total_gib=24), jvms=[jvm(xmx=10 * GIB), other]))
    finding = only(findings)
    assert (finding.severity, finding.title) == (
        Severity.WARNING,
        "JVM heaps together take too much of the RAM",
    )
    assert "83 % of 24.0 GiB" in finding.message


def test_no_xmx_is_information():
    finding = only(run_host_check(JvmHeapSize, host(jvms=[jvm(xmx=None)])))
    assert finding.severity is Severity.INFO


def test_no_product_jvm_skips_the_jvm_checks():
    result = outcome(host(jvms=[jvm(role="other", product=None)]), "jvm.heap.size")
    assert (result.status, result.reason) == (
        OutcomeStatus.SKIPPED,
        "no product JVM found on this host (1 other Java process(es) running)",
    )
