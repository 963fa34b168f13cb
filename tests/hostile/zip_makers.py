"""Hostile zip archives, written byte by byte where zipfile would refuse to write them: encrypted or
Deflate64 members, members whose data overlap, corrupt compressed data, bombs."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

LINE = b"2024-05-01 10:00:00,000+0000 main INFO      [c.a.jira.startup.JiraStartupLogger] hello\n"
DEFLATE64 = 9


def log_lines(n: int, start: int = 0) -> bytes:
    """``n`` Jira lines with distinct timestamps: they deflate about 10:1, as real logs do."""
    return b"".join(
        b"2024-05-01 %02d:%02d:%02d,%03d+0000 http-nio-8080-exec-%d INFO      [c.a.jira.web.Filter] request %d\n"
        % ((i // 3_600_000) % 24, (i // 60_000) % 60, (i // 1000) % 60, i % 1000, i % 50, i)
        for i in range(start, start + n)
    )


@dataclass
class Member:
    name: str
    data: bytes  # as stored in the archive (already compressed for a compressing method)
    method: int = zipfile.ZIP_STORED
    flags: int = 0
    crc: int = 0
    size: int = 0  # decompressed size
    offset: int | None = None  # where its local header is; None: written after the previous one

    @classmethod
    def stored(cls, name: str, text: bytes, **more: int) -> Member:
        return cls(name, text, crc=zlib.crc32(text), size=len(text), **more)

    @classmethod
    def deflated(cls, name: str, text: bytes) -> Member:
        squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = squeeze.compress(text) + squeeze.flush()
        return cls(name, data, zipfile.ZIP_DEFLATED, crc=zlib.crc32(text), size=len(text))


def _local(m: Member) -> bytes:
    name = m.name.encode()
    fixed = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04",
        20,
        m.flags,
        m.method,
        0,
        0x21,
        m.crc,
        len(m.data),
        m.size,
        len(name),
        0,
    )
    return fixed + name + m.data


def _central(m: Member, offset: int) -> bytes:
    name = m.name.encode()
    fixed = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        m.flags,
        m.method,
        0,
        0x21,
        m.crc,
        len(m.data),
        m.size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        offset,
    )
    return fixed + name


def raw_zip(members: list[Member]) -> bytes:
    """A zip of ``members`` as given: methods, flags and sizes are not checked. A member with an
    ``offset`` gets no local header of its own: its directory entry points at that offset."""
    body = io.BytesIO()
    offsets: list[int] = []
    for m in members:
        if m.offset is None:
            offsets.append(body.tell())
            body.write(_local(m))
        else:
            offsets.append(m.offset)
    start = body.tell()
    directory = b"".join(_central(m, at) for m, at in zip(members, offsets, strict=True))
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0)
    return body.getvalue() + directory + end


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def overlapping_bomb(copies: int, kernel: bytes) -> bytes:
    """A kernel stored once and ``copies`` directory entries pointing at it (the "full overlap" zip
    bomb), then a good log of its own."""
    first = Member.deflated("application-logs/atlassian-jira.log", kernel)
    aliases = [
        Member(
            f"application-logs/atlassian-jira.log.{i}", first.data, first.method, 0, first.crc, first.size, 0
        )
        for i in range(1, copies)
    ]
    good = Member.stored("tomcat-logs/catalina.out", LINE)
    return raw_zip([first, *aliases, good])


def corrupt_deflate(text: bytes) -> bytes:
    """``text`` deflated, its compressed data damaged halfway (a CRC or inflate error there)."""
    member = Member.deflated("application-logs/atlassian-jira.log", text)
    half = len(member.data) // 2
    member.data = (
        member.data[:half] + bytes(b ^ 0x55 for b in member.data[half : half + 64]) + member.data[half + 64 :]
    )
    return raw_zip([member, Member.stored("tomcat-logs/catalina.out", LINE)])


def corrupt_lzma(text: bytes) -> bytes:
    """``text`` LZMA-compressed by zipfile, its compressed data damaged right after the LZMA header."""
    data = bytearray(zip_bytes({"application-logs/atlassian-jira.log": text}, zipfile.ZIP_LZMA))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.infolist()[0]
    start = info.header_offset + 30 + len(info.filename) + 9  # local header, name, zip's LZMA header
    data[start : start + 32] = b"\xff" * 32
    good = zip_bytes({"tomcat-logs/catalina.out": LINE})
    return _join(bytes(data), good)


def _join(a: bytes, b: bytes) -> bytes:
    """The members of two zips in one zip, their compressed data copied as they are."""
    members: list[Member] = []
    for blob in (a, b):
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            for info in archive.infolist():
                start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
                data = blob[start : start + info.compress_size]
                members.append(
                    Member(info.filename, data, info.compress_type, info.flag_bits, info.CRC, info.file_size)
                )
    return raw_zip(members)
