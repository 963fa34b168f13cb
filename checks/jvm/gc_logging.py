"""jvm.gc.logging: is garbage-collection logging on? Without the GC log a pause, a memory leak or an
undersized heap cannot be shown after the fact; Atlassian's own setenv.sh turns it on.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import jvm_key, jvm_label, product_jvms, source
from checks.metadata import CheckMeta


class JvmGcLogging(HostCheck):
    meta = CheckMeta(
        id="jvm.gc.logging",
        title="Garbage-collection logging",
        description=(
            "Whether the product JVM writes a GC log (-Xlog:gc* on Java 9 and later, -Xloggc with "
            "-XX:+PrintGCDetails on Java 8). Without it, GC pauses and heap exhaustion cannot be diagnosed."
        ),
        category=Category.CONFIGURATION,
        default_severity=Severity.WARNING,
        requires=("jvms",),
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        src = source(host, "jvms")
        for jvm in product_jvms(ctx):
            evidence = [
                Evidence(label="GC log option", value=jvm.gc_log_option, source=src, time=ctx.now),
                Evidence(label="collector", value=jvm.garbage_collector, source=src, time=ctx.now),
            ]
            if jvm.gc_logging:
                yield ctx.ok(
                    "GC logging is on",
                    f"{jvm_label(jvm)}: {jvm.gc_log_option}",
                    evidence=evidence,
                    key=jvm_key(jvm),
                )
                continue
            yield ctx.finding(
                Severity.WARNING,
                "GC logging is off",
                f"The {jvm_label(jvm)} writes no garbage-collection log: long pauses and heap trouble leave "
                "no trace to diagnose.",
                evidence=evidence,
                recommendation=(
                    "Add -Xlog:gc*:file=<install>/logs/gc-%t.log:time,uptime:filecount=5,filesize=20M to "
                    "the JVM options (Java 9+; Java 8: -Xloggc:<file> -XX:+PrintGCDetails "
                    "-XX:+PrintGCDateStamps)."
                ),
                key=jvm_key(jvm),
            )
