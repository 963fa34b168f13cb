"""The hours ledger: customers, add-on entitlements, the entry journal and its bucket movements,
with triggers that make every table append-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agent.ledger.column_types import Money, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("ledger_customers", "ledger_entitlements", "ledger_entries", "ledger_movements")


def upgrade() -> None:
    op.create_table(
        "ledger_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_customers"),
        sa.UniqueConstraint("name", name="uq_ledger_customers_name"),
    )
    op.create_table(
        "ledger_entitlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("addon", sa.String(20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "addon IN ('administration', 'upgrades', 'health_check')", name="ck_ledger_entitlements_addon"
        ),
        sa.CheckConstraint("period_end >= period_start", name="ck_ledger_entitlements_period"),
        sa.CheckConstraint("minutes >= 0 AND days >= 0", name="ck_ledger_entitlements_grant"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["ledger_customers.id"],
            name="fk_ledger_entitlements_customer_id_ledger_customers",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_entitlements"),
        sa.UniqueConstraint("customer_id", "addon", "period_start", name="uq_ledger_entitlements_period"),
    )
    op.create_index("ix_ledger_entitlements_customer_id", "ledger_entitlements", ["customer_id"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("engineer", sa.String(100), nullable=True),
        sa.Column("activity", sa.String(40), nullable=True),
        sa.Column("minutes_logged", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("report_id", sa.String(100), nullable=True),
        sa.Column("outside_contract", sa.Boolean(), nullable=False),
        sa.Column("price", Money(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("reference", sa.String(100), nullable=True),
        sa.Column("voids_entry_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('purchase', 'work', 'void')", name="ck_ledger_entries_kind"),
        sa.CheckConstraint("minutes >= 0", name="ck_ledger_entries_minutes"),
        sa.CheckConstraint(
            "kind <> 'purchase' OR (price IS NOT NULL AND currency IS NOT NULL AND minutes > 0)",
            name="ck_ledger_entries_purchase",
        ),
        sa.CheckConstraint(
            "kind <> 'work' OR (activity IS NOT NULL AND engineer IS NOT NULL AND minutes_logged > 0)",
            name="ck_ledger_entries_work",
        ),
        sa.CheckConstraint(
            "(kind = 'void') = (voids_entry_id IS NOT NULL) AND (kind <> 'void' OR reason IS NOT NULL)",
            name="ck_ledger_entries_void",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ledger_customers.id"], name="fk_ledger_entries_customer_id_ledger_customers"
        ),
        sa.ForeignKeyConstraint(
            ["voids_entry_id"], ["ledger_entries.id"], name="fk_ledger_entries_voids_entry_id_ledger_entries"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_entries"),
        sa.UniqueConstraint("customer_id", "report_id", name="uq_ledger_entries_report"),
        sa.UniqueConstraint("customer_id", "reference", name="uq_ledger_entries_reference"),
        sa.UniqueConstraint("voids_entry_id", name="uq_ledger_entries_voids_entry_id"),
    )
    op.create_index("ix_ledger_entries_customer_id", "ledger_entries", ["customer_id"])
    op.create_index("ix_ledger_entries_effective_at", "ledger_entries", ["effective_at"])
    op.create_table(
        "ledger_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(20), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "bucket IN ('payg', 'upgrades', 'health_check', 'outside')", name="ck_ledger_movements_bucket"
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["ledger_entitlements.id"],
            name="fk_ledger_movements_entitlement_id_ledger_entitlements",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name="fk_ledger_movements_entry_id_ledger_entries"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_movements"),
    )
    op.create_index("ix_ledger_movements_entry_id", "ledger_movements", ["entry_id"])
    _append_only()


def _append_only() -> None:
    """Refuse UPDATE and DELETE on every ledger table, whoever connects: corrections are voids."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the hours ledger is append-only: % on % refused (void the entry instead)',
                    TG_OP, TG_TABLE_NAME;
            END
            $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
        return
    for table in TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the hours ledger is append-only: {operation} on {table} "
                "refused (void the entry instead)'); END"
            )


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only: restore a backup instead of downgrading")
