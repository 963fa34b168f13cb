"""Thread-dump files as hosts' thread dumps: cut into dumps, dated, tied to their JVM, named apart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.thread_dump_inputs import dump_hosts, file_dumps
from collectors.logs.model import LogAnalysis, ThreadDumpFile

CORPUS = Path(__file__).parents[1] / "corpus" / "thread_dumps"


def dump_file(name: str, node: str = "node1", path: str | None = None) -> ThreadDumpFile:
    return ThreadDumpFile(path=path or name, node=node, text=(CORPUS / name).read_text())


def test_a_jcmd_series_is_cut_into_its_dumps_of_its_pid_in_the_zone_given() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    dumps = file_dumps(dump_file("jdk17_jcmd_series_recorded.txt"), berlin)

    assert [d.pid for d in dumps] == [15624] * 3
    assert dumps[0].taken_at == datetime(2026, 12, 6, 2, 29, 27, tzinfo=berlin)
    assert dumps[0].taken_at < dumps[1].taken_at < dumps[2].taken_at
    assert all(d.file == "jdk17_jcmd_series_recorded.txt" and d.tool == "jcmd" for d in dumps)


def test_the_plain_text_dump_keeps_its_utc_instant_and_pid() -> None:
    (dump,) = file_dumps(dump_file("jdk25_dump_to_file_recorded.txt"), ZoneInfo("Asia/Tokyo"))
    assert dump.pid == 15361
    assert dump.taken_at == datetime(2026, 12, 6, 2, 29, 41, 108750, tzinfo=UTC)


def test_jstack_names_no_pid_and_a_node_keeps_its_name_unless_the_snapshot_has_it() -> None:
    analysis = LogAnalysis(
        customer="acme",
        engine="re",
        thread_dumps=[
            dump_file("jdk11_jstack_deadlock.log"),
            dump_file("jdk08_jstack_tda.log", node="node2"),
        ],
    )

    hosts = dump_hosts([analysis], taken=["node2"], tz=UTC)

    assert [(h.name, h.node, h.method) for h in hosts] == [
        ("node1", "node1", "files"),
        ("node2 (thread-dump files)", "node2", "files"),
    ]
    assert [d.pid for h in hosts for d in h.thread_dumps or []] == [0, 0]
    assert hosts[0].customer == "acme" and hosts[0].started_at == datetime(
        2022, 1, 18, 17, 46, 18, tzinfo=UTC
    )


def test_a_truncated_file_is_a_limit_hit_of_its_host() -> None:
    cut = dump_file("jdk25_jstack_recorded.txt").model_copy(update={"truncated": True})
    (host,) = dump_hosts([LogAnalysis(customer="acme", engine="re", thread_dumps=[cut])], taken=[], tz=UTC)
    assert host.limits_hit == [
        "jdk25_jstack_recorded.txt: larger than the thread-dump limit; the first part was analysed"
    ]


def test_a_file_with_no_thread_makes_no_host() -> None:
    empty = ThreadDumpFile(path="x.tdump", node="node1", text="Full thread dump OpenJDK (25):\n\n")
    assert (
        dump_hosts([LogAnalysis(customer="acme", engine="re", thread_dumps=[empty])], taken=[], tz=UTC) == []
    )
