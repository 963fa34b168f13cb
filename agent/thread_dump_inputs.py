"""Thread-dump files given to ``analyze``: the dumps they hold, as the hosts' thread dumps they are.

Each node whose files held dumps becomes a host of the snapshot with those dumps and nothing else
(``method="files"``), so that the thread-dump analysis, its report section and its checks treat them
exactly as dumps taken over SSH. A file is cut into its dumps; each is dated by the time it printed
(jstack's local time, read in the zone the user gave) and tied to its JVM by the pid it names, so that
several files of one JVM make one series in time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from checks.thread_dumps.parse import dump_pid, parse_dump, split_dumps
from collectors.hosts.model import HostSnapshot, ThreadDump

if TYPE_CHECKING:
    from collectors.logs.model import LogAnalysis, ThreadDumpFile

FILES = "files"  # HostSnapshot.method of a host made of dump files
_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)  # kill -3 output has no timestamp: order is all it has


def file_dumps(dump_file: ThreadDumpFile, tz: tzinfo) -> list[ThreadDump]:
    """The dumps in one file, in the order written; a dump without a time takes the one before it."""
    dumps: list[ThreadDump] = []
    pid: int | None = None
    for part in split_dumps(dump_file.text):
        parsed = parse_dump(part)
        if not parsed.threads:
            continue
        pid = dump_pid(part) or pid  # jcmd appended in a loop prints its PID line each time
        at = parsed.printed_at
        if at is None:
            at = dumps[-1].taken_at if dumps else _UNDATED
        elif at.tzinfo is None:
            at = at.replace(tzinfo=tz)
        tool = "jcmd" if pid is not None else "jstack"
        dumps.append(ThreadDump(pid=0, taken_at=at, tool=tool, text=part, file=dump_file.path))
    # every dump of the file belongs to the JVM the file names
    return [d.model_copy(update={"pid": pid or 0}) for d in dumps]


def dump_hosts(analyses: Sequence[LogAnalysis], taken: Sequence[str], tz: tzinfo) -> list[HostSnapshot]:
    """A host per customer and node whose files held thread dumps; ``taken`` are the host names the
    snapshot has already, which a node's name must not take."""
    hosts: list[HostSnapshot] = []
    for analysis in analyses:
        by_node: dict[str, list[ThreadDump]] = {}
        truncated: dict[str, list[str]] = {}
        for dump_file in analysis.thread_dumps:
            dumps = file_dumps(dump_file, tz)
            if dumps:
                by_node.setdefault(dump_file.node, []).extend(dumps)
            if dump_file.truncated:
                truncated.setdefault(dump_file.node, []).append(dump_file.path)
        for node, dumps in sorted(by_node.items()):
            times = [d.taken_at for d in dumps]
            name = node if node not in taken else f"{node} (thread-dump files)"
            hosts.append(
                HostSnapshot(
                    customer=analysis.customer,
                    name=name,
                    address=FILES,
                    method=FILES,
                    node=node,
                    started_at=min(times),
                    finished_at=max(times),
                    connected=True,
                    thread_dumps=sorted(dumps, key=lambda d: d.taken_at),
                    limits_hit=[
                        f"{path}: larger than the thread-dump limit; the first part was analysed"
                        for path in truncated.get(node, [])
                    ],
                )
            )
    return hosts
