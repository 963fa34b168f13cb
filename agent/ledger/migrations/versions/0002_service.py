"""The service's history, alert state and notification outbox (atlas-health serve).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agent.ledger.column_types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(120), nullable=False),
        sa.Column("schedule", sa.String(40), nullable=False),
        sa.Column("customer", sa.String(63), nullable=False),
        sa.Column("scheduled_for", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("worst", sa.String(10), nullable=True),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("collection_errors", sa.Integer(), nullable=False),
        sa.Column("checks_run", sa.Integer(), nullable=False),
        sa.Column("checks_not_run", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.String(100), nullable=True),
        sa.Column("report_path", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_runs"),
        sa.UniqueConstraint("job", "customer", "scheduled_for", name="uq_service_runs_slot"),
    )
    op.create_index("ix_service_runs_started_at", "service_runs", ["started_at"])
    op.create_index("ix_service_runs_customer_started", "service_runs", ["customer", "started_at"])
    op.create_table(
        "service_run_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("check", sa.String(120), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["service_runs.id"],
            name="fk_service_run_findings_run_id_service_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_run_findings"),
    )
    op.create_index("ix_service_run_findings_run_id", "service_run_findings", ["run_id"])
    op.create_index("ix_service_run_findings_fingerprint", "service_run_findings", ["fingerprint"])
    op.create_table(
        "service_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer", sa.String(63), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("check", sa.String(120), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("seen_runs", sa.Integer(), nullable=False),
        sa.Column("absent_runs", sa.Integer(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("fired_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("notified", sa.String(10), nullable=True),
        sa.Column("last_notified_at", UTCDateTime(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_alerts"),
        sa.UniqueConstraint("customer", "fingerprint", name="uq_service_alerts_key"),
    )
    op.create_index("ix_service_alerts_state", "service_alerts", ["state"])
    op.create_table(
        "service_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(250), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("customer", sa.String(63), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("event", sa.String(10), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("external_ref", sa.String(100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_service_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_service_outbox_dedupe_key"),
    )
    op.create_index("ix_service_outbox_due", "service_outbox", ["sent_at", "next_attempt_at"])


def downgrade() -> None:
    for table in ("service_outbox", "service_alerts", "service_run_findings", "service_runs"):
        op.drop_table(table)
