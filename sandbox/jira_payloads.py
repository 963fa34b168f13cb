"""Jira answers: Server/Data Center (REST API 2) and Cloud (REST API 3), per the endpoint contract."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from collectors.model import Deployment
from sandbox.common_payloads import (
    ADMIN_ROUTES,
    STATUS_ROUTES,
    atlassian_iso,
    email,
    epoch_ms,
    licence_expiry,
    node_ids,
    organisation,
    stable_digits,
    version_numbers,
)
from sandbox.exchange import Call, Response, Route, json_response, not_found, route
from sandbox.spec import Fault, InstanceSpec

CLOUD_VERSION = "1001.0.0-SNAPSHOT"
_SERVICE_DESK_SEATS = (50, 23)  # (allowed, used): JSM is never the licence under test


def build_number(version: str) -> int:
    """Jira's scheme: 9.12.2 -> 9120002."""
    major, minor, patch = version_numbers(version)
    return major * 1_000_000 + minor * 10_000 + patch


def server_info(call: Call) -> Response:
    cloud = call.spec.deployment is Deployment.CLOUD
    version = CLOUD_VERSION if cloud else call.spec.version
    build = 100270 if cloud else build_number(version)
    payload: dict[str, object] = {
        "baseUrl": call.spec.base_url or call.base_url,
        "version": version,
        "versionNumbers": version_numbers(version),
        "deploymentType": "Cloud" if cloud else "Server",
        "buildNumber": build,
        "buildDate": "2024-01-10T00:00:00.000+0000",
        "serverTime": atlassian_iso(call.now),
        "scmInfo": "4b1a8e3f6c0d2e9a7b5c1d3e5f7a9b0c2d4e6f80",
        "serverTitle": "Jira",
    }
    if not cloud:
        payload["databaseBuildNumber"] = build
    return json_response(payload)


def myself(call: Call) -> Response:
    spec = call.spec
    return json_response(
        {
            "self": f"{call.base_url}/rest/api/2/user?username={spec.username}",
            "key": "JIRAUSER10100",
            "name": spec.username,
            "emailAddress": email(spec),
            "displayName": "Health Check Service",
            "active": True,
            "timeZone": "UTC",
        }
    )


def cloud_myself(call: Call) -> Response:
    account = "5b10a284" + hashlib.sha256(call.spec.name.encode()).hexdigest()[:16]
    return json_response(
        {
            "self": f"{call.base_url}/rest/api/3/user?accountId={account}",
            "accountId": account,
            "accountType": "atlassian",
            "emailAddress": email(call.spec),
            "displayName": "Health Check Service",
            "active": True,
            "timeZone": "UTC",
        }
    )


def _seats(spec: InstanceSpec, role: str) -> tuple[int, int]:
    """(allowed, used) for an application role; SEATS_FULL fills Jira Software."""
    if role == "jira-servicedesk":
        return _SERVICE_DESK_SEATS
    used = spec.seats_allowed if Fault.SEATS_FULL in spec.faults else spec.seats_used
    return spec.seats_allowed, used


_ROLES = {"jira-software": "Jira Software", "jira-servicedesk": "Jira Service Management"}


def application_roles(call: Call) -> Response:
    roles = []
    for key, name in _ROLES.items():
        allowed, used = _seats(call.spec, key)
        group = f"{key}-users"
        roles.append(
            {
                "key": key,
                "name": name,
                "numberOfSeats": allowed,
                "remainingSeats": allowed - used,
                "userCount": used,
                "userCountDescription": f"{used} users",
                "hasUnlimitedSeats": False,
                "defined": True,
                "platform": False,
                "groups": [group],
                "defaultGroups": [group],
                "selectedByDefault": False,
            }
        )
    return json_response(roles)


def raw_license(spec: InstanceSpec) -> str:
    """An opaque licence blob; distinctive so tests can prove a collector never stores it."""
    return "AAAB" + hashlib.sha256(spec.name.encode()).hexdigest().upper() * 4 + "X02q8"


def application_license(call: Call) -> Response:
    role = call.params["roleKey"]
    if role not in _ROLES:
        return not_found()
    spec = call.spec
    expiry, expired = licence_expiry(call)
    allowed, _ = _seats(spec, role)
    return json_response(
        {
            "valid": not expired,
            "evaluation": False,
            "maximumNumberOfUsers": allowed,
            "licenseType": "COMMERCIAL",
            "creationDateString": "10/Jan/24",
            "expiryDate": epoch_ms(expiry),
            "expiryDateString": expiry.strftime("%d/%b/%y"),
            "maintenanceExpiryDate": epoch_ms(expiry),
            "organizationName": organisation(spec),
            "dataCenter": spec.deployment is Deployment.DATACENTER,
            "subscription": spec.deployment is Deployment.DATACENTER,
            "rawLicense": raw_license(spec),
            "expired": expired,
            "supportEntitlementNumber": f"SEN-L{stable_digits(spec, 'jira-sen')}",
            "enterprise": False,
            "active": not expired,
            "autoRenewal": False,
        }
    )


def cluster_nodes(call: Call) -> Response:
    spec = call.spec
    if spec.deployment is not Deployment.DATACENTER:
        return json_response({"errorMessages": ["This Jira instance is not clustered"]}, 405)
    ids = node_ids(spec)
    started = epoch_ms(call.now - timedelta(days=3))
    went_offline = epoch_ms(call.now - timedelta(minutes=10))
    nodes = []
    for index, node in enumerate(ids):
        offline = Fault.NODE_OFFLINE in spec.faults and index == len(ids) - 1
        nodes.append(
            {
                "nodeId": node,
                "state": "OFFLINE" if offline else "ACTIVE",
                "alive": not offline,
                "ip": "127.0.0.1",
                "cacheListenerPort": 40001 + index,
                "nodeBuildNumber": build_number(spec.version),
                "nodeVersion": spec.version,
                "lastStateChangeTimestamp": went_offline if offline else started,
            }
        )
    return json_response(nodes)


def index_summary(call: Call) -> Response:
    spec = call.spec
    lagging = Fault.INDEX_LAGGING in spec.faults
    clustered = spec.deployment is Deployment.DATACENTER
    db_updated = call.now - timedelta(seconds=2)
    index_updated = db_updated - (timedelta(minutes=25) if lagging else timedelta(seconds=1))
    queues = {}
    for index, peer in enumerate(node_ids(spec)[1:] if clustered else []):
        backed_up = lagging and index == 0
        last_queued = call.now - timedelta(seconds=3)
        last_consumed = last_queued - timedelta(minutes=20) if backed_up else last_queued
        queues[peer] = {
            "lastConsumedOperation": {"id": 991, "replicationTime": atlassian_iso(last_consumed)},
            "lastOperationInQueue": {
                "id": 991 + 4200 if backed_up else 991,
                "replicationTime": atlassian_iso(last_queued),
            },
            "queueSize": 4200 if backed_up else 0,
        }
    return json_response(
        {
            "nodeId": "node1" if clustered else None,
            "reportTime": atlassian_iso(call.now),
            "issueIndex": {
                "indexReadable": True,
                "countInDatabase": spec.issues,
                "countInIndex": spec.issues * 4 // 5 if lagging else max(spec.issues - 2, 0),
                "countInArchive": 0,
                "lastUpdatedInDatabase": atlassian_iso(db_updated),
                "lastUpdatedInIndex": atlassian_iso(index_updated),
            },
            "replicationQueues": queues,
        }
    )


def cloud_license(call: Call) -> Response:
    return json_response({"applications": [{"id": "jira-software", "plan": "PAID"}]})


SERVER_ROUTES: list[Route] = [
    *STATUS_ROUTES,
    route("/rest/api/2/serverInfo", server_info, anonymous=True),
    route("/rest/api/2/myself", myself),
    route("/rest/api/2/applicationrole", application_roles),
    route("/rest/plugins/applications/1.0/installed/{roleKey}/license", application_license),
    route("/rest/api/2/cluster/nodes", cluster_nodes),
    route("/rest/api/2/index/summary", index_summary),
    *ADMIN_ROUTES,
]

CLOUD_ROUTES: list[Route] = [
    *STATUS_ROUTES,
    route("/rest/api/3/serverInfo", server_info, anonymous=True),
    route("/rest/api/3/myself", cloud_myself),
    route("/rest/api/3/applicationrole", application_roles),
    route("/rest/api/3/instance/license", cloud_license),
]
