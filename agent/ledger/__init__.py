"""The hours ledger: purchased PAYG blocks, add-on entitlements, work and voids, exact and append-only.

    with Ledger.open(url) as ledger:
        ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=terms)
        ledger.log("acme", activity_id="incident", minutes=90, engineer="ana", terms=terms)
        ledger.balance("acme", terms).balance_minutes

Names are imported on first use (CONTRIBUTING.md, "Lazy imports").
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "InvalidInputError": "agent.ledger.errors",
    "LedgerError": "agent.ledger.errors",
    "NotFoundError": "agent.ledger.errors",
    "RefusedError": "agent.ledger.errors",
    "Ledger": "agent.ledger.service",
    "Recorded": "agent.ledger.service",
    "LedgerUnavailableError": "agent.ledger.storage",
    "DEFAULT_TERMS": "agent.ledger.terms",
    "AddOnTerm": "agent.ledger.terms",
    "SupportTerms": "agent.ledger.terms",
    "customer_terms": "agent.ledger.terms",
    "terms_from_support": "agent.ledger.terms",
    "AddOnBalance": "agent.ledger.views",
    "Balance": "agent.ledger.views",
    "EntryView": "agent.ledger.views",
    "MovementView": "agent.ledger.views",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'agent.ledger' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
