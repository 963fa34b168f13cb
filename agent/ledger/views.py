"""What the ledger hands out: plain, immutable views of entries and balances (no database objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reports.units import duration


@dataclass(frozen=True)
class MovementView:
    bucket: str  # payg | upgrades | health_check | outside
    minutes: int  # + credits the bucket, - draws on it
    days: int = 0
    addon_period: tuple[date, date] | None = None  # the entitlement it drew on, if any


@dataclass(frozen=True)
class EntryView:
    id: int
    customer: str
    kind: str  # purchase | work | void
    effective_at: datetime
    recorded_at: datetime
    recorded_by: str
    minutes: int
    movements: tuple[MovementView, ...]
    engineer: str | None = None
    activity: str | None = None
    minutes_logged: int | None = None
    note: str | None = None
    report_id: str | None = None
    outside_contract: bool = False
    price: Decimal | None = None
    currency: str | None = None
    reference: str | None = None
    voids_entry_id: int | None = None
    reason: str | None = None
    voided_by: int | None = None  # the void entry that cancels this one, if any

    @property
    def buckets(self) -> str:
        return "+".join(dict.fromkeys(m.bucket for m in self.movements))


@dataclass(frozen=True)
class AddOnBalance:
    addon: str
    start: date
    end: date
    granted_minutes: int = 0
    used_minutes: int = 0
    granted_days: int = 0
    used_days: int = 0

    @property
    def left_minutes(self) -> int:
        return self.granted_minutes - self.used_minutes

    @property
    def left_days(self) -> int:
        return self.granted_days - self.used_days


@dataclass(frozen=True)
class Balance:
    """A customer's balances, as of now or of a moment (``as_of``)."""

    customer: str
    currency: str | None
    purchased_minutes: int  # PAYG credited by purchases (voided purchases taken off)
    used_minutes: int  # PAYG drawn by work (voided work given back)
    outside_minutes: int  # billed outside the contract, not drawn from any balance
    last_purchase_minutes: int | None
    addons: tuple[AddOnBalance, ...]
    overdraft: bool
    low_threshold_minutes: int | None  # at or below this the balance is low
    as_of: datetime | None = None

    @property
    def balance_minutes(self) -> int:
        return self.purchased_minutes - self.used_minutes

    @property
    def negative(self) -> bool:
        return self.balance_minutes < 0

    @property
    def low(self) -> bool:
        if self.balance_minutes <= 0:
            return self.purchased_minutes > 0 or self.used_minutes > 0
        return self.low_threshold_minutes is not None and self.balance_minutes <= self.low_threshold_minutes

    def warning(self) -> str | None:
        """One line for the CLI, the report and (later) the alert; None when the balance is fine."""
        left = duration(self.balance_minutes)
        if self.negative:
            return f"{self.customer}: PAYG balance is negative: {left} (overdraft)"
        if self.balance_minutes == 0 and self.low:
            return f"{self.customer}: no PAYG hours left; buy hours to log more work"
        if self.low:
            return (
                f"{self.customer}: PAYG balance is low: {left} left "
                f"(threshold {duration(self.low_threshold_minutes)})"
            )
        return None


def low_threshold(
    threshold_minutes: int | None, percent_of_last: int | None, last_purchase_minutes: int | None
) -> int | None:
    """The higher of the two thresholds, so that either one reached counts as low."""
    candidates = []
    if threshold_minutes is not None:
        candidates.append(threshold_minutes)
    if percent_of_last is not None and last_purchase_minutes:
        candidates.append(last_purchase_minutes * percent_of_last // 100)
    return max(candidates) if candidates else None
