"""Alembic environment for the hours ledger. Migrations run from agent.ledger.storage.migrate on a
connection it passes in (inside its transaction and lock); there is no alembic.ini.

A new revision is a new file in versions/ whose down_revision names the previous one; the tests
compare the migrated schema with agent.ledger.models, so the two cannot drift apart.
"""

from __future__ import annotations

from alembic import context

from agent.ledger.models import Base
from agent.ledger.storage import VERSION_TABLE
from agent.service import models as _service_models  # noqa: F401  (its tables join Base.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run ledger migrations through agent.ledger.storage.migrate, not the alembic CLI")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
