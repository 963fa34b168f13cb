"""The output formats, in a module that imports nothing: the CLI's options list them without loading
Jinja, pydantic or the report model (``atlas-health --help`` must stay fast)."""

from typing import Literal

HealthCheckFormat = Literal["html", "md", "json"]

HEALTH_CHECK_FORMATS: tuple[HealthCheckFormat, ...] = ("html", "md", "json")
STATEMENT_FORMATS: tuple[str, ...] = ("html", "md", "csv")
