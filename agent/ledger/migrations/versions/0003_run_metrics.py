"""The figures each service run measured (disk use, availability, response time, licence seats, heap
floor), for forecasts, report trends and the dashboard.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agent.ledger.column_types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_run_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer", sa.String(63), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["service_runs.id"],
            name="fk_service_run_metrics_run_id_service_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_run_metrics"),
    )
    op.create_index("ix_service_run_metrics_run_id", "service_run_metrics", ["run_id"])
    op.create_index(
        "ix_service_run_metrics_series", "service_run_metrics", ["customer", "target", "metric", "at"]
    )


def downgrade() -> None:
    op.drop_table("service_run_metrics")
