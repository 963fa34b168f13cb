"""Recognising what a log file is: by its name first, then by its first lines.

Names vary between product versions and installs (rotated ``.1``, dated ``.2024-05-01``, gzipped,
renamed by a customer's log shipper), so content decides when the name is silent, and content can
tell a GC log's format apart (JDK 8 ``-XX:+PrintGCDetails`` or unified ``-Xlog``).
"""

from __future__ import annotations

import re

from collectors.logs.kinds import LogKind

_NAME_RULES: list[tuple[re.Pattern[str], LogKind]] = [
    (re.compile(r"^atlassian-jira-security\.log"), LogKind.JIRA_SECURITY),
    (re.compile(r"(^|[-_.])gc([-_.%]|$)"), LogKind.GC_UNIFIED),  # format sniffed below
    (re.compile(r"^atlassian-jira(-[\w-]+)?\.log"), LogKind.JIRA_APP),
    (re.compile(r"^atlassian-(greenhopper|servicedesk)[\w-]*\.log"), LogKind.JIRA_APP),
    (re.compile(r"^atlassian-bitbucket-access\.log"), LogKind.BITBUCKET_ACCESS),
    (re.compile(r"^atlassian-(bitbucket|stash)(-[\w-]+)?\.log"), LogKind.BITBUCKET_APP),
    (re.compile(r"^atlassian-confluence(-[\w-]+)?\.log"), LogKind.CONFLUENCE_APP),
    (re.compile(r"^atlassian-synchrony[\w-]*\.log"), LogKind.APPLICATION),
    (re.compile(r"^atlassian-bamboo(-[\w-]+)?\.log"), LogKind.BAMBOO_APP),
    (re.compile(r"^atlassian-crowd(-[\w-]+)?\.log"), LogKind.CROWD_APP),
    (re.compile(r"^catalina\.(out|\d{4}-\d\d-\d\d\.log)"), LogKind.CATALINA),
    (re.compile(r"^(localhost|manager|host-manager)\.\d{4}-\d\d-\d\d\.log"), LogKind.CATALINA),
    (re.compile(r"^(conf_access_log|confluence_access)"), LogKind.CONFLUENCE_ACCESS),
    (re.compile(r"^crowd_access"), LogKind.CROWD_ACCESS),
    # Tomcat's default prefix, used by Jira's and Bamboo's valves alike: the content says which.
    (re.compile(r"^(localhost_)?access_log"), LogKind.TOMCAT_ACCESS),
]

_ISO = rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3}"
# Access-log layouts by content. The first three are one product's own (Bitbucket's pipes, Jira's request
# ids, Confluence's time-first default); the Helm charts' layout is Confluence's and Crowd's alike, and
# any other layout with a bracketed time before a quoted request (Bamboo's, Tomcat's common and combined,
# Jetty's NCSA) is product-neutral.
_CLF_STAMP = rb"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]"
_OWN_ACCESS: list[tuple[re.Pattern[bytes], LogKind]] = [
    (re.compile(rb"\| (https?|ssh) \| [io]@\S+ \| [^|]* \| " + _ISO, re.M), LogKind.BITBUCKET_ACCESS),
    (re.compile(rb"^\S+ \d+x\d+x\d+ \S+ " + _CLF_STAMP, re.M), LogKind.JIRA_ACCESS),
    (re.compile(rb"^" + _CLF_STAMP + rb" ", re.M), LogKind.CONFLUENCE_ACCESS),
]
_NEUTRAL_ACCESS: list[tuple[re.Pattern[bytes], LogKind]] = [
    (re.compile(rb"^\S+ \S+ " + _CLF_STAMP + rb' "', re.M), LogKind.CONFLUENCE_ACCESS),
    (re.compile(rb'^[^ \["\n]+ (?:[^\["\n]* )?' + _CLF_STAMP + rb' "', re.M), LogKind.TOMCAT_ACCESS),
]
_ACCESS_RULES = _OWN_ACCESS + _NEUTRAL_ACCESS
# Requests only one product serves, naming the product of a product-neutral layout: Bamboo's agents and
# build results, Crowd's user-management REST API.
_ACCESS_PRODUCTS: list[tuple[re.Pattern[bytes], LogKind]] = [
    (
        re.compile(
            rb'\] "[A-Z]+ /(?:bamboo/)?(?:agentServer/|chain/|build/admin/|rest/api/latest/(?:result|queue)/)'
        ),
        LogKind.BAMBOO_ACCESS,
    ),
    (re.compile(rb'\] "[A-Z]+ /(?:crowd/)?rest/usermanagement/'), LogKind.CROWD_ACCESS),
]
_CONTENT_RULES: list[tuple[re.Pattern[bytes], LogKind]] = [
    (re.compile(rb"^\[\d{4}-\d\d-\d\dT[^\]]+\](\[[^\]]*\])*\s*(GC\(\d+\)|Using )", re.M), LogKind.GC_UNIFIED),
    (re.compile(rb"^\[[\d.]+s\](\[[^\]]*\])*\s*(GC\(\d+\)|Using )", re.M), LogKind.GC_UNIFIED),
    # JDK 8: stamps (a date, an uptime or both, with "." or ","), "#3: " with -XX:+PrintGCID, then an event;
    # Shenandoah's are "[Pause Init Mark, 0.419 ms]" and "[Concurrent marking, start]"
    (
        re.compile(
            rb"^(?:\d{4}-\d\d-\d\dT\S+: (?:\d+[.,]\d+: )?|\d+[.,]\d+: )(?:#\d+: )?"
            rb"\[(?:GC|Full GC|Pause |Concurrent )",
            re.M,
        ),
        LogKind.GC_JDK8,
    ),
    # JDK 8 without stamps: events open with a bracket no unified decoration has; or the header the JVM
    # writes at the top of every -Xloggc file (unified logging has none)
    (re.compile(rb"^(?:\[(?:GC \(|GC pause|Full GC)|CommandLine flags: )", re.M), LogKind.GC_JDK8),
    *_ACCESS_RULES,
    (re.compile(rb"has (PASSED|FAILED) authentication|tried to login but"), LogKind.JIRA_SECURITY),
    (re.compile(rb"^\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d{3} [A-Z]+ \[", re.M), LogKind.CATALINA),
    (re.compile(rb"^\w{3} \d\d?, \d{4} \d\d?:\d\d:\d\d [AP]M org\.apache\.", re.M), LogKind.CATALINA),
]
# A thread dump, when it opens the file: jstack's and kill -3's "Full thread dump" line, below jcmd's
# "PID:" line and the timestamp (blank lines allowed); or the plain text of Thread.dump_to_file (JDK 21+):
# the pid, an ISO instant in UTC, the runtime version, then "#N" thread headers. A dump further down a
# console log (kill -3 into catalina.out) leaves that file what it is.
_THREAD_DUMP = re.compile(
    rb"\A(?:[ \t]*(?:\d+:|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)?[ \t]*\r?\n){0,4}Full thread dump "
    rb"|\A\d+\r?\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\r?\n[^\n]*\r?\n(?:[ \t]*\r?\n)*#\d+ \""
)
_APP_LINE = re.compile(rb"^" + _ISO + rb"([+-]\d{4})? ", re.M)
_PRODUCT_HINTS: list[tuple[re.Pattern[bytes], LogKind]] = [
    (re.compile(rb"\[c\.a\.jira\.|\[com\.atlassian\.jira\.|JiraStartupLogger"), LogKind.JIRA_APP),
    (re.compile(rb"\[(com\.atlassian\.)?confluence\.|\bconfluence\."), LogKind.CONFLUENCE_APP),
    (re.compile(rb"\bc\.a\.(s|b)\.[a-z]|com\.atlassian\.(stash|bitbucket)\."), LogKind.BITBUCKET_APP),
    (
        re.compile(rb"\[(Bamboo\w*|BuildQueueManager\w*|AgentContext)\]|com\.atlassian\.bamboo\."),
        LogKind.BAMBOO_APP,
    ),
    (re.compile(rb"com\.atlassian\.crowd\.(?!directory)|\[crowd\."), LogKind.CROWD_APP),
]


def base_name(name: str) -> str:
    """The file name a rule sees: the last path part, without ``.gz``."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    return last[:-3] if last.endswith(".gz") else last


def kind_by_name(name: str) -> LogKind | None:
    base = base_name(name)
    for rule, kind in _NAME_RULES:
        if rule.search(base):
            return kind
    return None


def kind_by_content(head: bytes) -> LogKind | None:
    if _THREAD_DUMP.match(head):
        return LogKind.THREAD_DUMP
    for rule, kind in _CONTENT_RULES:
        if rule.search(head):
            return _product_of(kind, head)
    if _APP_LINE.search(head):
        for rule, kind in _PRODUCT_HINTS:
            if rule.search(head):
                return kind
        return LogKind.APPLICATION
    return None


def _product_of(kind: LogKind, head: bytes) -> LogKind:
    """A product-neutral access log named after the product whose requests it holds, where they say
    (the Helm layout is Confluence's and Crowd's; Confluence's own layout quotes no request)."""
    if kind in (LogKind.TOMCAT_ACCESS, LogKind.CONFLUENCE_ACCESS):
        for rule, product in _ACCESS_PRODUCTS:
            if rule.search(head):
                return product
    return kind


def access_kind(by_name: LogKind, head: bytes) -> LogKind:
    """An access log's kind when its name says it is one: a product's own layout in the content wins
    (Jira's request ids in a file named ``access_log``); a product-neutral layout keeps the product the
    name gives (``crowd_access``); with no known layout the name's kind stays, and the reader says that
    the lines did not fit (access.py). ``access_log`` alone is never taken for Jira without its ids."""
    for rule, kind in _OWN_ACCESS:
        if rule.search(head):
            return kind
    if by_name is not LogKind.TOMCAT_ACCESS:
        return by_name
    for rule, kind in _NEUTRAL_ACCESS:
        if rule.search(head):
            return _product_of(kind, head)
    return by_name


def sniff(name: str, head: bytes) -> LogKind:
    """The kind of a file from its name and its first bytes (a few KB are enough)."""
    by_name = kind_by_name(name)
    if by_name in (LogKind.GC_UNIFIED, LogKind.GC_JDK8):
        by_content = kind_by_content(head)
        known = (LogKind.GC_UNIFIED, LogKind.GC_JDK8, LogKind.THREAD_DUMP)
        return by_content if by_content in known else by_name
    if by_name is not None and by_name.family == "access":
        return access_kind(by_name, head)
    if by_name is not None:
        return by_name
    return kind_by_content(head) or LogKind.UNKNOWN


def looks_binary(head: bytes) -> bool:
    """NUL bytes or mostly non-text in the first block: not a log we can read."""
    if not head:
        return False
    if b"\x00" in head[:4096]:
        return True
    sample = head[:4096]
    text = sum(1 for b in sample if b >= 32 or b in (9, 10, 13))
    return text / len(sample) < 0.85
