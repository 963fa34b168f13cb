"""The hours ledger: purchased PAYG blocks, add-on entitlements, work and voids, exact and append-only.

with Ledger.open(url) as ledger:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=terms)
    ledger.log("acme", activity_id="incident", minutes=90, engineer="ana", terms=terms)
    ledger.balance("acme", terms).balance_minutes
"""

from agent.ledger.errors import InvalidInputError, LedgerError, NotFoundError, RefusedError
from agent.ledger.service import Ledger, Recorded
from agent.ledger.storage import LedgerUnavailableError
from agent.ledger.terms import DEFAULT_TERMS, AddOnTerm, SupportTerms, customer_terms, terms_from_support
from agent.ledger.views import AddOnBalance, Balance, EntryView, MovementView

__all__ = [
    "DEFAULT_TERMS",
    "AddOnBalance",
    "AddOnTerm",
    "Balance",
    "EntryView",
    "InvalidInputError",
    "Ledger",
    "LedgerError",
    "LedgerUnavailableError",
    "MovementView",
    "NotFoundError",
    "Recorded",
    "RefusedError",
    "SupportTerms",
    "customer_terms",
    "terms_from_support",
]
