"""Access-log lines of every layout read into (time, request, status, duration, address, user), odd
lines through the regex fallback, and lines that fit nothing refused; the endpoint names of requests."""

from __future__ import annotations

import pytest

from collectors.logs import access_lines as L

# Reference atlassian.md 5.7, from KB 940696477 (the "…" are the KB's own elisions)
JIRA_KB = (
    '10.x.x.x 687x406810x28 userX [17/Apr/2015:11:27:43 -0700] "GET /rest/… HTTP/1.1" 200 47 91 "" '
    '"Mozilla/5.0 …" "2c0qst"'
).encode()
JIRA = (
    b'10.20.30.40 687x406811x28 jdoe [17/Apr/2015:11:27:44 -0700] "GET /rest/api/2/issue/ABC-123?fields=summary'
    b'&os_password=hunter2 HTTP/1.1" 200 4521 87 "https://jira.example.com/browse/ABC-123" "Mozilla/5.0 (X11; '
    b'Linux x86_64)" "1x9aq"'
)
# Reference 5.7 (illustrative, per the pattern) and plaso's test data, pre and post 7.11
CONFLUENCE = (
    b"[15/Jan/2023:10:00:01 +0000] admin http-nio-8090-exec-1 192.168.1.10 GET /wiki/index.action "
    b"HTTP/1.1 200 342ms 12345 - Mozilla/5.0"
)
CONFLUENCE_PLASO = (
    b"[17/Jun/2021:12:57:26 +0200] user http-nio-8080-exec-6 192.168.192.1 GET /index.action "
    b"HTTP/1.1 200 1020ms 7881 http://localhost/ Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) "
    b"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36"
)
CONFLUENCE_711 = (
    b"[17/Jun/2021:12:57:26 +0200] 192.168.1.15 testuser http-nio-8080-exec-6 0:0:0:0:0:0:0:1 GET "
    b"/index.action HTTP/1.1 200 1020ms 7881 http://localhost/ Mozilla/5.0 (Macintosh; Intel Mac OS X "
    b"10_14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36"
)
# The Helm chart's %h %{X-AUSERNAME}o %t "%r" %s %b %D %U %I "%{User-Agent}i"
CONFLUENCE_HELM = (
    b'10.0.0.1 admin [15/Jan/2023:10:00:01 +0000] "GET /wiki/display/DOC/Home?x=1 HTTP/1.1" 200 '
    b'12345 342 /wiki/display/DOC/Home http-nio-8090-exec-1 "Mozilla/5.0 (X11)"'
)
# Reference 5.4, KB 779171668
BITBUCKET = (
    b'172.24.12.153 | https | o@PZQFBCx921x19253x0 | - | 2015-09-09 15:21:08,437 | "GET /status HTTP/1.1" '
    b'| "" "" | 200 | 0 | 19 | - | 6 | 1irez8i |'
)
BITBUCKET_IN = (
    b'172.24.12.153 | https | i@PZQFBCx921x19253x0 | - | 2015-09-09 15:21:08,431 | "GET /status '
    b'HTTP/1.1" | "" "" | - | - | - | - | - | - |'
)
BITBUCKET_CLONE = (
    b"10.0.0.7,172.16.3.45 | https | o@1ABCx921x19254x3 | jdoe | 2024-05-01 10:00:00,001 | "
    b'"POST /scm/proj/repo.git/git-upload-pack HTTP/1.1" | "" "git/2.43.0" | 200 | 512 | 99999 | '
    b"clone, cache:hit, protocol:2 | 1234 | 9xk2pa |"
)
# Stash 2.x wrote no status and byte columns (juretta/stash-log-parser's test lines)
STASH_SSH = (
    b"172.16.3.7 | ssh | o357x407998x2 | atlaseye_user | 2013-03-05 05:57:20,505 | SSH - git-receive-pack "
    b"'/CONF/teamcal.git' | - | push | 145 | ofq0l6 | "
)


def test_jira_reference_line():
    assert L.jira(JIRA_KB) == (
        b"17/Apr/2015:11:27:43 -0700",
        "GET /rest/… HTTP/1.1".encode(),
        b"200",
        91,
        b"10.x.x.x",
        b"userX",
    )


def test_jira_line_loses_its_query_string():
    time, request, status, duration, address, user = L.jira(JIRA)
    assert request == b"GET /rest/api/2/issue/ABC-123"
    assert (time, status, duration, address, user) == (
        b"17/Apr/2015:11:27:44 -0700",
        b"200",
        87,
        b"10.20.30.40",
        b"jdoe",
    )


@pytest.mark.parametrize(
    ("line", "address", "user"),
    [
        # a user name with a space, an IPv6 address
        (
            b'0:0:0:0:0:0:0:1 1x2x3 john doe [01/May/2024:10:00:00 +0000] "GET /browse/A-1 HTTP/1.1" 200 - 91 "" "M" "-"',
            b"0:0:0:0:0:0:0:1",
            b"john doe",
        ),
        # a quote inside the URL: the split finds the wrong fields, the regex does not
        (
            b'10.0.0.1 1x2x3 - [01/May/2024:10:00:00 +0000] "GET /a"b HTTP/1.1" 200 - 91 "" "M" "-"',
            b"10.0.0.1",
            b"-",
        ),
    ],
)
def test_jira_odd_lines_take_the_regex(line, address, user):
    fields = L.jira(line)
    assert fields is not None
    assert (fields[0], fields[2], fields[3], fields[4], fields[5]) == (
        b"01/May/2024:10:00:00 +0000",
        b"200",
        91,
        address,
        user,
    )


@pytest.mark.parametrize(
    "line",
    [
        b'10.0.0.1 1x2x3 - [01/May/2024:10:00:00 +0000] "GET /browse/A-1 HTTP/1.1" 200 - 9',  # cut in the duration
        b'10.0.0.1 1x2x3 - [01/May/2024:10:00:00 +0000] "GET /browse/A-1 HTTP/1.1" 200 -',
        b"10.0.0.1 1x2x3 - [01/May/2024:10:00",
        b"\x00\x00\x00\x00\xff\xfe binary",
        b"",
        b"x" * 20000,  # too long for the regex: refused without trying
        CONFLUENCE,  # another product's layout
    ],
)
def test_jira_refuses_what_is_not_a_jira_line(line):
    assert L.jira(line) is None


def test_confluence_layouts():
    assert L.confluence(CONFLUENCE) == (
        b"15/Jan/2023:10:00:01 +0000",
        b"GET /wiki/index.action",
        b"200",
        342,
        b"192.168.1.10",
        b"admin",
    )
    assert L.confluence(CONFLUENCE_PLASO)[3:] == (1020, b"192.168.192.1", b"user")
    # since 7.11 X-Forwarded-For comes first: it names the client when it is there
    assert L.confluence(CONFLUENCE_711)[3:] == (1020, b"192.168.1.15", b"testuser")
    assert L.confluence(CONFLUENCE_HELM) == (
        b"15/Jan/2023:10:00:01 +0000",
        b"GET /wiki/display/DOC/Home",
        b"200",
        342,
        b"10.0.0.1",
        b"admin",
    )


def test_confluence_odd_lines():
    forwarded_list = (
        b"[17/Jun/2021:12:57:26 +0200] 203.0.113.9, 10.0.0.2 testuser http-nio-8080-exec-6 10.0.0.3 GET "
        b"/display/X/Y?a=b HTTP/1.1 500 1020ms 7881 http://localhost/ Mozilla/5.0 (Macintosh)"
    )
    assert L.confluence(forwarded_list)[1:] == (
        b"GET /display/X/Y",
        b"500",
        1020,
        b"203.0.113.9, 10.0.0.2",
        b"testuser",
    )
    unreadable_request = b"[17/Jun/2021:12:57:26 +0200] - http-nio-8080-exec-6 10.0.0.3 - 400 3ms - - -"
    assert L.confluence(unreadable_request)[1:4] == (b"-", b"400", 3)
    assert (
        L.confluence(b"[17/Jun/2021:12:57:26 +0200] user http-nio-8080-exec-6 10.0.0.3 GET /x HTTP/1.1 200")
        is None
    )


def test_bitbucket_lines():
    assert L.bitbucket(BITBUCKET) == (
        b"2015-09-09 15:21:08",
        (b'"GET /status HTTP/1.1"', b"-"),
        b"200",
        6,
        b"172.24.12.153",
        b"-",
    )
    assert L.bitbucket(BITBUCKET_IN) == L.INCOMING  # read, but the o@ line is the request
    assert L.bitbucket(BITBUCKET_CLONE)[2:] == (b"200", 1234, b"10.0.0.7,172.16.3.45", b"jdoe")
    # Stash 2.x: no status column (the regex reads it), labels and duration still there
    assert L.bitbucket(STASH_SSH)[1:4] == (
        (b"SSH - git-receive-pack '/CONF/teamcal.git'", b"push"),
        b"-",
        145,
    )
    assert L.bitbucket(b"172.24.12.153 | https | o@X | - | 2015-09-09 15:21") is None
    assert L.bitbucket(JIRA) is None


@pytest.mark.parametrize(
    ("request_key", "endpoint"),
    [
        (b"GET /browse/ABC-1 HTTP/1.1", ("GET", "/browse/{key}")),
        (
            b'"GET /rest/api/2/issue/ABC-1',
            ("GET", "/rest/api/2/issue/{key}"),
        ),  # the fast path keeps the quote
        (b"-", ("-", "-")),
        (b"OPTIONS *", ("OPTIONS", "*")),
    ],
)
def test_http_endpoints(request_key, endpoint):
    assert L.http_endpoint(request_key.lstrip(b'"')) == endpoint


@pytest.mark.parametrize(
    ("line", "endpoint"),
    [
        (BITBUCKET_CLONE, ("POST", "git clone (cache:hit)")),
        (STASH_SSH, ("SSH", "git push")),
        (BITBUCKET, ("GET", "/status")),
        (
            b"172.16.3.7 | ssh | o9x7x1 | bob | 2013-03-05 05:57:20,505 | SSH - git-upload-pack '/CONF/teamcal.git' | - | "
            b"- | 117 | de84i5 | ",
            ("SSH", "git-upload-pack"),
        ),
        (
            b'10.0.0.1 | https | o@1X | bob | 2024-05-01 10:00:00,001 | "GET /rest/api/latest/projects/PRJ/repos/r1/commits/'
            b'0a1b2c3d4e5f6a7b8c9d HTTP/1.1" | "" "" | 200 | 0 | 9 | - | 3 | - |',
            ("GET", "/rest/api/latest/projects/{project}/repos/{repo}/commits/{hash}"),
        ),
    ],
)
def test_bitbucket_endpoints(line, endpoint):
    assert L.bitbucket_endpoint(L.bitbucket(line)[1]) == endpoint


@pytest.mark.parametrize(
    ("layout", "line"),
    [
        (L.JIRA_LAYOUT, JIRA),
        (L.JIRA_LAYOUT, JIRA_KB),
        (L.CONFLUENCE_LAYOUT, CONFLUENCE_PLASO),
        (L.CONFLUENCE_711_LAYOUT, CONFLUENCE_711),
        (L.CONFLUENCE_HELM_LAYOUT, CONFLUENCE_HELM),
    ],
)
def test_each_layout_fits_its_lines_and_no_other(layout, line):
    layouts = [L.JIRA_LAYOUT, L.CONFLUENCE_LAYOUT, L.CONFLUENCE_711_LAYOUT, L.CONFLUENCE_HELM_LAYOUT]
    assert [candidate.name for candidate in layouts if candidate.fits(line)] == [layout.name]
