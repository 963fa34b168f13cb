"""host.open_files: open file descriptors of the product JVM against its limit (ATST: warning from
70 %, major from 90 %). Every socket, index segment and log file is a descriptor.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, SkipCheck
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import first_error, jvm_key, jvm_label, percent, product_jvms, source
from checks.metadata import CheckMeta

KB = "https://confluence.atlassian.com/jirakb/health-check-open-files-limit-838555405.html"


class HostOpenFiles(HostCheck):
    meta = CheckMeta(
        id="host.open_files",
        title="Open files against the limit",
        description=(
            "Open file descriptors of the product JVM against its 'Max open files' limit. At the limit "
            "the JVM fails with 'Too many open files': no new connection, index segment or log file."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("jvms",),
        thresholds={"warning_percent": 70, "critical_percent": 90},
        references=(KB,),
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        jvms = product_jvms(ctx)
        judged = [
            (j, j.open_files, j.max_open_files)
            for j in jvms
            if j.open_files is not None and j.max_open_files is not None
        ]
        if not judged:
            reason = first_error(host, [f"jvm.{j.pid}.open_files" for j in jvms] + ["limits"])
            raise SkipCheck(f"open files not read: {reason}" if reason else "open files not read")
        for jvm, open_files, max_open_files in judged:
            limit = max_open_files.soft
            src = source(host, f"jvm.{jvm.pid}.open_files", f"jvm.{jvm.pid}.limits", "jvms")
            evidence = [
                Evidence(label="open files", value=open_files, source=src, time=ctx.now),
                Evidence(label="limit (soft)", value=limit, source=src, time=ctx.now),
                Evidence(label="limit (hard)", value=max_open_files.hard, source=src, time=ctx.now),
            ]
            if limit is None:
                yield ctx.ok(
                    f"No open-files limit ({jvm_label(jvm)})",
                    f"{open_files} open, no limit.",
                    evidence=evidence,
                    key=jvm_key(jvm),
                )
                continue
            used = percent(open_files, limit)
            text = f"{jvm_label(jvm)} has {open_files} of {limit} files open ({used:.0f} %)."
            if used >= ctx.threshold("critical_percent"):
                severity = Severity.CRITICAL
            elif used >= ctx.threshold("warning_percent"):
                severity = Severity.WARNING
            else:
                yield ctx.ok("Open files well below the limit", text, evidence=evidence, key=jvm_key(jvm))
                continue
            yield ctx.finding(
                severity,
                "Open files near the limit",
                text + " At the limit it fails with 'Too many open files'.",
                evidence=evidence,
                recommendation=(
                    "Raise the limit for the product's user (LimitNOFILE in the systemd unit, or nofile in "
                    "/etc/security/limits.conf; Atlassian suggests at least 16384) and look for descriptor "
                    "leaks if the count keeps growing."
                ),
                key=jvm_key(jvm),
            )
