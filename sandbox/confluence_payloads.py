"""Confluence answers: Server/Data Center and Cloud, per the endpoint contract."""

from __future__ import annotations

import hashlib

from collectors.model import Deployment
from sandbox import cloud_site_payloads
from sandbox.common_payloads import (
    ADMIN_ROUTES,
    STATUS_ROUTES,
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

CLUSTER_API_SINCE = (9, 5)  # /rest/api/cluster/nodes exists from Confluence 9.5 on


def build_number(version: str) -> str:
    """A Confluence-like build number: 9.5.1 -> "9501"."""
    major, minor, patch = version_numbers(version)
    return str(major * 1000 + minor * 100 + patch)


def server_information(call: Call) -> Response:
    build = build_number(call.spec.version)
    return json_response(
        {
            "baseUrl": call.base_url,
            "version": call.spec.version,
            "buildNumber": build,
            "marketplaceBuildNumber": build,
            "buildDate": "2024-01-15T00:00:00.000Z",
            "deploymentType": "Server",
        }
    )


def current_user(call: Call) -> Response:
    spec = call.spec
    digest = hashlib.sha256(spec.name.encode()).hexdigest()
    if spec.deployment is Deployment.CLOUD:
        return json_response(
            {
                "type": "known",
                "accountId": "5b10ac8d" + digest[:16],
                "accountType": "atlassian",
                "email": email(spec),
                "publicName": "Health Check Service",
                "displayName": "Health Check Service",
            }
        )
    return json_response(
        {
            "type": "known",
            "username": spec.username,
            "userKey": "8a7f808a" + digest[:24],
            "displayName": "Health Check Service",
        }
    )


def _users(spec: InstanceSpec) -> int:
    return spec.seats_allowed if Fault.SEATS_FULL in spec.faults else spec.seats_used


def license_details(call: Call) -> Response:
    spec = call.spec
    expiry, expired = licence_expiry(call)
    data_center = spec.deployment is Deployment.DATACENTER
    return json_response(
        {
            "licenseType": "COMMERCIAL",
            "evaluation": False,
            "dataCenter": data_center,
            "subscription": data_center,
            "expired": expired,
            "expiryDate": epoch_ms(expiry),
            "maintenanceExpiryDate": epoch_ms(expiry),
            "organisationName": organisation(spec),
            "supportEntitlementNumber": f"SEN-L{stable_digits(spec, 'confluence-sen')}",
            "maxUsers": spec.seats_allowed,
        }
    )


def user_count(call: Call) -> Response:
    return json_response({"count": _users(call.spec)})


def max_users(call: Call) -> Response:
    return json_response({"count": call.spec.seats_allowed})


def remaining_seats(call: Call) -> Response:
    return json_response({"count": call.spec.seats_allowed - _users(call.spec)})


def _node_states(spec: InstanceSpec) -> list[tuple[str, bool]]:
    """(node id, offline) per node; NODE_OFFLINE takes the last one down."""
    ids = node_ids(spec)
    return [(node, Fault.NODE_OFFLINE in spec.faults and i == len(ids) - 1) for i, node in enumerate(ids)]


def cluster_nodes(call: Call) -> Response:
    spec = call.spec
    too_old = tuple(version_numbers(spec.version)[:2]) < CLUSTER_API_SINCE
    if spec.deployment is not Deployment.DATACENTER or too_old:
        return not_found()
    results = [
        {
            "nodeId": node,
            "name": node,
            "state": "OFFLINE" if offline else "ACTIVE",
            "alive": not offline,
            "ip": "127.0.0.1",
            "version": spec.version,
            "buildNumber": build_number(spec.version),
        }
        for node, offline in _node_states(spec)
    ]
    return json_response({"results": results, "start": 0, "limit": 25, "size": len(results)})


def zdu_cluster(call: Call) -> Response:
    # Served on every Data Center version: newer ones keep the ZDU resource next to the cluster API.
    spec = call.spec
    if spec.deployment is not Deployment.DATACENTER:
        return json_response({"message": "This feature requires a clustered installation"}, 403)
    nodes = [
        {
            "id": node,
            "name": node,
            "state": "OFFLINE" if offline else "ACTIVE",
            "ipAddress": "127.0.0.1",
            "buildNumber": build_number(spec.version),
            "version": spec.version,
        }
        for node, offline in _node_states(spec)
    ]
    return json_response({"nodes": nodes, "state": "STABLE"})


SERVER_ROUTES: list[Route] = [
    *STATUS_ROUTES,
    route("/rest/api/server-information", server_information, anonymous=True),
    route("/rest/api/user/current", current_user),
    route("/rest/license/1.0/license/details", license_details),
    route("/rest/license/1.0/license/userCount", user_count),
    route("/rest/license/1.0/license/maxUsers", max_users),
    route("/rest/license/1.0/license/remainingSeats", remaining_seats),
    route("/rest/api/cluster/nodes", cluster_nodes),
    route("/rest/zdu/cluster", zdu_cluster),
    *ADMIN_ROUTES,
]

CLOUD_ROUTES: list[Route] = [
    *STATUS_ROUTES,
    route("/rest/api/user/current", current_user),
    route("/rest/api/settings/systemInfo", cloud_site_payloads.confluence_system_info),
]
