"""Wording, times and references the log checks share (no checks here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from checks.finding import Severity

# Atlassian articles the log checks cite.
KB_GC_TUNING = "https://confluence.atlassian.com/enterprise/garbage-collection-gc-tuning-guide-461504616.html"
KB_GC_CONFLUENCE = (
    "https://confluence.atlassian.com/conf88/garbage-collector-performance-issues-1354500761.html"
)
KB_HEAP_DUMPS = (
    "https://confluence.atlassian.com/jirakb/"
    "capturing-heap-dumps-before-fullgcs-to-troubleshoot-memory-problems-966051552.html"
)
KB_HEAP_DUMP_BITBUCKET = (
    "https://confluence.atlassian.com/bitbucketserverkb/how-to-generate-a-heap-dump-779171694.html"
)
KB_OOM = "https://confluence.atlassian.com/jirakb/jira-running-out-of-memory-due-to-gc-allocation-race-condition-957122851.html"
KB_ACCESS_LOG_JIRA = "https://confluence.atlassian.com/adminjiraserver/log-format-940696477.html"
KB_LOG_FORMATS_BITBUCKET = "https://confluence.atlassian.com/bitbucketserverkb/how-to-read-the-bitbucket-server-log-formats-779171668.html"
KB_SECURITY_LOG = (
    "https://confluence.atlassian.com/display/JIRAKB/How+to+analyze+the+atlassian-jira-security.log+file"
)
KB_CAPTCHA = "https://support.atlassian.com/jira/kb/user-receives-repeated-captcha-prompts-on-login-to-jira-data-center/"
KB_RESET_LOGIN_COUNT = "https://confluence.atlassian.com/jirakb/how-to-reset-failed-user-login-count-in-jira-data-center-442270086.html"

_SEVERITIES = {"info": Severity.INFO, "warning": Severity.WARNING, "critical": Severity.CRITICAL}


def severity_named(name: str) -> Severity:
    """A knowledge-base severity word as a Severity; an unknown word counts as a warning."""
    return _SEVERITIES.get(name.strip().lower(), Severity.WARNING)


def worst(*severities: Severity) -> Severity:
    return max(severities, key=lambda s: s.rank, default=Severity.OK)


def when(moment: datetime | None, *, seconds: bool = False) -> str:
    """``2024-05-01 10:03 UTC`` (with seconds for single events); "an unknown time" for None."""
    if moment is None:
        return "an unknown time"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def between(first: datetime | None, last: datetime | None) -> str:
    """``between 2024-05-01 10:00 UTC and 2024-05-01 12:00 UTC``, or ``at ...`` when they are one minute."""
    if first is None and last is None:
        return "at unknown times"
    if first is None or last is None or when(first) == when(last):
        return f"at {when(first or last)}"
    return f"between {when(first)} and {when(last)}"


def listing(items: Sequence[str], limit: int = 5) -> str:
    """``a, b and c``; ``a, b, c and 4 more`` past the limit."""
    shown = list(items[:limit])
    rest = len(items) - len(shown)
    if rest > 0:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def sources(files: Iterable[str], limit: int = 3) -> str:
    """The files an evidence item comes from, for Evidence.source."""
    return listing(sorted(set(files)), limit) or "the analysed logs"


def bucket_words(bucket_s: int) -> str:
    """The width of a series bucket: "minute", "5-minute", "hour"."""
    if bucket_s == 60:
        return "minute"
    if bucket_s == 3600:
        return "hour"
    if bucket_s % 3600 == 0:
        return f"{bucket_s // 3600}-hour"
    return f"{bucket_s // 60}-minute" if bucket_s % 60 == 0 else f"{bucket_s}-second"


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3.5 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 request``, ``3,000 requests``: counts from logs run into thousands."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"
