"""A customer's support-hour balance as an alert: low (warning) or used up or overdrawn (critical),
judged at every run of a customer with a support contract, so it fires and resolves like any other
alert when hours are logged or bought."""

from __future__ import annotations

from dataclasses import dataclass

from agent.ledger.service import Ledger
from agent.ledger.terms import SupportTerms
from agent.service.events import Observation
from checks.finding import fingerprint

CHECK = "support.hours.balance"
TARGET = "support hours"


@dataclass(frozen=True)
class BalanceVerdict:
    minutes_left: int
    observation: Observation | None  # None: the balance is fine
    judged: tuple[str, str] = (CHECK, TARGET)


def balance_verdict(ledger: Ledger, customer: str, terms: SupportTerms) -> BalanceVerdict:
    balance = ledger.balance(customer, terms)
    warning = balance.warning()
    if warning is None:
        return BalanceVerdict(balance.balance_minutes, None)
    critical = balance.balance_minutes <= 0
    observation = Observation(
        customer=customer,
        fingerprint=fingerprint(CHECK, customer, TARGET),
        check=CHECK,
        target=TARGET,
        category="capacity",
        severity="critical" if critical else "warning",
        title="Support hours used up" if critical else "Support hours running low",
        message=f"{warning}. Buy hours (atlas-health hours buy) before more work is logged.",
    )
    return BalanceVerdict(balance.balance_minutes, observation)
