"""A real JVM (tests/collectors/hosts/jvm_app, compiled here) found by its command line over SSH and
locally, its options read, and thread dumps that show its deliberate deadlock and stuck thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from atlas_health.testing.instances import NOW
from checks.registry import load_registry
from checks.runner import run_checks
from checks.thread_dumps.analysis import analyse_dumps
from collectors.hosts.collect import collect_host
from collectors.hosts.target import ProductDirs, ThreadDumpRequest
from collectors.model import Product, Snapshot
from tests.collectors.hosts.fake_product import (
    JVM_PASSWORD,
    FakeInstall,
    FakeJvm,
    compile_app,
    java_available,
)
from tests.collectors.hosts.helpers import FAST, endpoint, target

pytestmark = pytest.mark.server

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def jvm(tmp_path_factory: pytest.TempPathFactory, install: FakeInstall) -> Iterator[FakeJvm]:
    assert java_available(), "the JDK is missing: ./scripts/setup.sh --test installs it"
    running = FakeJvm(install, compile_app(tmp_path_factory.mktemp("classes"))).start()
    yield running
    running.stop()


def product_jvm(snapshot, pid: int):
    [found] = [j for j in snapshot.jvms if j.pid == pid]
    return found


def release_version() -> str:
    import os
    import shutil

    home = Path(os.path.realpath(shutil.which("java"))).parent.parent
    for line in (home / "release").read_text().splitlines():
        if line.startswith("JAVA_VERSION="):
            return line.split("=", 1)[1].strip('"')
    raise AssertionError("no JAVA_VERSION in the JDK's release file")


def test_the_jvm_is_found_by_command_line_over_ssh_with_its_options(server, keys, known_hosts, install, jvm):
    subject = target("node1", endpoint(server, keys["client"], known_hosts), install, product=Product.JIRA)
    snapshot = collect_host(subject, FAST)
    found = product_jvm(snapshot, jvm.pid)
    assert (found.role, found.product, found.main) == (
        "product",
        "jira",
        "org.apache.catalina.startup.Bootstrap",
    )
    assert found.xmx == 128 * MIB  # -Xmx96m then -Xmx128m: the last one wins, as in the JVM
    assert found.xms == 64 * MIB
    assert found.garbage_collector == "G1"
    assert found.gc_logging and found.gc_log_option.startswith("-Xlog:gc*:file=")
    assert found.java_version == release_version()
    assert found.threads and found.threads >= 5
    assert found.open_files and found.open_files > 3
    assert found.max_open_files is not None and found.max_processes is not None
    assert found.user_threads is not None and found.user_threads >= found.threads
    assert f"-Djavax.net.ssl.keyStorePassword={JVM_PASSWORD}" not in found.arguments
    assert "-Djavax.net.ssl.keyStorePassword=***" in found.arguments


def test_thread_dumps_over_ssh_show_the_deadlock_and_the_stuck_thread(
    server, keys, known_hosts, install, jvm
):
    subject = target("node1", endpoint(server, keys["client"], known_hosts), install, product=Product.JIRA)
    snapshot = collect_host(subject, replace(FAST, thread_dumps=ThreadDumpRequest(count=3, interval_s=1.0)))
    dumps = [d for d in snapshot.thread_dumps if d.pid == jvm.pid]
    assert len(dumps) == 3 and {d.tool for d in dumps} == {"jcmd"}
    assert dumps[2].taken_at > dumps[0].taken_at
    [analysis] = [a for a in analyse_dumps(snapshot.thread_dumps) if a.pid == jvm.pid]
    assert [set(d.threads) for d in analysis.deadlocks] == [{"lock-holder-a", "lock-holder-b"}]
    assert [(s.name, s.pool, s.dumps) for s in analysis.stuck] == [("http-nio-8080-exec-7", "http", 3)]
    assert analysis.stuck[0].frames[0] == "org.apache.catalina.startup.Bootstrap.spin"

    findings = run_checks(
        Snapshot(tool_version="t", started_at=NOW, finished_at=NOW, hosts=[snapshot]), load_registry()
    ).findings
    by_check = {f.check: f for f in findings}
    assert by_check["jvm.threads.deadlock"].severity == "critical"
    assert by_check["jvm.threads.stuck"].severity == "warning"
    assert "http-nio-8080-exec-7" in by_check["jvm.threads.stuck"].message


def test_the_local_collector_finds_the_same_jvm_with_psutil(install, jvm):
    subject = target(
        "me",
        None,
        local=True,
        product=Product.JIRA,
        dirs=ProductDirs(install=str(install.install), home=str(install.home)),
    )
    snapshot = collect_host(subject, replace(FAST, thread_dumps=ThreadDumpRequest(count=2, interval_s=0.5)))
    assert snapshot.method == "local" and snapshot.address == "local"
    found = product_jvm(snapshot, jvm.pid)
    assert (found.product, found.xmx, found.xms, found.gc_logging) == ("jira", 128 * MIB, 64 * MIB, True)
    assert found.java_version == release_version()
    assert found.open_files and found.max_open_files and found.max_open_files.soft
    assert "-Djavax.net.ssl.keyStorePassword=***" in found.arguments
    assert [d.pid for d in snapshot.thread_dumps].count(jvm.pid) == 2
    [analysis] = [a for a in analyse_dumps(snapshot.thread_dumps) if a.pid == jvm.pid]
    assert analysis.deadlocks and [s.name for s in analysis.stuck] == ["http-nio-8080-exec-7"]


def test_thread_dumps_of_a_host_without_a_product_jvm_say_so(server, keys, known_hosts, tmp_path, jvm):
    # the host serves Confluence: the running Jira JVM is another JVM on the box, not the product's
    subject = target(
        "node1",
        endpoint(server, keys["client"], known_hosts),
        product=Product.CONFLUENCE,
        dirs=ProductDirs(install=str(tmp_path / "elsewhere")),
    )
    snapshot = collect_host(subject, replace(FAST, thread_dumps=ThreadDumpRequest(count=2, interval_s=0.1)))
    assert (product_jvm(snapshot, jvm.pid).role, product_jvm(snapshot, jvm.pid).product) == ("other", "jira")
    assert snapshot.thread_dumps is None
    error = snapshot.error_for("thread_dumps")
    assert error is not None and error.message == "thread dumps requested, but no product JVM was found"
