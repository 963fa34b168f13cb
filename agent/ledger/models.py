"""The ledger's tables. Append-only: rows are inserted, never updated or deleted (the migration adds
triggers that refuse both), and a mistake is corrected by a void entry that references the original.

- ``ledger_customers``: one row per customer name, also the row a writer locks on PostgreSQL.
- ``ledger_entitlements``: add-on periods as the configuration granted them, recorded once.
- ``ledger_entries``: the journal: purchases, work and voids, each with who recorded it and when.
- ``ledger_movements``: what an entry did to each bucket, in signed integer minutes (and days for the
  health-check day). A balance is a sum of movements; an upgrade entry can draw on two buckets.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agent.ledger.column_types import Money, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ENTRY_KINDS = ("purchase", "work", "void")
BUCKETS = ("payg", "upgrades", "health_check", "outside")
ADDONS = ("administration", "upgrades", "health_check")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Customer(Base):
    __tablename__ = "ledger_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Entitlement(Base):
    __tablename__ = "ledger_entitlements"
    __table_args__ = (
        UniqueConstraint("customer_id", "addon", "period_start", name="uq_ledger_entitlements_period"),
        CheckConstraint(f"addon IN {ADDONS!r}", name="addon"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("minutes >= 0 AND days >= 0", name="grant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("ledger_customers.id"), index=True)
    addon: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)  # upgrades: consultancy minutes granted
    days: Mapped[int] = mapped_column(Integer)  # health_check: on-site days granted
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))


class Entry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("customer_id", "report_id", name="uq_ledger_entries_report"),
        UniqueConstraint("customer_id", "reference", name="uq_ledger_entries_reference"),
        CheckConstraint(f"kind IN {ENTRY_KINDS!r}", name="kind"),
        CheckConstraint("minutes >= 0", name="minutes"),
        CheckConstraint(
            "kind <> 'purchase' OR (price IS NOT NULL AND currency IS NOT NULL AND minutes > 0)",
            name="purchase",
        ),
        CheckConstraint(
            "kind <> 'work' OR (activity IS NOT NULL AND engineer IS NOT NULL AND minutes_logged > 0)",
            name="work",
        ),
        CheckConstraint(
            "(kind = 'void') = (voids_entry_id IS NOT NULL) AND (kind <> 'void' OR reason IS NOT NULL)",
            name="void",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("ledger_customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # bought / worked / voided
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)  # bought, or billed (rounded up), or of the voided entry
    # work
    engineer: Mapped[str | None] = mapped_column(String(100))
    activity: Mapped[str | None] = mapped_column(String(40))
    minutes_logged: Mapped[int | None] = mapped_column(Integer)  # as given, before rounding
    note: Mapped[str | None] = mapped_column(Text)
    report_id: Mapped[str | None] = mapped_column(String(100))
    outside_contract: Mapped[bool] = mapped_column(Boolean, default=False)
    # purchase
    price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    reference: Mapped[str | None] = mapped_column(String(100))
    # void
    voids_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)


class Movement(Base):
    __tablename__ = "ledger_movements"
    __table_args__ = (CheckConstraint(f"bucket IN {BUCKETS!r}", name="bucket"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    bucket: Mapped[str] = mapped_column(String(20))
    entitlement_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entitlements.id"))
    minutes: Mapped[int] = mapped_column(Integer)  # + credits the bucket, - draws on it
    days: Mapped[int] = mapped_column(Integer, default=0)
