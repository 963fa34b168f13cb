"""The ledger's tests run on both databases for real: a SQLite file and a throwaway PostgreSQL cluster."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from agent.ledger import AddOnTerm, Ledger, SupportTerms
from tests.agent.ledger.postgres import Cluster, start_cluster

YEAR = 2026
TODAY = datetime(YEAR, 6, 15, 10, 0, tzinfo=UTC)
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()  # fails, saying how to install PostgreSQL, where it is missing
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty ledger database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"ledger_{next(_databases)}")


class Clock:
    """A settable clock, so entries fall on the days a test means."""

    def __init__(self, now: datetime = TODAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(ledger_url: str, clock: Clock) -> Iterator[Ledger]:
    opened = Ledger.open(ledger_url, recorded_by="tester@host")
    opened.clock = clock
    try:
        yield opened
    finally:
        opened.close()


def year_addon(addon: str, year: int = YEAR, **grant: int) -> AddOnTerm:
    return AddOnTerm(addon, date(year, 1, 1), date(year, 12, 31), **grant)


def terms(*addons: AddOnTerm, **options: object) -> SupportTerms:
    return SupportTerms(currency="GBP", addons=addons, **options)  # type: ignore[arg-type]


STANDARD = terms()
FULL = terms(
    year_addon("administration"),
    year_addon("upgrades", minutes=24 * 60),
    year_addon("health_check", days=1),
)


def entry_count(ledger: Ledger, customer: str = "acme") -> int:
    return len(ledger.entries(customer))
