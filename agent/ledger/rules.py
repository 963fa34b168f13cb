"""The ledger's arithmetic: exact integers of minutes, rounding up to the contract's increment."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from agent.ledger.errors import InvalidInputError

MAX_MINUTES = 100_000 * 60  # no single purchase or piece of work is anywhere near 100,000 hours
MAX_PRICE = Decimal("1000000000")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def round_up(minutes: int, increment: int) -> int:
    """Minutes billed: rounded up to the next whole increment (15 -> 15, 16 -> 30 with 15)."""
    if increment < 1:
        raise ValueError("the rounding increment must be at least one minute")
    return -(-minutes // increment) * increment


def work_minutes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"minutes must be a whole number, not {value!r}")
    if not 1 <= value <= MAX_MINUTES:
        raise InvalidInputError(f"minutes must be between 1 and {MAX_MINUTES}, not {value}")
    return value


def hours_to_minutes(hours: Decimal | int | str) -> int:
    """Exact hours (20, 7.5, 0.25) as whole minutes; anything that is not whole minutes is refused."""
    try:
        value = Decimal(str(hours))
    except InvalidOperation:
        raise InvalidInputError(f"hours must be a number such as 20 or 7.5, not {hours!r}") from None
    if not value.is_finite() or value <= 0:
        raise InvalidInputError(f"hours must be more than 0, not {hours}")
    if value > MAX_MINUTES // 60:  # compared first: 1e999999 hours in minutes overflows the arithmetic
        raise InvalidInputError(f"{hours} hours is more than one purchase can hold")
    minutes = value * 60
    if minutes < 1 or minutes != minutes.to_integral_value():  # < 1: 1e-99999999 * 60 rounds to 0
        raise InvalidInputError(f"{hours} hours is not a whole number of minutes")
    if minutes > MAX_MINUTES:
        raise InvalidInputError(f"{hours} hours is more than one purchase can hold")
    return int(minutes)


def price(amount: Decimal | int | str) -> Decimal:
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise InvalidInputError(f"price must be a number such as 3500 or 3500.50, not {amount!r}") from None
    if not value.is_finite() or value < 0:
        raise InvalidInputError(f"price must be 0 or more, not {amount}")
    if value >= MAX_PRICE:  # compared first: quantizing 1e28 to cents exceeds Decimal's precision
        raise InvalidInputError(f"price {amount} is too large: at most {MAX_PRICE - Decimal('0.01')}")
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInputError(f"price {amount} has more than two decimal places")
    return value.quantize(Decimal("0.01"))


def currency(code: str) -> str:
    if not CURRENCY.match(code):
        raise InvalidInputError(f"currency {code!r} must be an ISO 4217 code in capitals, e.g. GBP or USD")
    return code


def text(value: str | None, what: str, limit: int, required: bool = False) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidInputError(f"{what} must not be empty")
        return None
    value = value.strip()
    if len(value) > limit:
        raise InvalidInputError(f"{what} is longer than {limit} characters")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise InvalidInputError(f"{what} holds control characters")
    return value
