"""A simulated Atlassian estate over real HTTP on loopback, with per-instance fault injection.

Tests and `atlas-health demo` use it; payloads and faults follow the collectors' endpoint contract.
"""

from sandbox.config import env_name, sandbox_config
from sandbox.estates import demo_estate, fleet_estate, mixed_fleet_estate
from sandbox.exchange import RecordedRequest
from sandbox.server import Sandbox
from sandbox.spec import Fault, InstanceSpec

__all__ = [
    "Fault",
    "InstanceSpec",
    "RecordedRequest",
    "Sandbox",
    "demo_estate",
    "env_name",
    "fleet_estate",
    "mixed_fleet_estate",
    "sandbox_config",
]
