"""What a log file is (its kind, and its problem when it cannot be read): plain enums, apart from the
pydantic models of model.py, so that finding and reading logs starts without loading pydantic."""

from __future__ import annotations

from enum import StrEnum


class LogKind(StrEnum):
    """What a file is, recognised by its name and by sniffing its first lines."""

    JIRA_APP = "jira-app"  # atlassian-jira.log
    JIRA_SECURITY = "jira-security"  # atlassian-jira-security.log
    CONFLUENCE_APP = "confluence-app"  # atlassian-confluence.log
    BITBUCKET_APP = "bitbucket-app"  # atlassian-bitbucket.log
    BAMBOO_APP = "bamboo-app"  # atlassian-bamboo.log
    CROWD_APP = "crowd-app"  # atlassian-crowd.log
    APPLICATION = "application"  # another Atlassian-style log (a plugin's own file), product unknown
    CATALINA = "catalina"  # catalina.out, catalina.YYYY-MM-DD.log
    JIRA_ACCESS = "jira-access"  # Tomcat access_log.yyyy-mm-dd with Jira's request ids
    CONFLUENCE_ACCESS = "confluence-access"  # conf_access_log.yyyy-mm-dd.log, confluence_access.*.log
    BAMBOO_ACCESS = "bamboo-access"  # Tomcat access log with Bamboo's request attributes
    CROWD_ACCESS = "crowd-access"  # Tomcat crowd_access.yyyy-mm-dd.log
    TOMCAT_ACCESS = "tomcat-access"  # a Tomcat or Jetty access log (access_log.*) of no recognised product
    BITBUCKET_ACCESS = "bitbucket-access"  # atlassian-bitbucket-access.log, pipe-delimited
    GC_JDK8 = "gc-jdk8"  # -XX:+PrintGCDetails
    GC_UNIFIED = "gc-unified"  # -Xlog:gc* (JDK 9+)
    THREAD_DUMP = "thread-dump"  # jstack, kill -3, jcmd Thread.print, Thread.dump_to_file: one or a series
    UNKNOWN = "unknown"

    @property
    def family(self) -> str:
        """The signature knowledge base's file family: application, security, catalina, access, gc (and
        thread-dump, which no signature reads: the dumps are parsed whole)."""
        return _FAMILIES[self]

    @property
    def product(self) -> str | None:
        """The product that writes this kind, where the kind says (Product value), else None."""
        return _PRODUCTS.get(self)


_FAMILIES = {
    LogKind.JIRA_APP: "application",
    LogKind.CONFLUENCE_APP: "application",
    LogKind.BITBUCKET_APP: "application",
    LogKind.BAMBOO_APP: "application",
    LogKind.CROWD_APP: "application",
    LogKind.APPLICATION: "application",
    LogKind.JIRA_SECURITY: "security",
    LogKind.CATALINA: "catalina",
    LogKind.JIRA_ACCESS: "access",
    LogKind.CONFLUENCE_ACCESS: "access",
    LogKind.BAMBOO_ACCESS: "access",
    LogKind.CROWD_ACCESS: "access",
    LogKind.TOMCAT_ACCESS: "access",
    LogKind.BITBUCKET_ACCESS: "access",
    LogKind.GC_JDK8: "gc",
    LogKind.GC_UNIFIED: "gc",
    LogKind.THREAD_DUMP: "thread-dump",
    LogKind.UNKNOWN: "unknown",
}
_PRODUCTS = {
    LogKind.JIRA_APP: "jira",
    LogKind.JIRA_SECURITY: "jira",
    LogKind.JIRA_ACCESS: "jira",
    LogKind.CONFLUENCE_APP: "confluence",
    LogKind.CONFLUENCE_ACCESS: "confluence",
    LogKind.BITBUCKET_APP: "bitbucket",
    LogKind.BITBUCKET_ACCESS: "bitbucket",
    LogKind.BAMBOO_APP: "bamboo",
    LogKind.BAMBOO_ACCESS: "bamboo",
    LogKind.CROWD_APP: "crowd",
    LogKind.CROWD_ACCESS: "crowd",
}


class FileProblem(StrEnum):
    BINARY = "binary"  # not text: NUL bytes or undecodable in the first block
    TRUNCATED = "truncated"  # a gzip or zip member that ends early; what was readable was analysed
    UNREADABLE = "unreadable"  # permission, I/O error, corrupt archive
    UNRECOGNISED = "unrecognised"  # no known log format; counted, not analysed
