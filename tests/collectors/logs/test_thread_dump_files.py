"""Thread-dump files among the logs: recognised by content whatever their name, read whole and bounded."""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC
from pathlib import Path

import pytest

from collectors.logs.context import FileContext
from collectors.logs.engine import analyze_logs
from collectors.logs.kinds import FileProblem, LogKind
from collectors.logs.sniff import sniff
from collectors.logs.thread_dump_files import DumpTooLarge, ThreadDumpAccumulator

CORPUS = Path(__file__).parents[2] / "corpus" / "thread_dumps"
DUMPS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".log"))


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.name)
def test_every_corpus_dump_is_recognised_by_content_under_any_name(path: Path) -> None:
    head = path.read_bytes()[:65536]
    assert sniff(path.name, head) is LogKind.THREAD_DUMP
    assert sniff("jstack-node1.out", head) is LogKind.THREAD_DUMP
    assert sniff("2026-12-06.tdump.gz", head) is LogKind.THREAD_DUMP


def test_a_dump_in_a_console_log_leaves_catalina_out_catalina() -> None:
    head = (CORPUS / "jdk11_jstack_deadlock.log").read_bytes()
    assert sniff("catalina.out", head) is LogKind.CATALINA
    console = b"06-Dec-2026 02:29:27.001 INFO [main] org.apache.catalina.startup.Catalina.start\n" + head
    assert sniff("console.txt", console) is not LogKind.THREAD_DUMP


def test_dumps_in_a_folder_and_a_support_zip_are_listed_and_kept(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "jdk11_jstack_deadlock.log", tmp_path / "threads.tdump")
    with zipfile.ZipFile(tmp_path / "node2.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(CORPUS / "jdk17_jcmd_series_recorded.txt", "thread-dump/jstack-1.out")

    analysis = analyze_logs([tmp_path], [], customer="acme", workers=1)

    kinds = {f.path: (f.kind, f.problem) for f in analysis.files}
    zipped = "node2.zip!thread-dump/jstack-1.out"
    assert kinds[zipped] == (LogKind.THREAD_DUMP, None)
    assert kinds[str(tmp_path / "threads.tdump")] == (LogKind.THREAD_DUMP, None)
    texts = {d.path: d for d in analysis.thread_dumps}
    assert texts[zipped].text.count("Full thread dump") == 3
    assert texts[zipped].node == "node2"
    assert "thread_dumps" not in analysis.model_dump()  # the text stays out of reports


def test_a_file_past_the_limit_stops_there_and_keeps_what_was_read() -> None:
    acc = ThreadDumpAccumulator(limit=100)
    ctx = FileContext("big.tdump", "node1", LogKind.THREAD_DUMP, UTC)
    acc.feed(b"x" * 60 + b"\n", ctx)
    with pytest.raises(DumpTooLarge, match="larger than"):
        acc.feed(b"y" * 60 + b"\n", ctx)
    acc.end_file(ctx)
    (kept,) = acc.texts()
    assert kept.truncated and len(kept.text) == 100


def test_a_dump_file_over_the_limit_is_listed_truncated(tmp_path: Path) -> None:
    import gzip

    from collectors.logs import thread_dump_files

    big = tmp_path / "huge.tdump.gz"
    # a thread deep in a runaway recursion; varied enough not to look like a zip bomb to the reader
    frames = "".join(
        f"\tat org.example.Deep.recurse{n}(Deep.java:{n * 7919 % 100003})\n" for n in range(50_000)
    )
    chunk = frames.encode()
    with gzip.open(big, "wb", compresslevel=1) as out:
        out.write((CORPUS / "jdk25_jstack_recorded.txt").read_bytes())
        for _ in range(thread_dump_files.DUMP_FILE_LIMIT // len(chunk) + 1):
            out.write(chunk)

    analysis = analyze_logs([big], [], customer="acme", workers=1)

    (listed,) = analysis.files
    assert listed.kind is LogKind.THREAD_DUMP
    assert listed.problem is FileProblem.TRUNCATED
    assert listed.problem_detail == "a thread-dump file larger than 64 MiB; the first 64.0 MiB were analysed"
    assert listed.size_bytes == thread_dump_files.DUMP_FILE_LIMIT
    assert analysis.thread_dumps[0].truncated
