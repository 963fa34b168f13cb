"""Fixtures for the host collector tests: real OpenSSH servers on 127.0.0.1 and a fake product install.

The servers are started once per module (sshd starts in well under a second, but the key pairs and
the JVM take a moment); every test gets its own known_hosts file so trust-on-first-use cannot leak
from one test into another.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.collectors.hosts.fake_product import FakeInstall
from tests.collectors.hosts.sshd import Sshd, keygen, write_known_hosts


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("ssh-keys")
    return {"client": keygen(directory / "client"), "stranger": keygen(directory / "stranger")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]) -> Iterator[Sshd]:
    with Sshd(tmp_path_factory.mktemp("sshd"), keys["client"]) as running:
        yield running


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> FakeInstall:
    return FakeInstall(tmp_path_factory.mktemp("product")).create()


@pytest.fixture
def known_hosts(tmp_path: Path, server: Sshd) -> Path:
    return write_known_hosts(tmp_path / "known_hosts", server)
