"""Files the configuration names (and the configuration itself) must be regular files within their
size limit: a FIFO, a device or a huge file is refused with the key path and line, never read.
Real FIFOs, devices and sparse files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.config.loader import CONFIG_MAX_BYTES, ConfigError, load_config
from tests.agent.config.test_hosts_config import BASE, HOSTS
from tests.agent.config.test_hosts_config import issues_of as host_issues_of
from tests.agent.config.test_loader import REGISTRY, VALID, issues_of


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)  # nothing on disk
    return path


FIFO = "is a FIFO (named pipe), not a regular file; name a regular file instead"
AUTH = "c.yaml:22: customers[0].instances[1].auth.password_file"


def test_a_fifo_password_file_is_refused_with_its_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "cloud.token")
    issues = issues_of(VALID, env={"ACME_JIRA_TOKEN": "pat-123"}, base_dir=tmp_path)
    assert issues == [f"{AUTH}: secret file {tmp_path}/cloud.token {FIFO}"]


def test_dev_zero_as_password_file_is_refused(tmp_path: Path) -> None:
    text = VALID.replace("password_file: cloud.token", "password_file: /dev/zero")
    issues = issues_of(text, env={"ACME_JIRA_TOKEN": "pat-123"}, base_dir=tmp_path)
    assert issues == [
        f"{AUTH}: secret file /dev/zero is a character device, not a regular file; name a regular file instead"
    ]


def test_a_huge_password_file_is_refused_with_its_size(tmp_path: Path) -> None:
    _sparse(tmp_path / "cloud.token", 13 * 2**30)
    issues = issues_of(VALID, env={"ACME_JIRA_TOKEN": "pat-123"}, base_dir=tmp_path)
    assert issues == [
        f"{AUTH}: secret file {tmp_path}/cloud.token is 13 GiB; a secret file is at most 64 KiB; is it the right file?"
    ]


def test_a_ca_bundle_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cloud.token").write_text("tok\n")
    os.mkfifo(tmp_path / "ca.pem")
    text = VALID.replace("deployment: datacenter", "deployment: datacenter\n        ca_bundle: ca.pem")
    issues = issues_of(text, env={"ACME_JIRA_TOKEN": "pat-123"}, base_dir=tmp_path)
    assert len(issues) == 1 and issues[0].endswith(f"ca_bundle: CA bundle {tmp_path}/ca.pem {FIFO}"), issues


def test_key_files_and_passphrase_files_must_be_regular(tmp_path: Path) -> None:
    (tmp_path / "ssh").mkdir()
    os.mkfifo(tmp_path / "ssh" / "id_ed25519")
    text = (BASE + HOSTS).replace("key_passphrase_env: ACME_SSH_PASSPHRASE", "key_passphrase_file: /dev/zero")
    issues = host_issues_of(text, tmp_path, env={"ACME_JIRA_TOKEN": "pat-123"})
    assert (
        f"c.yaml:19: customers[0].hosts[0].ssh.key_file: key file {tmp_path}/ssh/id_ed25519 {FIFO}" in issues
    )
    assert (
        "c.yaml:20: customers[0].hosts[0].ssh.key_passphrase_file: passphrase file /dev/zero is a character "
        "device, not a regular file; name a regular file instead"
    ) in issues


def test_a_huge_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ssh").mkdir()
    _sparse(tmp_path / "ssh" / "id_ed25519", 2 * 2**20)
    issues = host_issues_of(BASE + HOSTS, tmp_path, env={"ACME_JIRA_TOKEN": "t", "ACME_SSH_PASSPHRASE": "p"})
    assert (
        f"c.yaml:19: customers[0].hosts[0].ssh.key_file: key file {tmp_path}/ssh/id_ed25519 is 2,097,152 bytes; "
        "a key file is at most 1 MiB; is it the right file?"
    ) in issues


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: os.mkfifo(p), FIFO),
        (
            lambda p: _sparse(p, CONFIG_MAX_BYTES + 1),
            "is 4,194,305 bytes; a configuration file is at most 4 MiB",
        ),
    ],
    ids=["fifo", "huge"],
)
def test_the_configuration_file_must_be_regular_and_bounded(tmp_path: Path, make, problem: str) -> None:
    path = tmp_path / "config.yaml"
    make(path)
    with pytest.raises(ConfigError) as caught:
        load_config(path, registry=REGISTRY)
    [issue] = caught.value.issues
    assert issue.render(str(path)).startswith(f"{path}: (top level): the file {problem}")


def test_dev_zero_as_the_configuration_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(Path("/dev/zero"), registry=REGISTRY)
    assert "the file is a character device, not a regular file" in str(caught.value)
