"""Hours and money for people: exact integers of minutes and decimal amounts, never floats."""

from __future__ import annotations

from decimal import Decimal


def duration(minutes: int | None, placeholder: str = "\u2014") -> str:
    """Minutes as hours and minutes: 90 -> "1 h 30 min", 1200 -> "20 h", -45 -> "-45 min"."""
    if minutes is None:
        return placeholder
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"duration takes whole minutes, not {type(minutes).__name__}")
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours:,} h {rest} min"
    if hours:
        return f"{sign}{hours:,} h"
    return f"{sign}{rest} min"


def hours_decimal(minutes: int) -> str:
    """Minutes as decimal hours, exact to the minute where it can be: 90 -> "1.5", 20 -> "0.33"
    (rounded to two places only when a third of an hour or similar has no exact decimal)."""
    value = Decimal(minutes) / Decimal(60)
    exact = value.normalize()
    exponent = exact.as_tuple().exponent  # an int: the value is finite
    if isinstance(exponent, int) and exponent >= -2:
        return f"{exact:f}"
    return f"{value.quantize(Decimal('0.01')):f}"


def money(amount: Decimal | None, currency: str | None = None, placeholder: str = "\u2014") -> str:
    """A decimal amount with thousands separators and two places: GBP 3,500.00."""
    if amount is None:
        return placeholder
    if not isinstance(amount, Decimal):
        raise TypeError(f"money takes a Decimal, not {type(amount).__name__}")
    text = f"{amount.quantize(Decimal('0.01')):,.2f}"
    return f"{currency} {text}" if currency else text
