"""The known_hosts file is read through the bounded reader: the same keys as paramiko reads, and a FIFO
or device there is a known_hosts error at once instead of a host collection blocked forever."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import paramiko

from collectors.hosts.collect import collect_host
from collectors.hosts.model import HostErrorKind
from collectors.hosts.ssh import _known_hosts
from collectors.hosts.target import SshEndpoint
from tests.collectors.hosts.helpers import FAST, target


def _keys(keys: paramiko.HostKeys) -> set[tuple[str, str, str]]:
    return {(name, kind, key.get_base64()) for name, entry in keys.items() for kind, key in entry.items()}


def test_the_same_keys_as_paramiko_reads(tmp_path: Path) -> None:
    key = tmp_path / "host"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = " ".join(key.with_suffix(".pub").read_text().split()[:2])
    known = tmp_path / "known_hosts"
    known.write_text(f"node1,10.0.0.11 {public}\n[bastion]:2222 {public}\n")
    subprocess.run(
        ["ssh-keygen", "-q", "-H", "-f", str(known)], check=True, capture_output=True
    )  # hashed too
    known.write_text(f"# comment\n\n{known.read_text()}broken line\nnode2 {public}\n")
    _, ours = _known_hosts(SshEndpoint(address="node1", known_hosts=known))
    assert _keys(ours) == _keys(paramiko.HostKeys(str(known))) and len(_keys(ours)) == 4


def test_a_fifo_as_known_hosts_is_a_known_hosts_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "known_hosts"
    os.mkfifo(fifo)
    ssh = SshEndpoint(address="127.0.0.1", port=1, user="svc", known_hosts=fifo)
    error = collect_host(target("node1", ssh), FAST).connect_error()
    assert error is not None and error.kind is HostErrorKind.KNOWN_HOSTS, error
    assert (
        error.message
        == f"the known_hosts file {fifo} is a FIFO (named pipe), not a regular file; name a regular file instead"
    )
