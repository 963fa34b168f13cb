"""Crowd answers, per the endpoint contract (reference section 2.6). Serve it under a context path
(InstanceSpec(context_path="/crowd")), as Crowd runs.

The admin API takes basic credentials only (faults.credentials_valid refuses Bearer tokens for Crowd).
Directories follow Crowd 4.3+'s /rest/admin/1.0/directory/detailed (DetailedDirectoryData), paged.
Product faults: CROWD_SYNC_FAILED (the LDAP directory's last synchronisation failed, with a message) and
CROWD_SYNC_STALE (its last synchronisation ran 3 days ago).
"""

from __future__ import annotations

from datetime import timedelta

from collectors.model import Deployment
from sandbox.common_payloads import (
    ADMIN_ROUTES,
    STATUS_ROUTES,
    atlassian_iso,
    epoch_ms,
    stable_digits,
    version_numbers,
)
from sandbox.exchange import Call, Response, Route, json_response, route
from sandbox.spec import Fault

LDAP_DIRECTORY = "Corporate LDAP"
SYNC_FAILURE = (
    "Failed to synchronise directory: javax.naming.CommunicationException: ldap.example.com:636 "
    "[Root exception is java.net.ConnectException: Connection refused]"
)
SYNC_DURATION = timedelta(seconds=42)


def build_number(version: str) -> int:
    """A stable, Crowd-like build number: 6.1.2 -> 6102."""
    major, minor, patch = version_numbers(version)
    return major * 1000 + minor * 100 + patch


def server_info(call: Call) -> Response:
    spec = call.spec
    data_center = spec.deployment is Deployment.DATACENTER
    return json_response(
        {
            "version": spec.version,
            "deploymentTitle": "Crowd",
            "buildNumber": build_number(spec.version),
            "buildDate": "2024-09-20",
            "baseUrl": call.base_url,
            "versions": [str(n) for n in version_numbers(spec.version)],
            "deploymentType": "DataCenter" if data_center else "Server",
            "serverTime": atlassian_iso(call.now),
        }
    )


def _ldap_sync(call: Call) -> dict[str, object]:
    """The LDAP directory's last synchronisation after the sync faults."""
    faults = call.spec.faults
    # Crowd polls every hour: the healthy directory synchronised 20 minutes ago, the stale one 3 days before
    ago = timedelta(minutes=20) + (timedelta(days=3) if Fault.CROWD_SYNC_STALE in faults else timedelta(0))
    started = call.now - ago
    data: dict[str, object] = {
        "status": "FAILURE" if Fault.CROWD_SYNC_FAILED in faults else "SUCCESS",
        "startDate": epoch_ms(started),
        "endDate": epoch_ms(started + SYNC_DURATION),
        "synchronizationType": "INCREMENTAL",
    }
    if Fault.CROWD_SYNC_FAILED in faults:
        # Crowd 7 keeps the reason of a failed round as (incremental|full)SyncFailureReason; that the
        # detailed directory resource carries it is an assumption of this sandbox.
        data["incrementalSyncFailureReason"] = SYNC_FAILURE
    return data


def directories(call: Call) -> Response:
    spec = call.spec
    values = [
        {
            "id": 32769,
            "displayName": "Crowd internal",
            "directoryType": "INTERNAL",
            "descriptiveName": "Crowd Internal Directory",
            "active": True,
            "synchronizable": False,
            "synchronizationData": None,
        },
        {
            "id": 32770 + int(stable_digits(spec, "ldap-directory", 2)),
            "displayName": LDAP_DIRECTORY,
            "directoryType": "CONNECTOR",
            "descriptiveName": "Microsoft Active Directory",
            "active": True,
            "synchronizable": True,
            "synchronizationData": _ldap_sync(call),
        },
    ]
    page = {"start": 0, "limit": 1000, "size": len(values), "isLastPage": True}
    return json_response({**page, "values": values})


SERVER_ROUTES: list[Route] = [
    *STATUS_ROUTES,
    route("/rest/admin/1.0/server-info", server_info),
    route("/rest/admin/1.0/directory/detailed", directories),
    *ADMIN_ROUTES,
]
