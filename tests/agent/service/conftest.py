"""One throwaway PostgreSQL cluster for every test of the service that runs on PostgreSQL too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.agent.ledger.postgres import Cluster, start_cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()  # fails, saying how to install PostgreSQL, where it is missing
    try:
        yield cluster
    finally:
        cluster.stop()
