"""The configuration of the hours ledger: where it is stored, and each customer's support contract.

Documented key by key in config.example.yaml. Purchases are not configuration: they are recorded
in the ledger with `atlas-health hours buy`.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CURRENCY = re.compile(r"^[A-Z]{3}$")
DEFAULT_UPGRADE_HOURS = 24  # the Annual Upgrades add-on: 24 hours of consultancy a year
DEFAULT_HEALTH_CHECK_DAYS = 1  # the Annual Health Check add-on: one day on site a year
ReportKind = Literal["health_check", "post_incident"]  # the reports that log time: ledger.report_minutes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddOn(_Strict):
    """One add-on of the support contract, active from `start` to `end` (both days included)."""

    kind: Literal["administration", "upgrades", "health_check"]
    start: date
    end: date
    hours: int | None = Field(default=None, ge=1, le=10_000)  # upgrades only
    days: int | None = Field(default=None, ge=1, le=365)  # health_check only

    @model_validator(mode="after")
    def _consistent(self) -> AddOn:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.hours is not None and self.kind != "upgrades":
            raise ValueError("hours applies only to the upgrades add-on")
        if self.days is not None and self.kind != "health_check":
            raise ValueError("days applies only to the health_check add-on")
        return self

    @property
    def upgrade_hours(self) -> int:
        return self.hours if self.hours is not None else DEFAULT_UPGRADE_HOURS

    @property
    def health_check_days(self) -> int:
        return self.days if self.days is not None else DEFAULT_HEALTH_CHECK_DAYS


class LowBalance(_Strict):
    """When the pay-as-you-go balance counts as low; either threshold reached is enough."""

    hours: Decimal | None = Field(default=None, ge=0, le=100_000)
    percent_of_last_purchase: int | None = Field(default=20, ge=1, le=100)

    @field_validator("hours")
    @classmethod
    def _whole_minutes(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and (value * 60) != (value * 60).to_integral_value():
            raise ValueError(f"{value} hours is not a whole number of minutes")
        return value


class Support(_Strict):
    """A customer's pay-as-you-go support contract."""

    currency: str
    rounding_minutes: int = Field(default=15, ge=1, le=480)
    overdraft: bool = False
    low_balance: LowBalance = Field(default_factory=LowBalance)
    addons: list[AddOn] = Field(default_factory=list)

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if not CURRENCY.match(value):
            raise ValueError(f"currency {value!r} must be an ISO 4217 code in capitals, e.g. GBP or USD")
        return value

    @model_validator(mode="after")
    def _no_overlap(self) -> Support:
        by_kind: dict[str, list[AddOn]] = {}
        for addon in self.addons:
            by_kind.setdefault(addon.kind, []).append(addon)
        for kind, periods in by_kind.items():
            ordered = sorted(periods, key=lambda a: a.start)
            for before, after in itertools.pairwise(ordered):
                if after.start <= before.end:
                    raise ValueError(
                        f"two {kind} add-on periods overlap ({before.start}..{before.end} and "
                        f"{after.start}..{after.end}); give each period its own dates"
                    )
        return self


class ReportMinutes(_Strict):
    """Minutes logged against the customer's balance for each report the agent produces."""

    health_check: int = Field(default=15, ge=0, le=1440)
    post_incident: int = Field(default=60, ge=0, le=1440)

    def of(self, kind: ReportKind) -> int:
        return self.post_incident if kind == "post_incident" else self.health_check


class LedgerConfig(_Strict):
    """Where the hours ledger lives: SQLite (default, a file in the data directory) or PostgreSQL."""

    url: str | None = None
    busy_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    report_minutes: ReportMinutes = Field(default_factory=ReportMinutes)

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError(
                f"{value!r} is not a ledger URL: use sqlite:///path/ledger.sqlite or "
                "postgresql://user@host/db"
            )
        netloc = value.split("://", 1)[1].split("/", 1)[0]
        query = value.split("?", 1)[1] if "?" in value else ""
        in_query = re.search(r"(?:^|&)password=", query, re.I)
        if ("@" in netloc and ":" in netloc.rsplit("@", 1)[0]) or in_query:
            raise ValueError(
                "inline secrets are not accepted: leave the password out of the URL and give it in "
                "PGPASSWORD or ~/.pgpass"
            )
        return value
