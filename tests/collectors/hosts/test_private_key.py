"""The SSH private key read through the bounded reader: real keys made by ssh-keygen, a real FIFO."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import paramiko
import pytest

from collectors.hosts.key_file import KEY_FILE_MAX_BYTES
from collectors.hosts.private_key import load_private_key
from collectors.regular_file import RefusedFile


def _keygen(path: Path, kind: str, passphrase: str = "") -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", kind, "-N", passphrase, "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return path


@pytest.mark.parametrize(
    ("kind", "name"), [("ed25519", "ssh-ed25519"), ("rsa", "ssh-rsa"), ("ecdsa", "ecdsa-sha2-nistp256")]
)
def test_keys_load_as_paramiko_loads_them(tmp_path: Path, kind: str, name: str) -> None:
    path = _keygen(tmp_path / "id", kind)
    key = load_private_key(path, None)
    assert key.get_name() == name
    assert key == paramiko.PKey.from_path(path)


def test_a_protected_key_loads_with_its_passphrase(tmp_path: Path) -> None:
    path = _keygen(tmp_path / "id", "ed25519", "s3cret phrase")
    assert load_private_key(path, b"s3cret phrase").get_name() == "ssh-ed25519"


def test_a_certificate_beside_the_key_is_loaded(tmp_path: Path) -> None:
    ca = _keygen(tmp_path / "ca", "ed25519")
    path = _keygen(tmp_path / "id", "ed25519")
    subprocess.run(
        ["ssh-keygen", "-q", "-s", str(ca), "-I", "test", "-n", "atlas", str(path) + ".pub"],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    key = load_private_key(path, None)
    assert key.public_blob is not None and key.public_blob.key_type.endswith("-cert-v01@openssh.com")


def test_a_fifo_key_file_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "id")
    with pytest.raises(RefusedFile, match="is a FIFO"):
        load_private_key(tmp_path / "id", None)


def test_a_device_or_a_huge_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedFile, match="is a character device"):
        load_private_key(Path("/dev/zero"), None)
    huge = tmp_path / "id"
    with huge.open("wb") as handle:
        handle.truncate(KEY_FILE_MAX_BYTES + 1)
    with pytest.raises(RefusedFile, match="a key file is at most 1 MiB"):
        load_private_key(huge, None)


def test_a_fifo_beside_the_key_as_its_certificate_is_refused(tmp_path: Path) -> None:
    path = _keygen(tmp_path / "id", "ed25519")
    os.mkfifo(tmp_path / "id-cert.pub")
    with pytest.raises(RefusedFile, match=r"id-cert\.pub is a FIFO"):
        load_private_key(path, None)
