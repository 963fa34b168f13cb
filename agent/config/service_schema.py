"""The configuration of `atlas-health serve`: schedules, alerts and their channels.

Documented key by key in config.example.yaml. Durations are written as `30s`, `5m`, `4h` or `1d`;
cron expressions have five fields and are read in `settings.timezone`.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SCHEDULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
CHANNEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LISTEN = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_EVERY_SECONDS = 10.0
MAX_EVERY_SECONDS = 31 * 86400.0
AlertSeverity = Literal["info", "warning", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_duration(text: str) -> float:
    """Seconds in `30s`, `5m`, `1.5h` or `2d`; a ValueError names the accepted forms."""
    match = DURATION.match(text) if isinstance(text, str) else None
    if not match:
        shown = repr(text) if isinstance(text, str) else str(text)
        hint = " (a number needs its unit)" if isinstance(text, int | float) else ""
        raise ValueError(f"{shown} is not a duration{hint}: write it as 30s, 5m, 4h or 1d")
    return float(match.group(1)) * UNIT_SECONDS[match.group(2)]


def _duration_text(value: Any) -> Any:
    """A `before` validator: a bare number (`every: 5`) gets the duration hint, not "not a string"."""
    if value is not None:
        parse_duration(value)
    return value


def _env_name(value: str | None) -> str | None:
    if value is not None and not ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not a valid environment variable name")
    return value


def check_cron(expression: str) -> str:
    """A five-field cron expression, read as cron reads it (weekday 0 and 7 are Sunday)."""
    from agent.service.crontab import crontab_trigger

    crontab_trigger(expression, "UTC")
    return expression


class Schedule(_Strict):
    """One recurring run: `every` or `cron`, optionally only some checks, optionally a kept report."""

    name: str
    every: str | None = None
    cron: str | None = None
    categories: list[str] = Field(default_factory=list)  # only checks of these categories
    checks: list[str] = Field(default_factory=list)  # only these check ids (with `categories`: either)
    report: bool = False  # write the health-check report (HTML, Markdown, JSON) and log its hours
    statement: bool = False  # write each customer's hour statement for the previous calendar month
    misfire_grace: str = "10m"  # a run missed by less than this (the service was down) still runs once

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not SCHEDULE_NAME.match(value):
            raise ValueError(f"schedule name {value!r} must be lower-case letters, digits, '_' or '-'")
        return value

    _durations = field_validator("every", "misfire_grace", mode="before")(_duration_text)

    @field_validator("every")
    @classmethod
    def _every_range(cls, value: str | None) -> str | None:
        if value is not None and not MIN_EVERY_SECONDS <= parse_duration(value) <= MAX_EVERY_SECONDS:
            raise ValueError(f"every {value!r} is out of range: it must be between 10s and 31d")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @model_validator(mode="after")
    def _one_trigger(self) -> Schedule:
        if self.every is not None and self.cron is not None:
            raise ValueError(f"schedule {self.name!r} has both every and cron: keep one")
        if self.every is None and self.cron is None:
            raise ValueError(f'schedule {self.name!r} needs every (e.g. 5m) or cron (e.g. "0 2 * * *")')
        if self.statement and (self.categories or self.checks or self.report):
            raise ValueError(
                f"schedule {self.name!r}: a statement schedule writes statements only; "
                "drop categories, checks and report"
            )
        return self

    @property
    def every_seconds(self) -> float | None:
        return None if self.every is None else parse_duration(self.every)

    @property
    def misfire_grace_seconds(self) -> float:
        return parse_duration(self.misfire_grace)


class QuietHours(_Strict):
    """Daily hours without notifications, in settings.timezone; `end` before `start` spans midnight."""

    start: time
    end: time
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS))  # days the quiet period starts on

    @field_validator("start", "end", mode="before")
    @classmethod
    def _quoted(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted 22:00 as the base-60 integer 1320.
        if isinstance(value, int) and not isinstance(value, bool):
            hours, minutes = divmod(value, 60)
            shown = f"{hours:02d}:{minutes:02d}" if 0 <= value < 24 * 60 else str(value)
            raise ValueError(f"YAML reads an unquoted time as a number ({value}): quote it: '{shown}'")
        return value

    @field_validator("end")
    @classmethod
    def _not_empty(cls, value: time, info: ValidationInfo) -> time:
        if info.data.get("start") == value:
            raise ValueError("quiet hours start and end at the same time")
        return value


class MaintenanceWindow(_Strict):
    """A planned window without notifications; times without a zone are in settings.timezone."""

    start: datetime
    end: datetime
    reason: str = ""

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if start is None:  # start itself is wrong and reported
            return end
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise ValueError("give a zone on both start and end, or on neither")
        if end <= start:
            raise ValueError(f"maintenance window ends ({end}) before it starts ({start})")
        return end


class CustomerService(_Strict):
    """A customer's own part of the service (customers[].service)."""

    schedules: list[Schedule] = Field(default_factory=list)  # added; a same-named one replaces the global
    replace_schedules: bool = False  # true: only this customer's own schedules apply to it
    quiet_hours: list[QuietHours] = Field(default_factory=list)
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)
    channels: list[str] | None = None  # channel names to notify for this customer (default: all)

    @field_validator("schedules")
    @classmethod
    def _unique(cls, value: list[Schedule]) -> list[Schedule]:
        _unique_names([s.name for s in value], "schedule")
        return value


class WebhookChannel(_Strict):
    type: Literal["webhook"]
    name: str | None = None  # default: webhook-N (N its position in the list, from 1)
    url: str
    format: Literal["generic", "slack", "teams"] = "generic"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # An optional shared secret sent as "Authorization: Bearer" (generic webhooks).
    token_env: str | None = None
    token_file: Path | None = None

    _env = field_validator("token_env")(_env_name)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _url(value)

    @model_validator(mode="after")
    def _one_token(self) -> WebhookChannel:
        if self.token_env is not None and self.token_file is not None:
            raise ValueError("give at most one of token_env or token_file")
        return self


class EmailChannel(_Strict):
    type: Literal["email"]
    name: str | None = None
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True  # STARTTLS after connecting (587); `tls: true` for implicit TLS (465)
    tls: bool = False
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    sender: str = Field(alias="from", min_length=3)
    to: list[str] = Field(min_length=1)
    timeout_seconds: float = Field(default=20.0, gt=0, le=120)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _env = field_validator("password_env")(_env_name)

    @field_validator("to", mode="before")
    @classmethod
    def _one_address(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            _address(address)
        return value

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _address(value)

    @model_validator(mode="after")
    def _credentials(self) -> EmailChannel:
        has_password = self.password_env is not None or self.password_file is not None
        if self.password_env is not None and self.password_file is not None:
            raise ValueError("give at most one of password_env or password_file")
        if has_password and not self.username:
            raise ValueError("a password needs a username")
        if self.username and not has_password:
            raise ValueError(f"username {self.username!r} needs password_env or password_file")
        if self.tls and self.starttls:
            raise ValueError("choose tls (implicit, port 465) or starttls (port 587), not both")
        return self


class JiraChannelAuth(_Strict):
    """The support team's own Jira: a token (Server/DC, Bearer) or a user and password/API token."""

    type: Literal["token", "basic"]
    username: str | None = None
    token_env: str | None = None
    token_file: Path | None = None
    password_env: str | None = None
    password_file: Path | None = None

    _env = field_validator("token_env", "password_env")(_env_name)

    @model_validator(mode="after")
    def _one_source(self) -> JiraChannelAuth:
        if self.type == "token":
            extra = [k for k in ("username", "password_env", "password_file") if getattr(self, k)]
            if extra:
                raise ValueError(f"token auth takes token_env or token_file; drop {', '.join(extra)}")
            if (self.token_env is None) == (self.token_file is None):
                raise ValueError("token auth needs exactly one of token_env or token_file")
        else:
            if not self.username:
                raise ValueError("basic auth needs a username")
            extra = [k for k in ("token_env", "token_file") if getattr(self, k)]
            if extra:
                raise ValueError(
                    f"basic auth takes password_env or password_file; drop {', '.join(extra)} "
                    "(an API token goes in password_env)"
                )
            if (self.password_env is None) == (self.password_file is None):
                raise ValueError("basic auth needs exactly one of password_env or password_file")
        return self


class JiraChannel(_Strict):
    """One issue per firing alert in the support team's own Jira: the one write the agent makes."""

    type: Literal["jira"]
    name: str | None = None
    url: str
    project: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,19}$")
    issue_type: str = "Incident"
    auth: JiraChannelAuth
    labels: list[str] = Field(default_factory=lambda: ["atlas-health"])  # added to every issue
    resolve_transition: str | None = None  # the transition's name run on resolution, e.g. "Resolve"
    verify_tls: bool = True
    ca_bundle: Path | None = None
    timeout_seconds: float = Field(default=15.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _url(value)


Channel = Annotated[WebhookChannel | EmailChannel | JiraChannel, Field(discriminator="type")]


class Alerts(_Strict):
    min_severity: AlertSeverity = "warning"
    confirm_runs: int = Field(default=2, ge=1, le=100)  # seen in N consecutive runs before it fires
    resolve_runs: int = Field(default=2, ge=1, le=100)  # absent in N consecutive runs before it resolves
    renotify: str | None = "4h"  # a reminder while still firing; null: none
    low_balance: bool = True  # a customer's low hour balance alerts (ledger customers only)
    channels: list[Channel] = Field(default_factory=list)

    _duration = field_validator("renotify", mode="before")(_duration_text)

    @field_validator("channels")
    @classmethod
    def _unique(cls, value: list[WebhookChannel | EmailChannel | JiraChannel]) -> list[Any]:
        names = _channel_names(value)
        _unique_names(names, "channel")
        for name in names:
            if not CHANNEL_NAME.match(name):
                raise ValueError(f"channel name {name!r} must be letters, digits, '.', '_' or '-'")
        return value

    @property
    def renotify_seconds(self) -> float | None:
        return None if self.renotify is None else parse_duration(self.renotify)

    def channel_names(self) -> list[str]:
        return _channel_names(self.channels)

    def named_channels(self) -> list[tuple[str, WebhookChannel | EmailChannel | JiraChannel]]:
        return list(zip(self.channel_names(), self.channels, strict=True))


class ServiceConfig(_Strict):
    listen: str = "127.0.0.1:9464"  # /healthz and /metrics
    schedules: list[Schedule] = Field(default_factory=list)
    customers: Literal["all"] | list[str] = "all"
    reports_dir: Path | None = None  # default: the data dir's reports/
    retention_days: int = Field(default=400, ge=1, le=36_500)
    # How many days of recorded figures forecasts fit (disk full, licence seats, heap floor).
    forecast_days: int = Field(default=30, ge=3, le=3_650)
    shutdown_grace: str = "60s"  # SIGTERM: how long running jobs may take to finish
    alerts: Alerts = Field(default_factory=Alerts)

    @field_validator("listen", mode="before")
    @classmethod
    def _listen(cls, value: Any) -> Any:
        match = LISTEN.match(value) if isinstance(value, str) else None
        if not match or not 0 < int(match.group("port")) < 65536:
            shown = repr(value) if isinstance(value, str) else str(value)
            raise ValueError(
                f"listen {shown} must be HOST:PORT, e.g. 127.0.0.1:9464 (0.0.0.0:9464 in a container)"
            )
        return value

    _duration = field_validator("shutdown_grace", mode="before")(_duration_text)

    @field_validator("customers", mode="before")
    @classmethod
    def _all_or_list(cls, value: Any) -> Any:
        if isinstance(value, str) and value != "all":
            raise ValueError(f"customers {value!r}: write all, or a list of customer names such as [{value}]")
        return value

    @field_validator("schedules")
    @classmethod
    def _unique(cls, value: list[Schedule]) -> list[Schedule]:
        _unique_names([s.name for s in value], "schedule")
        return value

    @property
    def listen_address(self) -> tuple[str, int]:
        match = LISTEN.match(self.listen)
        assert match is not None  # validated above
        return match.group("host").strip("[]"), int(match.group("port"))

    @property
    def shutdown_grace_seconds(self) -> float:
        return parse_duration(self.shutdown_grace)


def _unique_names(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} is used twice")
        seen.add(name)


def _channel_names(channels: list[WebhookChannel | EmailChannel | JiraChannel]) -> list[str]:
    return [c.name or f"{c.type}-{i}" for i, c in enumerate(channels, start=1)]


def _address(value: str) -> str:
    if "@" not in value or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
        raise ValueError(f"{value!r} is not an http:// or https:// URL")
    if "@" in value.split("/")[2]:
        raise ValueError("credentials do not belong in the URL")
    return value.rstrip("/")
