"""jvm.java.version: is the product JVM's Java a version the product (at its collected version)
supports? Unsupported Java is ATST's CRITICAL "JDK runtime" failure: Atlassian support will ask for
a supported one before anything else.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, SkipCheck
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import jvm_key, jvm_label, product_jvms, source
from checks.java_support import java_major, load_java_support
from checks.metadata import CheckMeta


class JvmJavaVersion(HostCheck):
    meta = CheckMeta(
        id="jvm.java.version",
        title="Supported Java version",
        description=(
            "The Java version of the product JVM against the versions the product's release supports. "
            "An unsupported Java is outside Atlassian support and a common cause of odd failures."
        ),
        category=Category.CONFIGURATION,
        default_severity=Severity.CRITICAL,
        requires=("jvms",),
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        jvms = product_jvms(ctx)
        served = ctx.served_instance
        if served is None or served.server_info is None or len(served.server_info.version_numbers) < 2:
            what = f"instance {host.instance}" if host.instance else "no configured instance"
            raise SkipCheck(
                f"the product version is not known: the host serves {what}, whose version was not collected"
            )
        major, minor = served.server_info.version_numbers[:2]
        product = served.product.value
        table = load_java_support()
        row = table.lookup(product, (major, minor))
        if row is None:
            raise SkipCheck(f"no Java support data for {product} {major}.{minor}")
        version = served.server_info.version
        for jvm in jvms:
            java = java_major(jvm.java_version)
            src = source(host, f"jvm.{jvm.pid}.java_version", "jvms")
            evidence = [
                Evidence(label="Java version", value=jvm.java_version, source=src, time=ctx.now),
                Evidence(label="Java vendor", value=jvm.java_vendor, source=src, time=ctx.now),
                Evidence(label="Java home", value=jvm.java_home, source=src, time=ctx.now),
                Evidence(label=f"{product} version", value=version, source=f"instance {served.instance}"),
                Evidence(
                    label="supported Java",
                    value=", ".join(map(str, row.java)),
                    source=f"java_support.yaml (checked {table.checked})",
                ),
            ]
            if java is None:
                yield ctx.finding(
                    Severity.UNKNOWN,
                    f"Java version not known ({jvm_label(jvm)})",
                    "The JVM's Java version could not be read.",
                    evidence=evidence,
                    key=jvm_key(jvm),
                )
                continue
            if java in row.java:
                yield ctx.ok(
                    "Supported Java",
                    f"{jvm_label(jvm)} runs Java {jvm.java_version}; "
                    f"{product} {version} supports Java {', '.join(map(str, row.java))}.",
                    evidence=evidence,
                    key=jvm_key(jvm),
                )
                continue
            unconfirmed = (
                ""
                if row.confirmed
                else (
                    f" (the table's row for {product} {row.label}+ is not confirmed against Atlassian's page)"
                )
            )
            yield ctx.finding(
                Severity.CRITICAL if row.confirmed else Severity.WARNING,
                f"Unsupported Java {java} for {product} {major}.{minor}",
                f"The {jvm_label(jvm)} runs Java {jvm.java_version}; {product} {version} supports Java "
                f"{', '.join(map(str, row.java))}{unconfirmed}.",
                evidence=evidence,
                recommendation=(
                    f"Run {product} on a supported Java ({', '.join(map(str, row.java))}); the bundled JRE "
                    "of the product's installer is one. Set JAVA_HOME / JRE_HOME in setenv.sh and restart."
                ),
                key=jvm_key(jvm),
            )
