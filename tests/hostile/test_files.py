"""Hostile files where atlas-health expects small regular ones: a FIFO (whose open blocks until a
writer comes), /dev/zero (which never ends), a huge file, a folder, in place of a secret, key,
signature, configuration or bundle file. Each is refused in one line naming the path and what it is,
with exit code 3, at once: the short time limit fails a test that blocks, the memory cap one that
reads on. Few processes, each refusing many files: every start of the CLI costs a second or two.
(A FIFO as --notes: tests/agent/test_cli_incident.py; every kind of file, in process: the unit tests.)"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tests.hostile.limits import assert_clean_failure, atlas

pytestmark = [pytest.mark.server]  # subprocesses

QUICK = 20.0  # seconds: a refusal is immediate; a blocked open would run into this
SECRET = "Pw-4711-geheim"
FIFO = "is a FIFO (named pipe), not a regular file"
DEVICE = "is a character device, not a regular file"


# --- generators: each makes the hostile thing at PATH and says what the error calls it ----------------


def make_fifo(path: Path) -> str:
    os.mkfifo(path)  # nobody ever writes to it
    return FIFO


def make_dev_zero(path: Path) -> str:
    path.symlink_to("/dev/zero")
    return DEVICE


def make_huge(path: Path) -> str:
    with path.open("wb") as handle:  # 13 GiB on paper, nothing on disk
        handle.write(f"{SECRET}\n".encode())
        handle.truncate(13 * 2**30)
    return "is 13 GiB; a"


def make_over_limit_with_secret(path: Path) -> str:
    path.write_bytes(f"{SECRET}\n".encode() * 8000)  # 120 KiB of real text, the secret on every line
    return "is 120,000 bytes; a secret file is at most 64 KiB"


def make_folder(path: Path) -> str:
    path.mkdir()
    return "is a folder, not a regular file"


MAKERS: dict[str, Callable[[Path], str]] = {
    "fifo": make_fifo,
    "dev-zero": make_dev_zero,
    "huge": make_huge,
    "over-limit": make_over_limit_with_secret,
    "folder": make_folder,
}


def _instance(name: str, auth: dict[str, str]) -> dict[str, object]:
    return {
        "name": name,
        "product": "jira",
        "deployment": "server",
        "url": f"https://{name}.example.com",
        "auth": auth,
    }


def _host(name: str, **ssh: str) -> dict[str, object]:
    return {"name": name, "ssh": {"address": "10.0.0.1", "user": "svc", **ssh}}


def _config(tmp_path: Path, customer: dict[str, object], **settings: object) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"customers": [{"name": "acme", **customer}], "settings": settings}))
    return path


def _run(args: list[str], tmp_path: Path) -> tuple[list[str], str]:
    """The refusal's lines (without logged warnings) and all the output, after the clean-failure checks."""
    result = atlas(args, cwd=tmp_path, timeout=QUICK, env={"ATLAS_HEALTH_DEBUG": "1"})
    err = assert_clean_failure(result, code=3)
    assert SECRET not in err + result.stdout
    return [line for line in err.splitlines() if " WARNING " not in line], err


def test_hostile_secret_and_key_files_are_each_refused_in_one_line_with_their_line(tmp_path: Path) -> None:
    """One configuration naming every kind of hostile secret file: `config validate` lists them all."""
    kinds = ["fifo", "dev-zero", "huge", "over-limit", "folder"]
    facts = {kind: MAKERS[kind](tmp_path / f"{kind}.secret") for kind in kinds}
    facts["key-huge"] = MAKERS["huge"](tmp_path / "huge.key")
    facts["key-fifo"] = MAKERS["fifo"](tmp_path / "fifo.key")
    (tmp_path / "good.key").write_text("a key, read but not parsed while validating\n")
    instances = [
        _instance(f"j-{kind}", {"type": "basic", "username": "svc", "password_file": f"{kind}.secret"})
        for kind in kinds[:-1]
    ] + [_instance("j-folder", {"type": "token", "token_file": "folder.secret"})]
    hosts = [
        _host("n-key-huge", key_file="huge.key"),
        _host("n-key-fifo", key_file="fifo.key"),
        _host("n-passphrase", key_file="good.key", key_passphrase_file="fifo.secret"),
    ]
    config = _config(tmp_path, {"instances": instances, "hosts": hosts})
    lines, _ = _run(["config", "validate", str(config)], tmp_path)
    expected = [
        *(f"instances[{i}].auth.password_file: secret file {tmp_path}/{kind}.secret {facts[kind]}"
          for i, kind in enumerate(kinds[:-1])),
        f"instances[4].auth.token_file: secret file {tmp_path}/folder.secret {facts['folder']}",
        f"hosts[0].ssh.key_file: key file {tmp_path}/huge.key is 13 GiB; a key file is at most 1 MiB",
        f"hosts[1].ssh.key_file: key file {tmp_path}/fifo.key {FIFO}",
        f"hosts[2].ssh.key_passphrase_file: passphrase file {tmp_path}/fifo.secret {FIFO}",
    ]  # fmt: skip
    assert len(lines) == len(expected) + 1 and lines[-1].startswith("error: "), lines
    for wanted in expected:  # each in its own line, with the file and line it came from
        [line] = [line for line in lines if wanted in line]
        assert re.match(rf"{re.escape(str(config))}:\d+: customers\[0\]\.", line), line


def test_a_fifo_signature_file_is_refused(tmp_path: Path) -> None:
    MAKERS["fifo"](tmp_path / "own.yaml")
    config = _config(
        tmp_path, {"instances": [_instance("j", {"type": "none"})]}, logs={"signature_files": ["own.yaml"]}
    )
    lines, _ = _run(["config", "validate", str(config)], tmp_path)
    assert lines[0].startswith(
        f"{config}:13: settings.logs.signature_files[0]: signature file {tmp_path}/own.yaml {FIFO}"
    ), lines


def test_a_fifo_as_the_configuration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    MAKERS["fifo"](path)
    lines, _ = _run(["check", "--config", str(path)], tmp_path)
    assert lines[0] == f"{path}: (top level): the file {FIFO}; name a regular file instead", lines


def test_a_bundle_whose_snapshot_is_a_fifo_is_refused(tmp_path: Path) -> None:
    from agent.bundle import write_bundle
    from checks.runner import CheckSettings
    from collectors.model import Snapshot

    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    bundle = tmp_path / "bundle"
    write_bundle(bundle, Snapshot(tool_version="t", started_at=now, finished_at=now), CheckSettings(), "t")
    (bundle / "snapshot.json").unlink()
    MAKERS["fifo"](bundle / "snapshot.json")
    lines, _ = _run(["analyze", str(bundle)], tmp_path)
    assert lines == [f"error: {bundle / 'snapshot.json'} {FIFO}: the bundle is damaged or was edited"], lines
