"""Tomcat and Jetty access logs in a layout no product owns: whatever fields come before the bracketed
time, then the quoted request line, the status and the bytes, then the duration where the pattern has
``%D`` after ``%b``.

This reads the default valve patterns of the products that write no layout of their own (references
in tests/corpus/atlassian/manifest.yaml):

- Bamboo: ``%a %{bamboo.request.id}r %{bamboo.request.username}r %t "%m %U%q %H" %s %b %D ...`` (the
  Helm chart's server.xml), Jira's columns; older and hand-edited valves write ``%a %t "%r" %s %b %D``.
- Crowd: ``%h %{X-AUSERNAME}o %t "%r" %s %b %D %U %I "%{User-Agent}i"`` (``crowd_access.*.log``).
- Tomcat's own ``common`` (``%h %l %u %t "%r" %s %b``) and ``combined`` patterns, and Jetty's NCSA
  request log (Fisheye/Crucible): no duration, so their requests are counted but untimed.

The user is the last field before the time (``-`` when there is none). Well-formed lines of the Jira
and Helm column layouts take the column-wise fast path (access_columns.py); the rest this regex.
"""

from __future__ import annotations

import re

from collectors.logs.access_lines import (
    CLF,
    CONFLUENCE_HELM_LAYOUT,
    JIRA_LAYOUT,
    MAX_FALLBACK,
    Fields,
    LineFormat,
    http_cut,
    http_endpoint,
    http_shape,
)

_LINE = re.compile(
    rb"(?P<a>[^ \[\"]+) (?:(?P<h>[^\[\"]*?) )?\[(?P<t>\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "
    rb"\"(?P<r>.*?)\" (?P<s>\d{3}|-) (?:\d+|-)(?: (?P<d>\d{1,12})(?=[ \r]|$))?"
)


def tomcat(line: bytes) -> Fields | None:
    if len(line) > MAX_FALLBACK:
        return None
    m = _LINE.match(line)
    if m is None:
        return None
    head = m["h"]
    user = head.rsplit(b" ", 1)[-1] if head else b"-"
    duration = m["d"]
    return m["t"], m["r"].split(b"?", 1)[0], m["s"], None if duration is None else int(duration), m["a"], user


TOMCAT = LineFormat(
    "tomcat",
    tomcat,
    endpoint=http_endpoint,
    cut=http_cut,
    shape=http_shape,
    clock=CLF,
    tomcat=True,
    layouts=(JIRA_LAYOUT, CONFLUENCE_HELM_LAYOUT),
    http=True,
)
