"""Answers only Atlassian Cloud sites give: Confluence Cloud's system info (its edition, i.e. plan)."""

from __future__ import annotations

import hashlib

from sandbox.common_payloads import organisation
from sandbox.exchange import Call, Response, json_response


def confluence_system_info(call: Call) -> Response:
    digest = hashlib.sha256(call.spec.name.encode()).hexdigest()
    return json_response(
        {
            "cloudId": f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
            "commitHash": digest[:40],
            "baseUrl": call.base_url,
            "edition": "standard",
            "siteTitle": f"{organisation(call.spec)} Confluence",
            "defaultLocale": "en_US",
            "defaultTimeZone": "UTC",
        }
    )
