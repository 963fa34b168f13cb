"""Products without a dedicated collector yet (Bitbucket, Bamboo, Crowd, Fisheye/Crucible): /status only.

Deeper collection for these comes in their own modules; until then a snapshot still says whether the
instance is up.
"""

from __future__ import annotations

from collectors.model import Product
from collectors.rest.common import status_step
from collectors.rest.session import Plan
from collectors.target import InstanceTarget

# Bamboo 7+ serves its unauthenticated probe under the REST API, answering {"state": ...}; its Helm
# chart reads "status", so the parser accepts both.
_STATUS_PATHS = {Product.BAMBOO: "rest/api/latest/status"}


def plan(target: InstanceTarget) -> Plan:
    return Plan(status_step(_STATUS_PATHS.get(target.product, "status")), [])
