"""Opening the ledger: migrations that match the models, SQLite's settings, URLs, clear failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from agent.ledger import Ledger, LedgerUnavailableError
from agent.ledger.models import Base
from agent.ledger.storage import VERSION_TABLE, data_dir, resolve_url
from agent.service import models as service_models
from tests.agent.ledger.processes import REPO


def test_the_migrated_schema_is_the_models(ledger: Ledger) -> None:
    assert service_models.Run.__table__.metadata is Base.metadata  # the service's tables are compared too
    with ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert context.get_current_revision() == "0003"
        assert compare_metadata(context, Base.metadata) == []


def test_opening_again_changes_nothing(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        ledger.buy("acme", hours=20, price="3500", currency="GBP")
    with Ledger.open(ledger_url) as ledger, ledger.engine.connect() as connection:
        versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        assert versions == ["0003"]
        assert ledger.balance("acme").balance_minutes == 1200


def test_a_ledger_from_a_newer_atlas_health_is_refused(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger, ledger.engine.begin() as connection:
        connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '0099'"))
    with pytest.raises(
        LedgerUnavailableError, match="is at schema revision 0099, newer than this atlas-health"
    ):
        Ledger.open(ledger_url)


def test_processes_opening_a_new_ledger_at_once_migrate_it_once(ledger_url: str) -> None:
    script = "import sys; from agent.ledger import Ledger; Ledger.open(sys.argv[1]).close()"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, ledger_url], cwd=REPO, env=env, stderr=subprocess.PIPE
        )
        for _ in range(6)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    with Ledger.open(ledger_url) as ledger, ledger.engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar_one() == 1


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}", busy_timeout_seconds=7)
    with ledger, ledger.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 7000
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL


def test_default_location_is_the_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_HEALTH_DATA_DIR", str(tmp_path / "data"))
    assert resolve_url(None).database == str(tmp_path / "data" / "ledger.sqlite")
    with Ledger.open() as ledger:
        ledger.buy("acme", hours=1, price="175", currency="GBP")
    assert (tmp_path / "data" / "ledger.sqlite").is_file()
    assert data_dir({"XDG_DATA_HOME": "/x"}) == Path("/x/atlas-health")
    assert data_dir({}) == Path.home() / ".local" / "share" / "atlas-health"


def test_urls_are_resolved_or_refused(tmp_path: Path) -> None:
    assert resolve_url("sqlite:///rel/l.sqlite", tmp_path).database == str(tmp_path / "rel" / "l.sqlite")
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    for bad, message in [
        ("sqlite://", "the SQLite ledger must be a file"),
        ("sqlite:///:memory:", "the SQLite ledger must be a file"),
        ("mysql://u@h/db", "use sqlite:///... or postgresql://..."),
        ("not a url", "is not valid"),
    ]:
        with pytest.raises(LedgerUnavailableError, match=message):
            resolve_url(bad)


def test_an_unreachable_postgresql_is_one_clear_line() -> None:
    with pytest.raises(LedgerUnavailableError) as failure:
        Ledger.open("postgresql://atlas@127.0.0.1:1/ledger", busy_timeout_seconds=2)
    message = str(failure.value)
    assert message.startswith("cannot open the ledger at postgresql+psycopg://atlas@127.0.0.1:1/ledger: ")
    assert "\n" not in message
