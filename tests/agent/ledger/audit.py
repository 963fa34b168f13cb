"""Checks on a ledger's raw tables: every entry whole (its movements present and adding up)."""

from __future__ import annotations

from sqlalchemy import func, select

from agent.ledger import Ledger
from agent.ledger.models import Entry, Movement


def broken_entries(ledger: Ledger) -> list[str]:
    """One line per entry that is not whole; empty when the ledger is consistent."""
    query = (
        select(Entry.id, Entry.kind, Entry.minutes, Entry.voids_entry_id, func.count(Movement.id),
               func.coalesce(func.sum(Movement.minutes), 0))
        .outerjoin(Movement, Movement.entry_id == Entry.id)
        .group_by(Entry.id, Entry.kind, Entry.minutes, Entry.voids_entry_id)
    )  # fmt: skip
    problems = []
    with ledger.engine.connect() as connection:
        rows = connection.execute(query).all()
        moved = {row[0]: int(row[5]) for row in rows}
        for entry_id, kind, minutes, voids, count, total in rows:
            expected = {"purchase": minutes, "work": -minutes}.get(kind, -moved.get(voids or -1, 0))
            if count == 0:
                problems.append(f"#{entry_id} ({kind}) has no movements")
            elif int(total) != expected:
                problems.append(f"#{entry_id} ({kind}) moves {total} min, expected {expected}")
        orphans = connection.execute(
            select(func.count()).select_from(Movement).outerjoin(Entry, Entry.id == Movement.entry_id)
            .where(Entry.id.is_(None))
        ).scalar_one()  # fmt: skip
    if orphans:
        problems.append(f"{orphans} movement(s) belong to no entry")
    return problems
