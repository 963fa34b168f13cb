"""The configuration of `atlas-health serve`: schedules, alerts and their channels.

Documented key by key in config.example.yaml. Durations are written as `30s`, `5m`, `4h` or `1d`;
cron expressions have five fields and are read in `settings.timezone`.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    match = DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration: write it as 30s, 5m, 4h or 1d")
    return float(match.group(1)) * UNIT_SECONDS[match.group(2)]


def _env_name(value: str | None) -> str | None:
    if value is not None and not ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not a valid environment variable name")
    return value


def check_cron(expression: str) -> str:
    """A five-field cron expression that APScheduler's CronTrigger accepts."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"cron {expression!r} has {len(fields)} field(s); it needs 5: minute hour day month weekday"
        )
    try:
        CronTrigger.from_crontab(expression, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"cron {expression!r} does not parse: {exc}") from None
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

    @field_validator("every", "misfire_grace")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @model_validator(mode="after")
    def _one_trigger(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"schedule {self.name!r}: give exactly one of every or cron")
        if self.every is not None:
            seconds = parse_duration(self.every)
            if not MIN_EVERY_SECONDS <= seconds <= MAX_EVERY_SECONDS:
                raise ValueError(f"schedule {self.name!r}: every must be between 10s and 31d")
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

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours start and end at the same time")
        return self


class MaintenanceWindow(_Strict):
    """A planned window without notifications; times without a zone are in settings.timezone."""

    start: datetime
    end: datetime
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceWindow:
        start, end = self.start, self.end
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise ValueError("give a zone on both start and end, or on neither")
        if end <= start:
            raise ValueError(f"maintenance window ends ({end}) before it starts ({start})")
        return self


class CustomerService(_Strict):
    """A customer's own part of the service (customers[].service)."""

    schedules: list[Schedule] = Field(default_factory=list)  # added; a same-named one replaces the global
    replace_schedules: bool = False  # true: only this customer's own schedules apply to it
    quiet_hours: list[QuietHours] = Field(default_factory=list)
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)
    channels: list[str] | None = None  # channel names to notify for this customer (default: all)

    @model_validator(mode="after")
    def _unique(self) -> CustomerService:
        _unique_names([s.name for s in self.schedules], "schedule")
        return self


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

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if "@" not in address or any(c.isspace() for c in address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value

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
            if self.username or self.password_env or self.password_file:
                raise ValueError("token auth takes token_env or token_file only")
            if (self.token_env is None) == (self.token_file is None):
                raise ValueError("give exactly one of token_env or token_file")
        else:
            if not self.username:
                raise ValueError("basic auth needs a username")
            if self.token_env or self.token_file:
                raise ValueError("basic auth takes password_env or password_file")
            if (self.password_env is None) == (self.password_file is None):
                raise ValueError("give exactly one of password_env or password_file")
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

    @field_validator("renotify")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @model_validator(mode="after")
    def _unique(self) -> Alerts:
        _unique_names(self.channel_names(), "channel")
        for name in self.channel_names():
            if not CHANNEL_NAME.match(name):
                raise ValueError(f"channel name {name!r} must be letters, digits, '.', '_' or '-'")
        return self

    @property
    def renotify_seconds(self) -> float | None:
        return None if self.renotify is None else parse_duration(self.renotify)

    def channel_names(self) -> list[str]:
        return [c.name or f"{c.type}-{i}" for i, c in enumerate(self.channels, start=1)]

    def named_channels(self) -> list[tuple[str, WebhookChannel | EmailChannel | JiraChannel]]:
        return list(zip(self.channel_names(), self.channels, strict=True))


class ServiceConfig(_Strict):
    listen: str = "127.0.0.1:9464"  # /healthz and /metrics
    schedules: list[Schedule] = Field(default_factory=list)
    customers: Literal["all"] | list[str] = "all"
    reports_dir: Path | None = None  # default: the data dir's reports/
    retention_days: int = Field(default=400, ge=1, le=36_500)
    shutdown_grace: str = "60s"  # SIGTERM: how long running jobs may take to finish
    alerts: Alerts = Field(default_factory=Alerts)

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        match = LISTEN.match(value)
        if not match or not 0 < int(match.group("port")) < 65536:
            raise ValueError(f"listen {value!r} must be HOST:PORT, e.g. 127.0.0.1:9464")
        return value

    @field_validator("shutdown_grace")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _unique(self) -> ServiceConfig:
        _unique_names([s.name for s in self.schedules], "schedule")
        return self

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


def _url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
        raise ValueError(f"{value!r} is not an http:// or https:// URL")
    if "@" in value.split("/")[2]:
        raise ValueError("credentials do not belong in the URL")
    return value.rstrip("/")
