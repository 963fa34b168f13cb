"""Bitbucket Server / Data Center answers, per the endpoint contract (reference section 2.4).

Product faults: BITBUCKET_SEATS_NEAR_LIMIT (users at 95 % of the licence), BITBUCKET_INDEX_DOWN (the search
server is unavailable: the index resource answers 503 with Bitbucket's JSON error). The generic faults
(licence, seats, node offline, ATST, apps, and everything in faults.py) apply as for Jira.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

from collectors.model import Deployment
from sandbox.common_payloads import (
    ADMIN_ROUTES,
    epoch_ms,
    licence_expiry,
    node_ids,
    organisation,
    stable_digits,
    version_numbers,
)
from sandbox.exchange import Builder, Call, Response, Route, json_response, route
from sandbox.spec import Fault, InstanceSpec

SEARCH_DOWN_MESSAGE = (
    "Search is currently unavailable: Bitbucket could not connect to the search server at "
    "http://localhost:7992. Check that the search server is running and reachable."
)
# Bitbucket's /status codes (KB): STARTING 503, FIRST_RUN/RUNNING/MAINTENANCE 200. ERROR is unconfirmed;
# 500 is assumed, as for Jira.
_STATUS_CODES = {"STARTING": 503, "ERROR": 500}


def build_number(version: str) -> str:
    """Bitbucket's scheme: 9.4.2 -> "9004002"."""
    major, minor, patch = version_numbers(version)
    return str(major * 1_000_000 + minor * 1_000 + patch)


def errors(message: str, status: int) -> Response:
    """Bitbucket's error body: {"errors": [{"context", "message", "exceptionName"}]}."""
    return json_response({"errors": [{"context": None, "message": message, "exceptionName": None}]}, status)


def users(spec: InstanceSpec) -> int:
    """Licensed users in use after the seat faults: full, 95 % of the limit, or the spec's count."""
    if Fault.SEATS_FULL in spec.faults:
        return spec.seats_allowed
    if Fault.BITBUCKET_SEATS_NEAR_LIMIT in spec.faults:
        return math.ceil(spec.seats_allowed * 0.95)
    return spec.seats_used


def raw_license(spec: InstanceSpec) -> str:
    """The licence key the resource echoes; the collector must never store it."""
    return "AAAB" + stable_digits(spec, "bitbucket-licence", 8) + "x" * 60


def _user_headers(build: Builder) -> Builder:
    """Bitbucket names the authenticated user in X-AUSERNAME (and X-AUSERID) on every answer."""

    def with_headers(call: Call) -> Response:
        response = build(call)
        if call.authorization is None:
            return response
        user_id = str(100 + int(stable_digits(call.spec, "bitbucket-user", 3)))
        extra = (("X-AUSERNAME", call.spec.username), ("X-AUSERID", user_id))
        return replace(response, headers=(*response.headers, *extra))

    return with_headers


def status(call: Call) -> Response:
    state = call.spec.state
    return json_response({"state": state}, _STATUS_CODES.get(state, 200))


def application_properties(call: Call) -> Response:
    version = call.spec.version
    return json_response(
        {
            "version": version,
            "buildNumber": build_number(version),
            "buildDate": str(epoch_ms(call.now - timedelta(days=60))),
            "displayName": "Bitbucket",
        }
    )


def license_details(call: Call) -> Response:
    spec = call.spec
    expiry, _ = licence_expiry(call)
    days = math.floor((expiry - call.now) / timedelta(days=1))
    server_id = f"B{stable_digits(spec, 'bitbucket-server', 3)}-{stable_digits(spec, 'bitbucket-id', 4)}"
    return json_response(
        {
            "creationDate": epoch_ms(expiry - timedelta(days=365)),
            "purchaseDate": epoch_ms(expiry - timedelta(days=365)),
            "expiryDate": epoch_ms(expiry),
            "numberOfDaysBeforeExpiry": days,
            "maintenanceExpiryDate": epoch_ms(expiry),
            "numberOfDaysBeforeMaintenanceExpiry": days,
            "gracePeriodEndDate": epoch_ms(expiry + timedelta(days=30)),
            "numberOfDaysBeforeGracePeriodExpiry": days + 30,
            "maximumNumberOfUsers": spec.seats_allowed,
            "unlimitedNumberOfUsers": False,
            "serverId": server_id,
            "supportEntitlementNumber": f"SEN-L{stable_digits(spec, 'bitbucket-sen')}",
            "status": {"serverId": server_id, "currentNumberOfUsers": users(spec)},
            "license": raw_license(spec),
            "organisationName": organisation(spec),
        }
    )


def _nodes(spec: InstanceSpec) -> list[tuple[str, bool]]:
    """(node id, offline) per node; NODE_OFFLINE takes the last one down. Server runs one node."""
    ids = node_ids(spec) if spec.deployment is Deployment.DATACENTER else ["node1"]
    return [(node, Fault.NODE_OFFLINE in spec.faults and i == len(ids) - 1) for i, node in enumerate(ids)]


def zdu_cluster(call: Call) -> Response:
    """Rolling upgrades are a Data Center feature: Server has no such resource."""
    spec = call.spec
    if spec.deployment is not Deployment.DATACENTER:
        return errors("Rolling upgrades are only available for Bitbucket Data Center.", 404)
    nodes = [
        {
            "id": f"{node}-{stable_digits(spec, node, 6)}",
            "name": node,
            "ipAddress": "127.0.0.1",
            "state": "OFFLINE" if offline else "ACTIVE",
            "buildNumber": build_number(spec.version),
            "version": spec.version,
            "local": index == 0,
            "portNumber": 5701,
        }
        for index, (node, offline) in enumerate(_nodes(spec))
    ]
    return json_response({"state": "STABLE", "nodes": nodes})


def admin_cluster(call: Call) -> Response:
    """The connected nodes only: an offline node is simply not listed."""
    spec = call.spec
    nodes = [
        {
            "id": f"{node}-{stable_digits(spec, node, 6)}",
            "name": node,
            "address": {"hostName": "127.0.0.1", "port": 5701},
            "buildVersion": spec.version,
            "local": index == 0,
        }
        for index, (node, offline) in enumerate(_nodes(spec))
        if not offline
    ]
    return json_response({"localNode": nodes[0], "nodes": nodes, "running": True})


def index_status(call: Call) -> Response:
    if Fault.BITBUCKET_INDEX_DOWN in call.spec.faults:
        return errors(SEARCH_DOWN_MESSAGE, 503)
    return json_response({"status": "IDLE"})


def mail_server(call: Call) -> Response:
    """Configured on Data Center; the Server instances of the sandbox have none (Bitbucket's 404)."""
    spec = call.spec
    if spec.deployment is not Deployment.DATACENTER:
        return errors("No mail server has been configured.", 404)
    return json_response(
        {
            "hostname": "smtp.example.com",
            "port": 587,
            "protocol": "SMTP",
            "useStartTls": True,
            "requireStartTls": True,
            "username": "bitbucket-mailer",
            "senderAddress": f"bitbucket@{organisation(spec).lower()}.example.com",
        }
    )


def mirror_servers(call: Call) -> Response:
    """Smart Mirroring is Data Center only: on Server the mirroring plugin is not there (404)."""
    spec = call.spec
    if spec.deployment is not Deployment.DATACENTER:
        return errors("No resource was found at /rest/mirroring/1.0/mirrorServers.", 404)
    mirror = {
        "id": f"B{stable_digits(spec, 'mirror', 3)}-MIRROR-{stable_digits(spec, 'mirror-id', 4)}",
        "name": "Mirror (Sydney)",
        "baseUrl": "https://bitbucket-mirror-syd.example.com",
        "enabled": True,
        "lastSeenDate": epoch_ms(call.now - timedelta(minutes=1)),
        "mirrorType": "SINGLE",
        "productType": "BITBUCKET",
        "productVersion": spec.version,
    }
    return json_response({"size": 1, "limit": 25, "isLastPage": True, "start": 0, "values": [mirror]})


SERVER_ROUTES: list[Route] = [
    route("/status", status, anonymous=True),
    route("/rest/api/1.0/application-properties", _user_headers(application_properties), anonymous=True),
    route("/rest/api/1.0/admin/license", _user_headers(license_details)),
    route("/rest/zdu/cluster", _user_headers(zdu_cluster)),
    route("/rest/api/1.0/admin/cluster", _user_headers(admin_cluster)),
    route("/rest/indexing/latest/status", _user_headers(index_status)),
    route("/rest/api/1.0/admin/mail-server", _user_headers(mail_server)),
    route("/rest/mirroring/1.0/mirrorServers", _user_headers(mirror_servers)),
    *ADMIN_ROUTES,
]
