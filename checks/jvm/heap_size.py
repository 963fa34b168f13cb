"""jvm.heap.size: the product JVM's maximum heap (-Xmx, the last one wins) against the product's
minimum and against the host's RAM shared with every other JVM on the box.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import jvm_key, jvm_label, percent, product_jvms, size, source
from checks.metadata import CheckMeta

MIB = 1024**2
# The smallest heap each product's own setenv defaults and sizing guides start from.
MINIMUM_HEAP = {
    "jira": 2048 * MIB,
    "confluence": 2048 * MIB,
    "bitbucket": 1024 * MIB,
    "bamboo": 1024 * MIB,
    "crowd": 512 * MIB,
    "fecru": 1024 * MIB,
}


class JvmHeapSize(HostCheck):
    meta = CheckMeta(
        id="jvm.heap.size",
        title="JVM heap size",
        description=(
            "The product JVM's -Xmx against the product's minimum and the host's RAM. A heap below the "
            "minimum runs out under load; the heaps of all JVMs on the host above max_ram_percent of RAM "
            "leave no room for the rest and push the host into swap or the OOM killer."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("jvms", "memory"),
        thresholds={"max_ram_percent": 75},
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        memory = collected(host.memory, "memory")
        ram = memory.total
        src = source(host, "jvms")
        problems = 0
        for jvm in product_jvms(ctx):
            evidence = [
                Evidence(label="pid", value=jvm.pid, source=src, time=ctx.now),
                Evidence(label="-Xmx", value=jvm.xmx, source=src, time=ctx.now),
                Evidence(label="-Xms", value=jvm.xms, source=src, time=ctx.now),
                Evidence(label="RAM", value=ram, source=source(host, "memory"), time=ctx.now),
            ]
            if jvm.xmx is None:
                problems += 1
                share = f"{jvm.max_ram_percentage:g} %" if jvm.max_ram_percentage else "25 %"
                yield ctx.finding(
                    Severity.INFO,
                    f"No -Xmx on the {jvm_label(jvm)}",
                    f"The heap is not set: the JVM takes {share} of the RAM it sees ({size(ram)}).",
                    evidence=evidence,
                    recommendation="Set -Xmx (and -Xms to the same value) in setenv.sh, sized for the load.",
                    key=jvm_key(jvm),
                )
                continue
            minimum = MINIMUM_HEAP.get(jvm.product or "", 0)
            if jvm.xmx > ram:
                problems += 1
                yield ctx.finding(
                    Severity.CRITICAL,
                    f"Heap larger than the host's RAM ({jvm_label(jvm)})",
                    f"-Xmx is {size(jvm.xmx)} on a host with {size(ram)} of RAM: the JVM will swap or be "
                    "ended by the OOM killer as the heap fills.",
                    evidence=evidence,
                    recommendation="Lower -Xmx well below the RAM, or move the product to a larger host.",
                    key=jvm_key(jvm),
                )
            elif jvm.xmx < minimum:
                problems += 1
                yield ctx.finding(
                    Severity.WARNING,
                    f"Heap below the product's minimum ({jvm_label(jvm)})",
                    f"-Xmx is {size(jvm.xmx)}; {jvm.product} needs at least {size(minimum)}.",
                    evidence=evidence,
                    recommendation="Raise -Xmx (JVM_MAXIMUM_MEMORY in setenv.sh) and keep -Xms equal to it.",
                    key=jvm_key(jvm),
                )
        heaps = [(j, j.xmx) for j in host.jvms or [] if j.xmx]
        total = sum(x for _, x in heaps)
        limit = ctx.threshold("max_ram_percent")
        if len(heaps) > 1 and percent(total, ram) > limit:
            problems += 1
            listing = ", ".join(f"pid {j.pid} {size(x)}" for j, x in heaps)
            yield ctx.finding(
                Severity.WARNING,
                "JVM heaps together take too much of the RAM",
                f"{len(heaps)} JVMs on the host may grow to {size(total)} of heap together, "
                f"{percent(total, ram):.0f} % of {size(ram)} RAM (more than {limit:g} %): {listing}.",
                evidence=[
                    Evidence(label=f"pid {j.pid} -Xmx", value=x, source=src, time=ctx.now) for j, x in heaps
                ],
                recommendation=(
                    "Leave a quarter of the RAM for the operating system, file cache and off-heap memory: "
                    "lower the heaps or move a JVM to another host."
                ),
                key="all-jvms",
            )
        if not problems:
            sizes = ", ".join(f"{jvm_label(j)} -Xmx {size(j.xmx)}" for j in host.product_jvms())
            yield ctx.ok("Heap size fits the host", f"{sizes} with {size(ram)} RAM.")
