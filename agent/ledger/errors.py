"""What the ledger says when it will not do something: one line naming the thing and the fix."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every ledger refusal or input problem."""


class InvalidInputError(LedgerError, ValueError):
    """An amount, a name or a date the ledger cannot take as given."""


class RefusedError(LedgerError):
    """A business rule refuses the entry (no add-on, not enough balance, already voided, ...)."""


class NotFoundError(LedgerError):
    """No such entry."""
