"""The trends part of a health-check report: figures of earlier runs the service recorded, with this
run's as the last point and a robust fitted line (checks.forecasting.fit).

Part of the report's documented schema (reports/health-check-report.schema.json).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt

TrendUnit = Literal["bytes", "ms", "seats"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class TrendPoint(_Model):
    at: AwareDatetime = Field(description="When the run that measured it started.")
    value: float


class TrendLine(_Model):
    """The robust (Theil-Sen) straight line through the series after its last cleanup."""

    slope_per_day: float = Field(description="Change per day, in the series' unit.")
    slope_low: float = Field(description="Low end of the slope's 95 % band, per day.")
    slope_high: float = Field(description="High end of the slope's 95 % band, per day.")
    start_at: AwareDatetime = Field(description="The first point fitted (after the last large drop).")
    start_value: float = Field(description="The line's value at start_at.")
    end_at: AwareDatetime = Field(description="The newest point.")
    end_value: float = Field(description="The line's value at end_at.")
    points_used: NonNegativeInt = Field(description="Distinct times fitted.")


class TrendSeries(_Model):
    """One figure of one host or instance over time."""

    subject: Literal["host", "instance"] = Field(description="What target names: a host or an instance.")
    target: str = Field(description="The host or instance name from the configuration.")
    metric: str = Field(
        description=(
            "disk.used_bytes (key: mount point), response_ms, or licence.seats_used (key: application)."
        )
    )
    key: str = Field(description='The mount point or licensed application; "" for response_ms.')
    unit: TrendUnit
    points: list[TrendPoint] = Field(
        description=(
            "Oldest first; this run's figure last when it was collected. A long series is thinned to "
            "evenly spaced points (the fit used all of them)."
        )
    )
    limit: float | None = Field(
        description="The ceiling now: the filesystem's size, the seats allowed; null: none or not known."
    )
    trend: TrendLine | None = Field(description="null: too few points or too short a span to fit a line.")
