"""File kinds from names (which vary by version and rotation) and from the first lines."""

from __future__ import annotations

import pytest

from collectors.logs.model import LogKind
from collectors.logs.sniff import looks_binary, sniff

JIRA = (
    b"2021-03-11 20:35:47,612+0100 localhost-startStop-1 INFO      [c.a.jira.startup.JiraStartupLogger] x\n"
)
CONFLUENCE = (
    b"2022-07-12 01:08:59,489 INFO [Catalina-utility-1] [confluence.cluster.hazelcast.HazelcastClusterManager] "
    b"startCluster Starting the cluster.\n"
)
UNIFIED = b"[2024-05-01T10:00:00.000+0000][12345.678s] GC(123) Pause Full (G1 Compaction Pause) 7800M->7700M(8192M) 6543.210ms\n"
JDK8 = b"2024-05-01T10:00:00.123+0000: 12345.678: [GC (Allocation Failure) [PSYoungGen: 1024K->512K(2048K)] 0.0123456 secs]\n"
BITBUCKET_ACCESS = (
    b'172.24.12.153 | https | o@PZQFBCx921x19253x0 | - | 2015-09-09 15:21:08,437 | "GET /status HTTP/1.1" | '
    b'"" "" | 200 | 0 | 19 | - | 6 | 1irez8i |\n'
)
JIRA_ACCESS = (
    b'10.1.2.3 687x406810x28 userX [17/Apr/2015:11:27:43 -0700] "GET /rest/api/2/issue HTTP/1.1" 200 47 91 '
    b'"" "Mozilla/5.0" "2c0qst"\n'
)
SECURITY = (
    b"2023-06-09 05:10:21,968+0000 http-nio-8080-exec-14 admin 310x2803x1 zokxj2 10.1.1.1 /rest/gadget/1.0/login "
    b"The user 'admin' has PASSED authentication.\n"
)
CATALINA = (
    b"10-Jan-2024 10:00:00.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] "
    b"milliseconds\n"
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("atlassian-jira.log", LogKind.JIRA_APP),
        ("atlassian-jira.log.3", LogKind.JIRA_APP),
        ("atlassian-jira.log.2024-05-01.gz", LogKind.JIRA_APP),
        ("atlassian-greenhopper.log", LogKind.JIRA_APP),
        ("atlassian-jira-security.log.1", LogKind.JIRA_SECURITY),
        ("atlassian-confluence.log.2", LogKind.CONFLUENCE_APP),
        ("atlassian-bitbucket.log", LogKind.BITBUCKET_APP),
        ("atlassian-bitbucket-access.log.2024-05-01.0.log", LogKind.BITBUCKET_ACCESS),
        ("atlassian-bamboo.log", LogKind.BAMBOO_APP),
        ("atlassian-crowd.log", LogKind.CROWD_APP),
        ("catalina.out", LogKind.CATALINA),
        ("catalina.2024-05-01.log", LogKind.CATALINA),
        ("access_log.2024-05-01", LogKind.TOMCAT_ACCESS),  # Jira's and Bamboo's valves alike
        ("conf_access_log.2024-05-01.log", LogKind.CONFLUENCE_ACCESS),
        ("confluence_access.2024-05-01.log", LogKind.CONFLUENCE_ACCESS),  # the Helm charts' prefix
        ("crowd_access.2024-05-01.log", LogKind.CROWD_ACCESS),
        ("localhost_access_log.2024-05-01.txt", LogKind.TOMCAT_ACCESS),  # Tomcat's sample server.xml
    ],
)
def test_names_decide_when_they_are_known(name: str, kind: LogKind) -> None:
    assert sniff(name, b"") == kind


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (UNIFIED, LogKind.GC_UNIFIED),
        (JDK8, LogKind.GC_JDK8),
        (BITBUCKET_ACCESS, LogKind.BITBUCKET_ACCESS),
        (JIRA_ACCESS, LogKind.JIRA_ACCESS),
        (SECURITY, LogKind.JIRA_SECURITY),
        (CATALINA, LogKind.CATALINA),
        (JIRA, LogKind.JIRA_APP),
        (CONFLUENCE, LogKind.CONFLUENCE_APP),
        (b"2024-05-01 10:00:00,000 INFO [main] [x.y.Z] something\n", LogKind.APPLICATION),
        (b"hello world\nnot a log\n", LogKind.UNKNOWN),
    ],
)
def test_content_decides_when_the_name_is_silent(head: bytes, kind: LogKind) -> None:
    assert sniff("renamed-by-shipper.txt", head) == kind


def test_a_gc_log_name_takes_its_format_from_the_content() -> None:
    assert sniff("atlassian-jira-gc-2024-05-01_10-00-00.log.0.current", JDK8) == LogKind.GC_JDK8
    assert sniff("atlassian-jira-gc-2024-05-01_10-00-00.log.0.current", UNIFIED) == LogKind.GC_UNIFIED
    assert sniff("gc.log", b"") == LogKind.GC_UNIFIED
    assert sniff("logcollector.log", b"") == LogKind.UNKNOWN  # "gc" inside a word is not a GC log


def test_binary_is_recognised() -> None:
    assert looks_binary(b"\x7fELF\x02\x01\x01\x00\x00\x00")
    assert looks_binary(bytes(range(256)) * 8)
    assert not looks_binary(JIRA * 10)
    assert not looks_binary(b"")


# Bamboo's valve as a hand-edited server.xml writes it (issue 15), Bamboo's Helm default (Jira's columns,
# its request attributes unset), Crowd's Helm default, Tomcat's combined pattern (Jetty's NCSA log too).
BAMBOO_SHORT = b'10.0.0.1 [05/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5120 87 "-" "Mozilla/5.0"\n'
BAMBOO_HELM = (
    b'10.0.0.7 - - [05/Dec/2026:10:00:01 +0000] "POST /agentServer/message HTTP/1.1" 200 210 12 "-" '
    b'"Apache-HttpClient/4.5.14 (Java/17.0.9)" "-"\n'
)
CROWD_HELM = (
    b'10.0.0.9 - [05/Dec/2026:10:00:02 +0000] "GET /crowd/rest/usermanagement/1/user?username=bob HTTP/1.1" '
    b'200 612 14 /crowd/rest/usermanagement/1/user http-nio-8095-exec-3 "Java/11.0.20"\n'
)
COMBINED = b'10.0.0.3 - - [05/Dec/2026:10:00:03 +0000] "GET /cru/ HTTP/1.1" 200 4312 "-" "curl/8.5.0"\n'


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("access_log.2026-12-05", JIRA_ACCESS, LogKind.JIRA_ACCESS),
        ("access_log.2026-12-05", BAMBOO_SHORT, LogKind.TOMCAT_ACCESS),
        ("access_log.2026-12-05", BAMBOO_HELM, LogKind.BAMBOO_ACCESS),
        ("crowd_access.2026-12-05.log", CROWD_HELM, LogKind.CROWD_ACCESS),
        ("renamed.txt", CROWD_HELM, LogKind.CROWD_ACCESS),
        ("renamed.txt", BAMBOO_SHORT, LogKind.TOMCAT_ACCESS),
        ("renamed.txt", COMBINED, LogKind.TOMCAT_ACCESS),
        ("access_log.2026-12-05", b"something else entirely\n", LogKind.TOMCAT_ACCESS),
    ],
)
def test_an_access_log_is_jira_only_with_jiras_request_ids(name: str, head: bytes, kind: LogKind) -> None:
    assert sniff(name, head) == kind
