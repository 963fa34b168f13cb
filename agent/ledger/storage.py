"""Opening the ledger's database: SQLite by default (a file in the agent's data directory, in WAL
mode), PostgreSQL by URL. Opening also brings the schema up to date with the packaged migrations.

Writers are serialised per customer so that "is there enough balance?" and "record the entry" are one
atomic step: on SQLite every write transaction starts with BEGIN IMMEDIATE (the database's single
write lock, waited for up to the busy timeout); on PostgreSQL the writer locks the customer's row.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from agent.ledger.errors import LedgerError
from collectors.redaction import redact_urls_in

WRITE = "ledger_write"  # execution option: this connection's transactions write
LEDGER_FILENAME = "ledger.sqlite"
MIGRATION_LOCK_KEY = 0x61746C6173  # "atlas": a PostgreSQL advisory lock while migrating
log = logging.getLogger(__name__)


class LedgerUnavailableError(LedgerError):
    """The ledger's database cannot be opened or migrated; the message names it and why."""


def data_dir(env: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """$ATLAS_HEALTH_DATA_DIR, else $XDG_DATA_HOME/atlas-health, else ~/.local/share/atlas-health."""
    env = os.environ if env is None else env
    if env.get("ATLAS_HEALTH_DATA_DIR"):
        return Path(env["ATLAS_HEALTH_DATA_DIR"]).expanduser()
    base = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else Path.home() / ".local" / "share"
    return base / "atlas-health"


def default_url() -> str:
    return f"sqlite:///{data_dir() / LEDGER_FILENAME}"


def resolve_url(url: str | None, base_dir: Path | None = None) -> URL:
    """The URL to open: the default file when none is given; a relative SQLite path is taken from
    ``base_dir`` (the configuration file's folder), like every other relative path in the config."""
    try:
        parsed = make_url(url or default_url())
    except ArgumentError as exc:
        raise LedgerUnavailableError(redact_urls_in(f"ledger URL {url!r} is not valid: {exc}")) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise LedgerUnavailableError("the SQLite ledger must be a file: sqlite:///path/ledger.sqlite")
        path = Path(database).expanduser()
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        parsed = parsed.set(database=str(path))
    elif parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() in ("", "psycopg2", "psycopg"):
            parsed = parsed.set(drivername="postgresql+psycopg")
    else:
        raise LedgerUnavailableError(
            redact_urls_in(f"ledger URL {url!r}: use sqlite:///... or postgresql://...")
        )
    return parsed


def describe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def create_ledger_engine(url: URL, busy_timeout_seconds: float = 30.0) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_seconds)
    engine = create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": max(1, int(busy_timeout_seconds))},
    )
    return engine


def _sqlite_engine(url: URL, busy_timeout_seconds: float) -> Engine:
    path = Path(url.database or "")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerUnavailableError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    _create_private(path)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_seconds})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")  # a committed entry survives power loss too
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock before it reads the balance it decides on.
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_private(path: Path) -> None:
    """Create a new ledger file readable by its owner only (customers, engineers, notes and prices are
    nobody else's business). SQLite gives its -wal, -shm and -journal files the database file's
    permissions, so they are private too. An existing file keeps the permissions it has."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise LedgerUnavailableError(f"cannot create {path}: {exc.strerror or exc}") from None
    os.close(descriptor)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; concurrent openers wait for each other."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    known = {rev.revision for rev in script.walk_revisions()}
    where = describe(engine.url)
    try:
        with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                connection.execute(lock, {"key": MIGRATION_LOCK_KEY})
            current = MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE}
            ).get_current_revision()
            if current == head:
                log.debug("the ledger at %s is at schema revision %s, the newest", where, head)
                return
            if current is not None and current not in known:
                raise LedgerUnavailableError(
                    f"the ledger at {where} is at schema revision {current}, newer than this atlas-health "
                    "knows: upgrade atlas-health"
                )
            config.attributes["connection"] = connection
            log.info(
                "migrating the ledger at %s from schema revision %s to %s", where, current or "(new)", head
            )
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise LedgerUnavailableError(f"cannot open the ledger at {where}: {_reason(exc)}") from None


VERSION_TABLE = "ledger_alembic_version"  # its own, so other stores can share one database


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    message = str(original if original is not None else exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
