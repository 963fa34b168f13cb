"""A client key protected by a passphrase, against a real sshd that accepts only that key."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.hosts.collect import collect_host
from collectors.hosts.model import HostErrorKind
from tests.collectors.hosts.helpers import FAST, endpoint, target
from tests.collectors.hosts.sshd import Sshd, write_known_hosts

pytestmark = [pytest.mark.server]

PASSPHRASE = "correct horse battery"


@pytest.fixture(scope="module")
def protected_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("protected-key") / "client"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", PASSPHRASE, "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, protected_key: Path) -> Iterator[Sshd]:
    with Sshd(tmp_path_factory.mktemp("sshd"), protected_key) as running:
        yield running


def collect(server: Sshd, key: Path, tmp_path: Path, **changes: object):
    known_hosts = write_known_hosts(tmp_path / "known_hosts", server)
    return collect_host(target("node1", endpoint(server, key, known_hosts, **changes)), FAST)


def test_a_key_with_its_passphrase_connects(server, protected_key, tmp_path):
    host = collect(server, protected_key, tmp_path, key_passphrase=PASSPHRASE)
    assert host.connect_error() is None, host.errors
    assert host.os is not None


def test_a_key_without_its_passphrase_says_it_needs_one(server, protected_key, tmp_path):
    error = collect(server, protected_key, tmp_path).connect_error()
    assert error is not None and error.kind is HostErrorKind.KEY_FILE
    assert error.message == f"the key file {protected_key} needs a passphrase"


def test_a_wrong_passphrase_is_a_key_file_error_that_hides_the_passphrase(server, protected_key, tmp_path):
    error = collect(server, protected_key, tmp_path, key_passphrase="not it").connect_error()
    assert error is not None and error.kind is HostErrorKind.KEY_FILE, error
    assert "not it" not in error.message


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(bytes(range(256)) * 4, id="binary"),
        pytest.param(b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5v", id="truncated"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_key_file_that_is_no_key_is_a_key_file_error(server, tmp_path, content):
    bogus = tmp_path / "id_bogus"
    bogus.write_bytes(content)
    error = collect(server, bogus, tmp_path).connect_error()
    assert error is not None and error.kind is HostErrorKind.KEY_FILE, error
    assert error.message.startswith(f"the key file {bogus} is not a private key"), error.message
    assert "\n" not in error.message
