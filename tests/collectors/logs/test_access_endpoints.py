"""Endpoint names: ids, keys, hashes, titles and build paths templated away, query strings gone; and the
keys the accumulator's caches use instead of templating every path (ids replaced; digits zeroed but for
the segments templating keeps) name the same endpoint as templating the raw path."""

from __future__ import annotations

import random

import pytest

from collectors.logs.access_keys import RequestNames
from collectors.logs.access_lines import digit_shape, http_endpoint, http_shape, kept_digit_segments
from collectors.logs.endpoints import MAX_LENGTH, template_path
from collectors.redaction import redact_url


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        # Jira
        ("/browse/ABC-123?focusedCommentId=10100", "/browse/{key}"),
        ("/jira/browse/ABC-1", "/jira/browse/{key}"),  # a context path changes nothing
        ("/browse/ABC", "/browse/ABC"),  # a project: few of them, kept
        ("/rest/api/2/issue/ABC-1/comment/10010", "/rest/api/2/issue/{key}/comment/{id}"),
        ("/rest/api/2/user?username=jdoe", "/rest/api/2/user"),
        ("/rest/api/2/user/jdoe@example.com", "/rest/api/2/user/{user}"),
        ("/rest/agile/1.0/board/12/sprint", "/rest/agile/1.0/board/{id}/sprint"),  # the version stays
        ("/secure/attachment/10001/screen%20shot.png", "/secure/attachment/{id}/{file}"),
        (
            "/rest/api/2/universal_avatar/view/type/user/avatar/10122",
            "/rest/api/2/universal_avatar/view/type/user/avatar/{id}",
        ),
        ("/images/icons/10.png", "/images/icons/{id}.png"),
        ("/projects/ABC/issues/ABC-12", "/projects/{project}/issues/{key}"),
        # static resources, grouped
        (
            "/s/d41d8cd98f00b204e9800998ecf8427e-CDN/-1h7a9b/910000/1s3wq7r/9.12.0/_/download/batch/com.atlassian.jira."
            "jira-issue-nav-plugin:common/com.atlassian.jira.jira-issue-nav-plugin:common.css",
            "/s/{build}/_/download/batch/{resource}",
        ),
        ("/s/-1h7a9b/910000/1s3wq7r/_/images/icons/priorities/major.svg", "/s/{build}/_/images/{resource}"),
        ("/s/x/_/a.js", "/s/{build}/_/{resource}"),
        (
            "/download/resources/com.atlassian.jira.gadgets:common-lite/images/loading.gif",
            "/download/resources/{resource}",
        ),
        ("/download/contextbatch/css/_super/batch.css", "/download/contextbatch/{resource}"),
        # Confluence
        ("/display/DOC/Some+Page+Title", "/display/{space}/{title}"),
        ("/wiki/display/~jdoe", "/wiki/display/{space}"),
        ("/display/DOC/2024/01/15/Blog+Post", "/display/{space}/{title}"),
        ("/spaces/DOC/pages/12345/Some+Title", "/spaces/{space}/pages/{id}/{title}"),
        ("/spaces/viewspace.action?key=DOC", "/spaces/viewspace.action"),
        ("/users/viewuserprofile.action?username=jdoe", "/users/viewuserprofile.action"),
        ("/rest/api/space/DOC/content", "/rest/api/space/{space}/content"),
        ("/rest/api/content/12345/child/page", "/rest/api/content/{id}/child/page"),
        ("/download/attachments/98765/file.pdf?version=1", "/download/attachments/{id}/{file}"),
        ("/x/AbC1d", "/x/{tinylink}"),
        # Bitbucket
        (
            "/projects/PRJ/repos/my-repo/browse/src/main/Foo.java?at=refs/heads/main",
            "/projects/{project}/repos/{repo}/browse/{path}",
        ),
        (
            "/rest/api/1.0/projects/PRJ/repos/r/commits/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            "/rest/api/1.0/projects/{project}/repos/{repo}/commits/{hash}",
        ),
        (
            "/rest/api/1.0/projects/PRJ/repos/r/pull-requests/42/activities",
            "/rest/api/1.0/projects/{project}/repos/{repo}/pull-requests/{id}/activities",
        ),
        ("/users/jdoe/repos/dotfiles/browse", "/users/{user}/repos/{repo}/browse"),
        ("/scm/prj/repo.git/info/refs?service=git-upload-pack", "/scm/{project}/{repo}.git/info/refs"),
        ("/scm/~jdoe/repo.git/git-upload-pack", "/scm/{project}/{repo}.git/git-upload-pack"),
        ("/projects/~JDOE/repos/x", "/projects/{project}/repos/{repo}"),
        # secrets and oddities
        ("/plugins/servlet/x;jsessionid=ABCDEF0123", "/plugins/servlet/x"),
        ("/secure/ResetPassword/aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRva2VuMTIz", "/secure/ResetPassword/{token}"),
        ("/rest/foo/550e8400-e29b-41d4-a716-446655440000", "/rest/foo/{uuid}"),
        ("/rest/defaced/deadbeef7", "/rest/defaced/{hash}"),  # hex needs a digit: "defaced" is a word
        ("*", "*"),
        ("-", "-"),
        ("/", "/"),
        ("/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", "/a/b/c/d/e/f/g/h/i/j/k/l/{...}"),
    ],
)
def test_template(path, endpoint):
    assert template_path(path) == endpoint


def test_long_names_are_cut():
    name = template_path("/" + "/".join(["segment-name-" + "x" * 20] * 10))
    assert len(name) <= MAX_LENGTH
    assert name.endswith("/{...}")


# Paths built from the pieces templating decides on, so that random ones reach every rule.
_PIECES = [
    "rest",
    "api",
    "2",
    "1.0",
    "latest",
    "browse",
    "display",
    "spaces",
    "pages",
    "projects",
    "repos",
    "users",
    "scm",
    "s",
    "_",
    "download",
    "batch",
    "resources",
    "attachments",
    "secure",
    "attachment",
    "x",
    "space",
    "ABC-123",
    "A1B-7",
    "12",
    "123",
    "1234567",
    "10.png",
    "deadbeef",
    "dead1234",
    "0a1b2c3d4e5f6071",
    "550e8400-e29b-41d4-a716-446655440000",
    "~jdoe",
    "jdoe@example.com",
    "Page+Title",
    "repo.git",
    "viewpage.action",
    "aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRva2VuMTIz",
    "",
    "1h7a9b",
    "9.12.0",
]


def _random_path(rng: random.Random) -> str:
    return "/" + "/".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 9)))


def test_replacing_id_segments_names_the_same_endpoint():
    rng = random.Random(5)
    for _ in range(5000):
        request = b"GET " + _random_path(rng).encode()
        assert http_endpoint(http_shape(request)) == http_endpoint(request), request


def test_digit_shape_and_kept_digits_name_the_endpoint():
    """The accumulator caches endpoints by a path's digit shape and the values of the digit segments
    templating keeps (versions): every other path that agrees on both must get the same name."""
    rng = random.Random(7)
    varied = 0
    for _ in range(5000):
        path = _random_path(rng).encode()
        kept = kept_digit_segments(path)
        other = bytes(rng.choice(b"0123456789") if chr(c).isdigit() else c for c in path)
        segments, others = path.split(b"/"), other.split(b"/")
        for i in kept:  # agree on the kept segments, differ anywhere else
            others[i] = segments[i]
        other = b"/".join(others)
        assert digit_shape(other) == digit_shape(path) and kept_digit_segments(other) == kept
        assert http_endpoint(b"GET " + other) == http_endpoint(b"GET " + path), (path, other)
        varied += other != path
    assert varied > 1000  # the property was tested on paths that differ, not on copies


def test_kept_digit_segments():
    assert kept_digit_segments(b"/rest/api/2/issue/ABC-1") == (3,)  # the version
    assert kept_digit_segments(b"/rest/agile/1.0/board/12/sprint") == (3,)
    assert kept_digit_segments(b"/plugins/oauth2/x") == (2,)
    assert kept_digit_segments(b"/media/10.mp4") == (2,)  # {id}.mp4 copies the extension's digit
    assert kept_digit_segments(b"/browse/ABC-123") == ()
    assert kept_digit_segments(b"/display/DOC/Release+Notes+9.12") == ()  # the title became {title}
    assert kept_digit_segments(b"/secure/attachment/10001/a2.png") == ()


def test_request_names_found_by_shape_are_the_names_templating_gives():
    """The names cache answers most requests by their digit shape: every answer, in any order of
    requests, must be what templating the request itself gives (methods with digits included)."""
    rng = random.Random(11)
    names = RequestNames()
    for _ in range(20_000):
        method = rng.choice([b'"GET', b"GET", b"POST", b'"G3T', b'"G4T'])
        request = method + b" " + _random_path(rng).encode()
        method_text, path_text = http_endpoint(request.lstrip(b'"'))
        assert names.of_request(request) == (method_text, redact_url(path_text)), request
    assert names.by_shape and names.requests  # both ways were taken
