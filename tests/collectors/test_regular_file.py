"""The bounded reader of user-named files: regular files only, never beyond their limit. Real FIFOs,
devices, sockets and sparse files, no mocks."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from collectors.regular_file import (
    KIB,
    MIB,
    RefusedFile,
    check_regular_file,
    describe_size,
    open_regular_file,
    read_regular_file,
)


def test_a_regular_file_within_its_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_bytes(b"tok-1\n")
    assert read_regular_file(path, max_bytes=6, what="token file") == b"tok-1\n"


def test_a_file_over_its_limit_is_refused_with_both_sizes(tmp_path: Path) -> None:
    path = tmp_path / "password"
    with path.open("wb") as handle:
        handle.truncate(13 * 1024 * MIB)  # sparse: 13 GiB on paper, nothing on disk
    with pytest.raises(RefusedFile) as caught:
        read_regular_file(path, max_bytes=64 * KIB, what="password file")
    assert str(caught.value) == (
        f"{path} is 13 GiB; a password file is at most 64 KiB; is it the right file?"
    )


def test_one_byte_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_bytes(b"x" * 11)
    with pytest.raises(RefusedFile, match="is 11 bytes; a key file is at most 10 bytes"):
        read_regular_file(path, max_bytes=10, what="key file")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # nobody writes to it: an open without O_NONBLOCK would wait forever
    with pytest.raises(RefusedFile) as caught:
        read_regular_file(fifo, max_bytes=KIB, what="secret file")
    assert caught.value.problem == "is a FIFO (named pipe), not a regular file; name a regular file instead"


@pytest.mark.parametrize(
    ("device", "kind"), [("/dev/zero", "a character device"), ("/dev/null", "a character device")]
)
def test_a_device_is_refused(device: str, kind: str) -> None:
    with pytest.raises(RefusedFile, match=f"^{device} is {kind}, not a regular file"):
        read_regular_file(Path(device), max_bytes=KIB, what="secret file")


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "token"
    link.symlink_to("/dev/zero")
    with pytest.raises(RefusedFile, match="is a character device"):
        read_regular_file(link, max_bytes=KIB, what="token file")


def test_a_folder_and_a_socket_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedFile, match="is a folder, not a regular file"):
        read_regular_file(tmp_path, max_bytes=KIB, what="file")
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(RefusedFile, match="is a socket, not a regular file"):
            read_regular_file(path, max_bytes=KIB, what="file")


def test_near_the_limit_the_size_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    with path.open("wb") as handle:
        handle.truncate(4 * MIB + 1)
    with pytest.raises(
        RefusedFile, match=r"is 4,194,305 bytes; a configuration file is at most 4 MiB; is it"
    ):
        read_regular_file(path, max_bytes=4 * MIB, what="configuration file")


def test_a_missing_file_is_the_callers_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing", max_bytes=KIB, what="file")


def test_check_and_open_refuse_the_same_files(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"line\n")
    assert check_regular_file(path) == 5
    fd = open_regular_file(path)
    try:
        assert os.get_blocking(fd) and os.read(fd, 10) == b"line\n"
    finally:
        os.close(fd)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(RefusedFile):
        open_regular_file(tmp_path / "fifo")


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (1023, "1023 bytes"), (64 * KIB, "64 KiB"), (1536, "1.5 KiB"), (4 * MIB, "4 MiB")],
)
def test_sizes_read_as_a_person_reads_them(size: int, text: str) -> None:
    assert describe_size(size) == text
