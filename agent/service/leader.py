"""Who holds the schedule: of the `serve` processes sharing one database, only the leader schedules.

- PostgreSQL: a session-level advisory lock held on a connection of its own. When the leader dies its
  backend ends with the connection (at once for a killed process; within the keepalive time below for
  a lost host) and the lock is free for the standby, which tries again every few seconds.
- SQLite: one machine, one file: an exclusive ``flock`` on ``<db file>.service.lock``, released by the
  kernel when the process ends however it ends.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x61746C61_73737663  # "atlasvc": the scheduler's advisory lock (64-bit, signed range)
# The server drops a silent client after idle + interval * count seconds (a leader whose host vanished).
KEEPALIVE = {"tcp_keepalives_idle": 5, "tcp_keepalives_interval": 2, "tcp_keepalives_count": 3}


class Leadership(Protocol):
    def try_acquire(self) -> bool:
        """Take the lead if it is free; True when this process holds it (now or already)."""
        ...

    def still_held(self) -> bool:
        """False when the lead was lost (the lock's connection failed): stop scheduling at once."""
        ...

    def release(self) -> None: ...

    @property
    def held(self) -> bool: ...


def leadership_for(engine: Engine) -> Leadership:
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine)
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("the service needs a database file, not an in-memory SQLite database")
    return FileLeadership(Path(f"{database}.service.lock"))


class FileLeadership:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        handle = open(self.path, "ab")  # noqa: SIM115 - held open while leading
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class PostgresLeadership:
    def __init__(self, engine: Engine, key: int = LEADER_LOCK_KEY) -> None:
        self.key = key
        # Its own engine: the lock's connection is never returned to a pool nor shared with the work.
        self._engine = create_engine(
            engine.url,
            poolclass=NullPool,
            connect_args={
                "connect_timeout": 10,
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 3,
            },
        )
        self._connection: Any = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    def try_acquire(self) -> bool:
        if self._connection is not None:
            return True
        try:
            connection = self._engine.connect()
        except Exception as exc:
            log.warning("cannot reach the database to take the lead: %s", _one_line(exc))
            return False
        try:
            for name, value in KEEPALIVE.items():
                connection.exec_driver_sql(f"SET {name} = {int(value)}")
            got = bool(
                connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
            )
            connection.commit()
        except Exception as exc:
            log.warning("cannot take the lead: %s", _one_line(exc))
            connection.close()
            return False
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1")).scalar()
            self._connection.commit()
            return True
        except Exception as exc:
            log.error("the lead was lost (its database connection failed): %s", _one_line(exc))
            self._drop()
            return False

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._connection.commit()
        except Exception as exc:
            log.warning(
                "releasing the lead failed (the server frees it with the connection): %s", _one_line(exc)
            )
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        try:
            connection.invalidate()
            connection.close()
        except Exception:
            pass
        self._engine.dispose()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
