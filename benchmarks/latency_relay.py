"""A TCP relay that delays every chunk by half a round trip each way: a network between the agent and
its hosts, on loopback. Runs in its own process (asyncio), so it does not compete with the agent for
the GIL, as a real network would not.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float) -> None:
    """Copy in order, each chunk leaving ``delay_s`` after it arrived (a link's latency, not its speed)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if not data:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    delivering = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            queue.put_nowait((loop.time() + delay_s, data))
    except ConnectionError:
        pass
    queue.put_nowait((0.0, b""))
    await delivering


async def _relay(ports: Sequence[int], rtt_s: float, conn: Connection) -> None:
    async def handler(target: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
            half = rtt_s / 2
            await asyncio.gather(
                _pump(reader, upstream_writer, half),
                _pump(upstream_reader, writer, half),
                return_exceptions=True,
            )
        except (asyncio.CancelledError, ConnectionError):  # the relay is stopping, or a side went away
            writer.close()

    servers = []
    for port in ports:
        server = await asyncio.start_server(lambda r, w, t=port: handler(t, r, w), "127.0.0.1", 0)
        servers.append(server)
    conn.send([s.sockets[0].getsockname()[1] for s in servers])
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)  # until told to stop


def _serve(ports: Sequence[int], rtt_s: float, conn: Connection) -> None:
    asyncio.run(_relay(ports, rtt_s, conn))


@contextmanager
def relayed(ports: Sequence[int], rtt_ms: float) -> Iterator[list[int]]:
    """Relay ports in front of ``ports`` adding ``rtt_ms`` of round trip; the same ports at 0 ms."""
    if rtt_ms <= 0:
        yield list(ports)
        return
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(list(ports), rtt_ms / 1000, theirs), daemon=True)
    process.start()
    try:
        yield ours.recv()
    finally:
        ours.send("stop")
        process.join(10)
        if process.is_alive():
            process.kill()
