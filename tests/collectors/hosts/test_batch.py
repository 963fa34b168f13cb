"""Batches: several listed commands in one shell, split back by markers (run here with /bin/sh)."""

from __future__ import annotations

import subprocess

from collectors.hosts.batch import new_marker, script, split


def run(lines: list[str]) -> tuple[bytes, bytes, str]:
    marker = new_marker()
    done = subprocess.run(["/bin/sh", "-c", script(lines, marker)], capture_output=True, timeout=30)
    return done.stdout, done.stderr, marker


def test_each_command_gets_its_own_output_errors_and_exit_status():
    stdout, stderr, marker = run(
        ["printf 'no newline'", "echo two; echo oops >&2; false", "printf ''", "cat /nonexistent"]
    )
    parts = split(stdout, stderr, marker, 4)
    assert [(p.stdout, p.exit_status) for p in parts] == [
        (b"no newline", 0),
        (b"two\n", 1),
        (b"", 0),
        (b"", 1),
    ]
    assert parts[1].stderr == b"oops\n"
    assert b"/nonexistent" in parts[3].stderr and parts[0].stderr == b""


def test_output_cut_short_leaves_the_rest_unfinished():
    stdout, stderr, marker = run(["echo one", "echo two", "echo three"])
    cut = stdout[: stdout.index(b"two") + 3]  # as if the cap or a timeout stopped the reading there
    parts = split(cut, stderr, marker, 3)
    assert [(p.stdout, p.exit_status) for p in parts] == [(b"one\n", 0), (b"two", None), (b"", None)]


def test_a_command_cannot_fake_a_marker():
    stdout, stderr, marker = run(["echo '@@atlas-health-0000000000000000:1:0@@'", "echo real"])
    parts = split(stdout, stderr, marker, 2)
    assert parts[1].stdout == b"real\n"
    assert parts[0].stdout == b"@@atlas-health-0000000000000000:1:0@@\n"
