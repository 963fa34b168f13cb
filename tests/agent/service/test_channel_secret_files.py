"""An alert channel's secret file must be a regular file of at most 64 KiB, like every secret file:
a FIFO or /dev/zero is refused at start-up in one line naming the channel, the key and the path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.service.channels.base import CredentialError
from agent.service.channels.credentials import read_secret


def _read(file: Path, base_dir: Path) -> str | None:
    return read_secret(
        "service.alerts.channels[0] (hook)", "token_env", None, "token_file", file, base_dir, {}
    )


def test_a_fifo_token_file_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "hook-token")
    with pytest.raises(CredentialError) as caught:
        _read(Path("hook-token"), tmp_path)
    assert str(caught.value) == (
        f"service.alerts.channels[0] (hook): token_file {tmp_path / 'hook-token'} is a FIFO (named pipe), "
        "not a regular file; name a regular file instead"
    )


def test_dev_zero_and_an_oversized_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialError, match="token_file /dev/zero is a character device"):
        _read(Path("/dev/zero"), tmp_path)
    (tmp_path / "big").write_text("Pw-4711\n" * 10_000)
    with pytest.raises(CredentialError, match="a secret file is at most 64 KiB") as caught:
        _read(Path("big"), tmp_path)
    assert "Pw-4711" not in str(caught.value)


def test_a_secret_file_that_is_not_utf_8_quotes_no_byte(tmp_path: Path) -> None:
    (tmp_path / "token").write_bytes(b"tok-\xff\xfe-4711")
    with pytest.raises(CredentialError) as caught:
        _read(Path("token"), tmp_path)
    assert "not UTF-8 text" in str(caught.value) and "0xff" not in str(caught.value)
