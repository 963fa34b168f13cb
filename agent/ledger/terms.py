"""A customer's support contract as the ledger's rules read it, built from the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from agent.config.ledger_schema import AddOn, Support
from agent.config.schema import Config


@dataclass(frozen=True)
class AddOnTerm:
    addon: str  # administration | upgrades | health_check
    start: date
    end: date  # included
    minutes: int = 0  # upgrades: consultancy minutes for the period
    days: int = 0  # health_check: on-site days for the period

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class SupportTerms:
    currency: str | None = None  # None: whatever the first purchase was in
    rounding_minutes: int = 15
    overdraft: bool = False
    low_balance_minutes: int | None = None
    low_balance_percent: int | None = 20  # of the last purchase
    addons: tuple[AddOnTerm, ...] = field(default_factory=tuple)

    def active(self, addon: str, day: date) -> AddOnTerm | None:
        for term in self.addons:
            if term.addon == addon and term.covers(day):
                return term
        return None


DEFAULT_TERMS = SupportTerms()


def _addon(addon: AddOn) -> AddOnTerm:
    return AddOnTerm(
        addon=addon.kind,
        start=addon.start,
        end=addon.end,
        minutes=addon.upgrade_hours * 60 if addon.kind == "upgrades" else 0,
        days=addon.health_check_days if addon.kind == "health_check" else 0,
    )


def terms_from_support(support: Support) -> SupportTerms:
    hours = support.low_balance.hours
    return SupportTerms(
        currency=support.currency,
        rounding_minutes=support.rounding_minutes,
        overdraft=support.overdraft,
        low_balance_minutes=None if hours is None else int(hours * Decimal(60)),
        low_balance_percent=support.low_balance.percent_of_last_purchase,
        addons=tuple(_addon(a) for a in sorted(support.addons, key=lambda a: (a.kind, a.start))),
    )


def customer_terms(config: Config | None, customer: str) -> SupportTerms | None:
    """The customer's terms; None when the configuration has no support contract for it."""
    if config is None:
        return None
    for entry in config.customers:
        if entry.name == customer:
            return terms_from_support(entry.support) if entry.support else None
    return None
