"""Every built-in signature: its match line matches and its near-miss does not, in Python's re, Hyperscan
and grep -E; and the knowledge base covers what reference/atlassian.md section 4 lists."""

from __future__ import annotations

from collections import Counter

import pytest

from checks.signatures import CAUSES, load_builtin, to_scan_patterns
from checks.signatures.pattern_subset import parse
from collectors.logs.patterns import ScanPattern
from tests.checks.signatures.engines import GREP, grep_matches, hyperscan, hyperscan_matches, re_matches

SIGNATURES = load_builtin()
IDS = [s.id for s in SIGNATURES]


@pytest.mark.parametrize("sig", SIGNATURES, ids=IDS)
def test_python_re_matches_the_line_and_not_the_near_miss(sig):
    assert re_matches(sig.pattern, sig.match, sig.ignore_case), sig.match
    assert not re_matches(sig.pattern, sig.near_miss, sig.ignore_case), sig.near_miss


@pytest.mark.skipif(hyperscan is None, reason="hyperscan is not installed on this platform")
@pytest.mark.parametrize("sig", SIGNATURES, ids=IDS)
def test_hyperscan_matches_the_line_and_not_the_near_miss(sig):
    assert hyperscan_matches(sig.pattern, sig.match, sig.ignore_case), sig.match
    assert not hyperscan_matches(sig.pattern, sig.near_miss, sig.ignore_case), sig.near_miss


@pytest.mark.skipif(GREP is None, reason="grep is not on PATH")
@pytest.mark.parametrize("sig", SIGNATURES, ids=IDS)
def test_grep_matches_the_line_and_not_the_near_miss(sig, tmp_path):
    assert grep_matches(sig.pattern, sig.match, tmp_path, sig.ignore_case), sig.match
    assert not grep_matches(sig.pattern, sig.near_miss, tmp_path, sig.ignore_case), sig.near_miss


def test_the_engine_helpers_can_fail():
    # A near-miss that does match must be caught by every engine, or the tests above prove nothing.
    line = "java.lang.OutOfMemoryError: Java heap space"
    assert re_matches("Java heap", line) and not re_matches("Metaspace", line)
    assert re_matches("JAVA HEAP", line, ignore_case=True) and not re_matches("JAVA HEAP", line)
    if hyperscan is not None:
        assert hyperscan_matches("Java heap", line) and not hyperscan_matches("Metaspace", line)
        assert hyperscan_matches("JAVA HEAP", line, True) and not hyperscan_matches("JAVA HEAP", line)


def test_the_grep_helper_can_fail(tmp_path):
    line = "java.lang.OutOfMemoryError: Java heap space"
    assert grep_matches("Java heap", line, tmp_path)
    assert not grep_matches("Metaspace", line, tmp_path)
    assert grep_matches("JAVA HEAP", line, tmp_path, ignore_case=True)
    assert not grep_matches("JAVA HEAP", line, tmp_path)


def test_at_least_forty_entries_with_unique_ids():
    assert len(SIGNATURES) >= 40
    assert len(set(IDS)) == len(IDS)


def test_every_section_4_group_is_covered():
    causes = {s.cause for s in SIGNATURES}
    assert {"memory", "gc", "database", "threads", "index", "os", "product"} <= causes
    assert causes & {"authentication", "directory"}, "4.4 directories and authentication"
    assert causes & {"plugins", "startup"}, "4.7 plugins and start-up"
    assert causes <= set(CAUSES)


@pytest.mark.parametrize(
    "text",
    [
        # One literal per reference/atlassian.md section 4 row that has a fixed string.
        "java.lang.OutOfMemoryError: Java heap space",  # 4.1
        "Dumping heap to /opt/atlassian/jira/java_pid111111.hprof ...",
        "java.lang.OutOfMemoryError: GC overhead limit exceeded",
        "java.lang.OutOfMemoryError: unable to create new native thread",
        "java.lang.OutOfMemoryError: PermGen space",
        "java.lang.OutOfMemoryError: Metaspace",
        "Cannot get a connection, pool error Timeout waiting for idle object",  # 4.2
        "Cannot get a connection, general error",
        "Dangerous use of multiple connections: taken => count=3; marks=[2-3]; pool=2/20",
        "java.sql.SQLException: An attempt by a client to checkout a Connection has timed out.",
        "bitbucket - Connection is not available, request timed out after 15002ms",
        'Thread "http-nio-8090-exec-147" (id=5169) has been active for 63,774 milliseconds (since 11/6/18 7:42 PM)'
        " to serve the same request for https://x/y and may be stuck (configured threshold 60 seconds).",  # 4.3
        'Thread "http-nio-8090-exec-147" (id=5169) was previously reported to be stuck but has completed after'
        " 153,860 milliseconds.",
        "INFO: Maximum number of threads (200) created for connector with address null and port 8090",
        "org.apache.catalina.connector.ClientAbortException: java.io.IOException: Broken pipe",
        "Incremental synchronisation for directory [ 129400833 ] was unexpectedly interrupted",  # 4.4
        "The user 'admin' has FAILED authentication.  Failure count equals 1",
        "'admin' tried to login but they do not have USE permission or weren't found.",
        "c.a.s.i.auth.DefaultCaptchaService user1: Cleared 5 failed authentication attempts after successful "
        "challenge",
        "[BambooAuthenticator] User 'bamboo_user' with IP address: 192.168.56.1, 10.0.9.6 failed to log in.",
        "The issue index is inconsistent with the database state. Database has (2) issues but the index has (0)"
        " issues.",  # 4.5
        "org.apache.lucene.index.CorruptIndexException: file mismatch",
        "[INDEX-FIXER] Restoring index with 120720 issues",
        "Current node: node05 index can't be rebuilt. Requesting an index from any other node.",
        "Index replication for cluster node 'node05' is behind by 763 seconds.",
        "The node node05 is not replicating.",
        "java.io.IOException: java.io.IOException: Too many open files",  # 4.6
        "java.io.IOException: No space left on device",
        "com.atlassian.bitbucket.throttle.ResourceBusyException",  # 4.7
        "rejected from com.atlassian.stash.internal.event.EventThreadPoolExecutor@4d3b2a1f[Running]",
        "The last successful transmission was 11 minutes ago, the heartbeat timeout is 10 minutes",
        "Unable to start the plugin container for plugin 'com.atlassian.upm.plugin-license-storage-plugin'",
        "The following plugins are required by JIRA, but have not been started:",
        "Startup check failed. Jira will be locked.",
        "Unable to start JIRA. java.lang.IllegalStateException: Duplicate key",
        "init Confluence is ready to serve",
        "Health check 'License Expiry' failed with severity 'warning': expires soon",
    ],
)
def test_each_reference_literal_is_recognised(text):
    assert any(re_matches(s.pattern, text, s.ignore_case) for s in SIGNATURES), text


def test_restart_markers_for_every_product_and_tomcat():
    markers = [s for s in SIGNATURES if s.restart]
    assert all(s.severity == "info" and s.cause == "restart" for s in markers)
    covered = {str(p) for s in markers for p in s.products}
    assert {"jira", "confluence", "bitbucket", "bamboo"} <= covered
    catalina = [s for s in markers if "catalina" in s.files and not s.products]  # Crowd and every product
    assert {"restart.tomcat.started", "restart.tomcat.stopping"} <= {s.id for s in catalina}
    assert not [s.id for s in SIGNATURES if s.cause == "restart" and not s.restart]


def test_every_entry_cites_a_source_and_uses_the_subset():
    for sig in SIGNATURES:
        assert sig.kb and sig.kb.startswith("https://"), sig.id
        parse(sig.pattern)  # raises outside the subset


def test_every_family_is_scanned_by_some_entry():
    families = Counter(f for s in SIGNATURES for f in s.files)
    assert {"application", "security", "catalina", "gc"} <= set(families)


def test_scan_patterns_carry_the_entries_words():
    patterns = to_scan_patterns(SIGNATURES)
    assert [p.id for p in patterns] == IDS
    heap = next(p for p in patterns if p.id == "jvm.heap.oom")
    assert isinstance(heap, ScanPattern)
    assert heap.families == ("application", "catalina") and heap.products == ()
    assert heap.info["severity"] == "critical" and heap.info["cause"] == "memory"
    assert set(heap.info) == {"title", "severity", "cause", "explanation", "recommendation", "kb"}
    assert heap.applies_to("catalina", "jira") and not heap.applies_to("gc", "jira")
    jira_start = next(p for p in patterns if p.id == "restart.jira.starting")
    assert jira_start.restart and jira_start.products == ("jira",)
    assert not jira_start.applies_to("application", "confluence")
    ci = next(p for p in patterns if p.id == "plugins.jira.required_not_started")
    assert ci.ignore_case
