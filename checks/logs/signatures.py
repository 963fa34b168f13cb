"""logs.signatures: known problems of the signature knowledge base that matched in the logs.

One finding per signature that matched, at the severity its knowledge-base entry gives, with how
often, when, where, sample lines (redacted when they were read) and the KB article. Restart markers
(cause "restart", or any signature behind a RestartEvent) are left to logs.restarts: a restart is
judged by its pattern across nodes, not one line at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._common import between, listing, plural, severity_named, sources, when
from checks.metadata import CheckMeta
from collectors.logs.model import FileProblem, LogAnalysis, LogFileSummary, LogKind, SignatureHit

RESTART_CAUSE = "restart"
# Cause classes of the knowledge base, by the first word of the cause; anything else is availability.
CAUSE_CATEGORIES = {
    "memory": Category.AVAILABILITY,  # after an OutOfMemoryError the JVM is unreliable until restarted
    "database": Category.AVAILABILITY,  # an exhausted pool fails requests outright
    "gc": Category.PERFORMANCE,
    "threads": Category.PERFORMANCE,
    "http": Category.PERFORMANCE,
    "cache": Category.PERFORMANCE,
    "events": Category.PERFORMANCE,
    "authentication": Category.AUTHENTICATION,
    "directory": Category.AUTHENTICATION,
    "ldap": Category.AUTHENTICATION,
    "sso": Category.AUTHENTICATION,
    "index": Category.INTEGRITY,
    "replication": Category.INTEGRITY,
    "os": Category.CAPACITY,
    "disk": Category.CAPACITY,
    "resources": Category.CAPACITY,
    "plugins": Category.AVAILABILITY,
    "startup": Category.AVAILABILITY,
    "cluster": Category.AVAILABILITY,
    "mail": Category.AVAILABILITY,
    "integration": Category.AVAILABILITY,
    "product": Category.AVAILABILITY,
    "license": Category.LICENSING,
    "licensing": Category.LICENSING,
    "security": Category.SECURITY,
    "configuration": Category.CONFIGURATION,
    "config": Category.CONFIGURATION,
}
SHOWN_FILES = 5


def category_of(cause: str) -> Category:
    """The finding category of a cause class ("memory", "Directory/LDAP", "os: file descriptors")."""
    words = re.findall(r"[a-z]+", cause.lower())
    return CAUSE_CATEGORIES.get(words[0], Category.AVAILABILITY) if words else Category.AVAILABILITY


def scanned_files(analysis: LogAnalysis) -> list[LogFileSummary]:
    """The files the signatures were matched in: thread dumps are parsed, not scanned for signatures."""
    return [f for f in analysis.files if f.kind is not LogKind.THREAD_DUMP]


def was_scanned(analysis: LogAnalysis) -> bool:
    """Whether any recognised log was read at all, so that "nothing matched" means something."""
    return any(f.lines > 0 and f.problem in (None, FileProblem.TRUNCATED) for f in scanned_files(analysis))


class LogsSignatures(LogsCheck):
    meta = CheckMeta(
        id="logs.signatures",
        title="Known problems in the logs",
        description=(
            "Known failure signatures of the knowledge base (out of memory, exhausted database pools, stuck "
            "threads, directory and index failures, OS limits, plugin and startup failures, ...) that "
            "matched in the logs, each at its own severity with its KB article."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        if not was_scanned(logs):
            raise SkipCheck("no log file could be read, so no signature could match")
        restart_markers = {r.signature for r in logs.restarts}
        hits = [
            h
            for h in logs.signatures
            if h.cause.strip().lower() != RESTART_CAUSE and h.signature not in restart_markers
        ]
        if not hits:
            files = scanned_files(logs)
            lines = sum(f.lines for f in files)
            yield ctx.ok(
                "No known problem in the logs",
                f"No signature of the knowledge base matched in {plural(len(files), 'file')} "
                f"({lines:,} lines) {between(logs.first_at, logs.last_at)}.",
                evidence=[
                    Evidence(
                        label="lines read",
                        value=lines,
                        time=ctx.now,
                        source=sources(f.path for f in files),
                    )
                ],
                key="none",
            )
            return
        for hit in sorted(hits, key=lambda h: (-severity_named(h.severity).rank, -h.count, h.signature)):
            yield self._finding(ctx, hit)

    def _finding(self, ctx: LogsContext, hit: SignatureHit) -> Finding:
        title = hit.title or f"Signature {hit.signature} matched"
        nodes = listing(hit.nodes) or "an unknown node"
        seen = between(hit.first_at, hit.last_at)
        message = f"{title}: seen {plural(hit.count, 'time')} on {nodes} {seen}."
        if hit.explanation:
            message += f" {hit.explanation.strip()}"
        evidence = [
            Evidence(label="matches", value=hit.count, source=sources(hit.files), time=hit.last_at),
            Evidence(label="first seen", value=when(hit.first_at, seconds=True), time=hit.first_at),
            Evidence(label="last seen", value=when(hit.last_at, seconds=True), time=hit.last_at),
            Evidence(label="nodes", value=", ".join(hit.nodes)),
            Evidence(label="files", value=listing(hit.files, SHOWN_FILES)),
        ]
        if hit.per_minute:
            busiest = max(hit.per_minute, key=lambda m: m.count)
            evidence.append(Evidence(label="most in one bucket", value=busiest.count, time=busiest.at))
        evidence += [
            Evidence(
                label=f"sample {index}",
                value=sample.text,
                source=f"{sample.node}: {sample.file}",
                time=sample.at,
            )
            for index, sample in enumerate(hit.samples, start=1)
        ]
        return ctx.finding(
            severity_named(hit.severity),
            title,
            message,
            evidence=evidence,
            recommendation=hit.recommendation.strip()
            or (
                "Read the sample lines and the KB article of this signature, and look at what the logs "
                "said just before the first match."
            ),
            references=[hit.kb] if hit.kb else [],
            key=hit.signature,
            category=category_of(hit.cause),
        )
