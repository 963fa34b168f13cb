"""Bitbucket payloads -> snapshot parts, including the variants the sandbox does not serve."""

from __future__ import annotations

import pytest

from collectors.rest.bitbucket_parsing import (
    current_user_from,
    index_unavailable,
    parse_admin_cluster,
    parse_application_properties,
    parse_index_status,
    parse_license,
    parse_mail_server,
    parse_mirrors,
    parse_zdu_nodes,
)
from collectors.rest.parsing import ShapeError


def test_application_properties():
    info = parse_application_properties(
        {
            "version": "8.9.10",
            "buildNumber": "8009010",
            "buildDate": "1700000000000",
            "displayName": "Bitbucket",
        }
    )
    assert (info.version, info.version_numbers, info.build_number, info.server_title) == (
        "8.9.10",
        [8, 9, 10],
        "8009010",
        "Bitbucket",
    )
    with pytest.raises(ShapeError):
        parse_application_properties({"displayName": "Bitbucket"})


def test_current_user_from_the_header():
    assert current_user_from({"X-AUSERNAME": "jdoe"}).username == "jdoe"
    assert current_user_from({}).authenticated is False


def test_licence_unlimited_and_perpetual():
    (licence,) = parse_license(
        {"maintenanceExpiryDate": 1790000000000, "unlimitedNumberOfUsers": True, "maximumNumberOfUsers": -1,
         "status": {"currentNumberOfUsers": 2500}, "license": "AAAB-secret"}
    )  # fmt: skip
    assert (licence.expiry, licence.valid, licence.unlimited_seats, licence.seats_allowed) == (
        None,
        None,
        True,
        None,
    )
    assert licence.seats_used == 2500 and licence.maintenance_expiry is not None
    assert "AAAB-secret" not in licence.model_dump_json()


def test_licence_past_its_expiry_is_not_valid():
    (licence,) = parse_license({"expiryDate": 1700000000000, "numberOfDaysBeforeExpiry": -10})
    assert licence.valid is False
    with pytest.raises(ShapeError):
        parse_license({"serverId": "B1"})


def test_cluster_shapes():
    zdu = parse_zdu_nodes(
        {"state": "MIXED", "nodes": [{"id": "a", "state": "DRAINING", "ipAddress": "10.0.0.1"}]}
    )
    assert [(n.node_id, n.state, n.ip) for n in zdu] == [("a", "DRAINING", "10.0.0.1")]
    with pytest.raises(ShapeError):
        parse_zdu_nodes({"state": "STABLE"})
    local_only = parse_admin_cluster(
        {"localNode": {"id": "n1", "name": "node1", "address": {"hostName": "10.0.0.2"}, "buildVersion": "9.4.3"},
         "running": False}
    )  # fmt: skip
    assert [(n.node_id, n.alive, n.ip, n.version) for n in local_only] == [("n1", True, "10.0.0.2", "9.4.3")]


@pytest.mark.parametrize(
    ("payload", "available", "state"),
    [
        ({"status": "IDLE"}, True, "IDLE"),
        ({"status": "INDEXING"}, True, "INDEXING"),
        ({"status": "UNAVAILABLE"}, False, "UNAVAILABLE"),
        ({"available": False, "message": "no connection"}, False, None),
    ],
)
def test_index_status(payload, available, state):
    index = parse_index_status(payload)
    assert (index.available, index.state) == (available, state)


def test_index_error_answers():
    index = index_unavailable({"errors": [{"message": "Search is down", "context": None}]}, 503)
    assert (index.available, index.message, index.http_status) == (False, "Search is down", 503)
    assert index_unavailable({"message": "busy"}, 503).message == "busy"
    assert index_unavailable({}, 503).message is None
    with pytest.raises(ShapeError):
        parse_index_status({"something": "else"})


def test_mail_server_never_keeps_the_password():
    mail = parse_mail_server(
        {"hostname": "smtp", "port": "25", "password": "hunter2", "senderAddress": "b@x"}
    )
    assert (mail.configured, mail.port, mail.sender_address) == (True, 25, "b@x")
    assert "hunter2" not in mail.model_dump_json()
    assert parse_mail_server({}).configured is False


def test_mirrors():
    (mirror,) = parse_mirrors(
        {"values": [{"id": "M1", "name": "Sydney", "enabled": False, "state": "PENDING",
                     "lastSeenDate": "2026-11-26T09:00:00Z", "productVersion": "9.4.3"}]}
    )  # fmt: skip
    assert (mirror.id, mirror.enabled, mirror.state, mirror.version) == ("M1", False, "PENDING", "9.4.3")
    assert mirror.last_seen is not None and mirror.last_seen.hour == 9
    with pytest.raises(ShapeError):
        parse_mirrors({"values": [{"enabled": True}]})
