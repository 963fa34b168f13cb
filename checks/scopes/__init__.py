"""The scopes checks run in, in the order the runner visits them."""

from __future__ import annotations

from typing import Any

from checks.scopes.base import Scope
from checks.scopes.host import HOST_SCOPE, HostNeighbourhood
from checks.scopes.instance import INSTANCE_SCOPE
from checks.scopes.logs import LOGS_SCOPE

__all__ = ["HOST_SCOPE", "INSTANCE_SCOPE", "LOGS_SCOPE", "SCOPES", "HostNeighbourhood", "Scope"]

SCOPES: tuple[Scope[Any, Any], ...] = (INSTANCE_SCOPE, HOST_SCOPE, LOGS_SCOPE)
