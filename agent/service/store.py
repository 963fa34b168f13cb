"""The service's database: the ledger's own (one file or one PostgreSQL database to back up), opened
and migrated to the newest schema, which holds the service's tables beside the ledger's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from agent.ledger.storage import create_ledger_engine, migrate, resolve_url


def open_service_db(url: str | None, base_dir: Path | None, busy_timeout_seconds: float = 30.0) -> Engine:
    """The engine of the ledger's database at ``url`` (None: the default file), migrated.

    Raises ``LedgerUnavailableError`` with a one-line reason when it cannot be opened or migrated.
    """
    engine = create_ledger_engine(resolve_url(url, base_dir), busy_timeout_seconds)
    migrate(engine)
    return engine
