"""The demo's host: the machine the demo runs on, read with psutil like any `connection: local` host."""

from __future__ import annotations

from typing import Any

LOCAL_HOST = "agent-machine"


def add_local_host(config: dict[str, Any]) -> None:
    """Give the first customer of the demo configuration the agent's own machine as a host."""
    customer = config["customers"][0]
    customer.setdefault("hosts", []).append({"name": LOCAL_HOST, "connection": "local"})
