"""The configuration file's shape. Every key is documented in config.example.yaml."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.config.hosts_schema import Host, HostSettings, check_customer_hosts
from agent.config.ledger_schema import LedgerConfig, Support
from agent.config.service_schema import CustomerService, ServiceConfig
from collectors.model import Deployment, Product

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _finite(value: int | float) -> int | float:
    # NaN compares false with everything (the check would never fire); infinity is never reached
    if not math.isfinite(value):
        raise ValueError(f"a threshold must be a finite number, not {value}")
    return value


Thresholds = dict[str, dict[str, Annotated[int | float, AfterValidator(_finite)]]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _name(value: str, what: str) -> str:
    if not NAME.match(value):
        raise ValueError(f"{what} {value!r} must be letters, digits, '.', '_' or '-' (at most 63)")
    return value


def _env_name(value: str | None) -> str | None:
    if value is not None and not ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not a valid environment variable name")
    return value


class TokenAuth(_Strict):
    """A Server/Data Center personal access token, sent as a Bearer token."""

    type: Literal["token"]
    token_env: str | None = None
    token_file: Path | None = None

    _env = field_validator("token_env")(_env_name)

    @model_validator(mode="after")
    def _one_source(self) -> TokenAuth:
        if (self.token_env is None) == (self.token_file is None):
            raise ValueError("give exactly one of token_env or token_file")
        return self


class BasicAuth(_Strict):
    """A user and password; for Cloud, the account's e-mail address and an API token."""

    type: Literal["basic"]
    username: str = Field(min_length=1)
    password_env: str | None = None
    password_file: Path | None = None

    _env = field_validator("password_env")(_env_name)

    @model_validator(mode="after")
    def _one_source(self) -> BasicAuth:
        if (self.password_env is None) == (self.password_file is None):
            raise ValueError("give exactly one of password_env or password_file")
        return self


class NoAuth(_Strict):
    """Anonymous: only unauthenticated endpoints (/status) can be read."""

    type: Literal["none"]


Auth = Annotated[TokenAuth | BasicAuth | NoAuth, Field(discriminator="type")]


class Instance(_Strict):
    name: str
    product: Product
    url: str
    deployment: Deployment
    auth: Auth
    verify_tls: bool = True
    ca_bundle: Path | None = None
    thresholds: Thresholds = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _name(value, "instance name")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        if "@" in value.split("/")[2]:
            raise ValueError("credentials do not belong in the URL: use auth")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _tls(self) -> Instance:
        if self.ca_bundle is not None and not self.verify_tls:
            raise ValueError("ca_bundle is set but verify_tls is false: choose one")
        return self


class Customer(_Strict):
    name: str
    instances: list[Instance] = Field(min_length=1)
    support: Support | None = None  # the pay-as-you-go contract its hours are logged against
    hosts: list[Host] = Field(default_factory=list)  # the machines its products run on (optional)
    service: CustomerService | None = None  # its own schedules, quiet hours and maintenance (serve)

    _hosts = model_validator(mode="after")(check_customer_hosts)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _name(value, "customer name")

    @model_validator(mode="after")
    def _unique_instances(self) -> Customer:
        seen: set[str] = set()
        for inst in self.instances:
            if inst.name in seen:
                raise ValueError(f"instance name {inst.name!r} is used twice in customer {self.name!r}")
            seen.add(inst.name)
        return self


class Concurrency(_Strict):
    instances: int = Field(default=32, ge=1, le=512)
    calls_per_instance: int = Field(default=4, ge=1, le=32)


class LogSettings(_Strict):
    signature_files: list[Path] = Field(default_factory=list)  # own log signatures, relative to this file


class Settings(_Strict):
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    retry_after_cap_seconds: float = Field(default=30.0, ge=0, le=3600)
    max_retries: int = Field(default=2, ge=0, le=10)
    instance_budget_seconds: float = Field(default=120.0, gt=0, le=3600)
    call_deadline_seconds: float = Field(default=60.0, gt=0, le=3600)  # one HTTP call, first to last byte
    response_cap_mb: float = Field(default=32.0, gt=0, le=4096)  # one HTTP answer, raw and decompressed
    check_budget_seconds: float = Field(default=5.0, gt=0, le=300)
    concurrency: Concurrency = Field(default_factory=Concurrency)
    timezone: str = "UTC"
    hosts: HostSettings = Field(default_factory=HostSettings)  # SSH budgets, known_hosts, log caps
    logs: LogSettings = Field(default_factory=LogSettings)  # log analysis: the consultant's signature files

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            hint = "use an IANA name such as 'Europe/London'"
            raise ValueError(f"unknown time zone {value!r}; {hint}") from None
        return value


class ChecksConfig(_Strict):
    disabled: list[str] = Field(default_factory=list)
    thresholds: Thresholds = Field(default_factory=dict)


class Config(_Strict):
    settings: Settings = Field(default_factory=Settings)
    checks: ChecksConfig = Field(default_factory=ChecksConfig)
    ledger: LedgerConfig = Field(default_factory=LedgerConfig)
    service: ServiceConfig | None = None  # `atlas-health serve`: schedules, alerts, history
    customers: list[Customer] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_customers(self) -> Config:
        seen: set[str] = set()
        for customer in self.customers:
            if customer.name in seen:
                raise ValueError(f"customer name {customer.name!r} is used twice")
            seen.add(customer.name)
        return self
