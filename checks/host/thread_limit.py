"""host.thread_limit: the product user's process limit (nproc). On Linux it counts threads, of every
process of the user: below 4096 (ATST), or nearly used up, the JVM cannot start new threads.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, SkipCheck
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import first_error, jvm_key, jvm_label, percent, product_jvms, source
from checks.metadata import CheckMeta

KB = "https://confluence.atlassian.com/jirakb/health-check-thread-limit-858578685.html"


class HostThreadLimit(HostCheck):
    meta = CheckMeta(
        id="host.thread_limit",
        title="Thread limit (nproc)",
        description=(
            "The 'Max processes' limit of the product JVM, which on Linux caps the threads of all the "
            "user's processes. Below 4096, or nearly used up, the JVM fails with 'unable to create new "
            "native thread'."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("jvms",),
        thresholds={"minimum": 4096, "critical_percent": 90},
        references=(KB,),
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        jvms = product_jvms(ctx)
        judged = [(j, j.max_processes) for j in jvms if j.max_processes is not None]
        if not judged:
            reason = first_error(host, [f"jvm.{j.pid}.limits" for j in jvms])
            raise SkipCheck(f"process limits not read: {reason}" if reason else "process limits not read")
        for jvm, max_processes in judged:
            limit = max_processes.soft
            in_use = jvm.user_threads if jvm.user_threads is not None else jvm.threads
            src = source(host, f"jvm.{jvm.pid}.limits", "jvms")
            evidence = [
                Evidence(label="max processes (soft)", value=limit, source=src, time=ctx.now),
                Evidence(
                    label=f"threads of user {jvm.user}", value=jvm.user_threads, source=src, time=ctx.now
                ),
                Evidence(label="threads of the JVM", value=jvm.threads, source=src, time=ctx.now),
            ]
            if limit is None:
                yield ctx.ok(
                    f"No thread limit ({jvm_label(jvm)})",
                    "The user's process limit is unlimited.",
                    evidence=evidence,
                    key=jvm_key(jvm),
                )
                continue
            used = percent(in_use or 0, limit)
            if in_use is not None and used >= ctx.threshold("critical_percent"):
                yield ctx.finding(
                    Severity.CRITICAL,
                    "Thread limit nearly used up",
                    f"User {jvm.user} runs {in_use} threads of the {limit} its limit allows ({used:.0f} %): "
                    f"the {jvm_label(jvm)} is about to fail with 'unable to create new native thread'.",
                    evidence=evidence,
                    recommendation="Raise nproc for the user; find what runs so many threads (thread dumps).",
                    key=jvm_key(jvm),
                )
            elif limit < ctx.threshold("minimum"):
                yield ctx.finding(
                    Severity.WARNING,
                    "Thread limit below 4096",
                    f"The {jvm_label(jvm)} may run at most {limit} threads together with the user's other "
                    f"processes (now {in_use if in_use is not None else 'unknown'}); Atlassian asks for at "
                    f"least {ctx.threshold('minimum'):g}.",
                    evidence=evidence,
                    recommendation=(
                        "Raise the limit: LimitNPROC in the systemd unit, or nproc in "
                        "/etc/security/limits.conf for the product's user, then restart the product."
                    ),
                    key=jvm_key(jvm),
                )
            else:
                yield ctx.ok(
                    "Thread limit is enough",
                    f"{jvm_label(jvm)}: limit {limit}, {in_use} thread(s) in use ({used:.0f} %).",
                    evidence=evidence,
                    key=jvm_key(jvm),
                )
