"""Payload -> model parsers, fed with the payloads of the endpoint contract and their variants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.model import License
from collectors.rest.parsing import (
    ShapeError,
    apply_jira_license,
    parse_application_roles,
    parse_apps,
    parse_cloud_plans,
    parse_cluster_nodes,
    parse_confluence_license,
    parse_count,
    parse_current_user,
    parse_health_checks,
    parse_index_summary,
    parse_server_info,
    parse_status,
    parse_time,
    with_confluence_counts,
)

EPOCH_MS = 1714557600000  # 2024-05-01T10:00:00Z
MAY_1 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

ATST_STATUS = {
    "id": 0,
    "completeKey": "com.atlassian.jira.plugins.jira-healthcheck-plugin:eolHealthCheck",
    "name": "End of Life",
    "description": "...",
    "isHealthy": True,
    "healthy": True,
    "failureReason": "...",
    "application": "JIRA",
    "nodeId": None,
    "time": EPOCH_MS,
    "severity": "undefined",
    "documentation": "https://confluence.atlassian.com/x/HjnRLg",
    "tag": "Supported Platforms",
    "additionalLinks": [],
}

JIRA_LICENSE = {
    "valid": True,
    "evaluation": False,
    "maximumNumberOfUsers": 500,
    "licenseType": "COMMERCIAL",
    "creationDateString": "10/Jan/24",
    "expiryDate": EPOCH_MS,
    "expiryDateString": "01/May/24",
    "maintenanceExpiryDate": EPOCH_MS,
    "organizationName": "Acme",
    "dataCenter": True,
    "subscription": True,
    "rawLicense": "AAAB-long-opaque-string",
    "expired": False,
    "supportEntitlementNumber": "SEN-L12345678",
    "enterprise": False,
    "active": True,
    "autoRenewal": False,
}

ROLES = [
    {
        "key": "jira-software",
        "name": "Jira Software",
        "numberOfSeats": 500,
        "remainingSeats": 188,
        "userCount": 312,
        "userCountDescription": "312 users",
        "hasUnlimitedSeats": False,
        "defined": True,
        "platform": False,
        "groups": ["jira-software-users"],
        "defaultGroups": ["jira-software-users"],
        "selectedByDefault": False,
    },
    {"key": "jira-servicedesk", "name": "Jira Service Management", "numberOfSeats": 50, "userCount": 23},
    {"key": "jira-core", "name": "Jira Core", "platform": True, "numberOfSeats": -1, "userCount": 400},
]


# --- times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        EPOCH_MS,
        str(EPOCH_MS),
        EPOCH_MS // 1000,
        float(EPOCH_MS),
        "2024-05-01T10:00:00.000+0000",
        "2024-05-01T10:00:00Z",
        "2024-05-01T12:00:00+02:00",
        "2024-05-01T10:00:00",
    ],
)
def test_parse_time_variants_give_aware_utc(value: object) -> None:
    parsed = parse_time(value)
    assert parsed == MAY_1
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "10/Jan/24", True, [], {}, "not a date"])
def test_parse_time_gives_none_for_what_it_cannot_read(value: object) -> None:
    assert parse_time(value) is None


# --- status, server info, user --------------------------------------------------------------------


def test_status_accepts_state_or_status() -> None:
    assert parse_status({"state": "RUNNING"}, 200).state == "RUNNING"
    bamboo = parse_status({"status": "PAUSED"}, 200)
    assert bamboo.state == "PAUSED"
    assert bamboo.raw == {"status": "PAUSED"}


@pytest.mark.parametrize("payload", [{"up": True}, ["RUNNING"], "RUNNING"])
def test_status_without_state_is_a_shape_error(payload: object) -> None:
    with pytest.raises(ShapeError):
        parse_status(payload)


def test_jira_server_info() -> None:
    info = parse_server_info(
        {
            "baseUrl": "https://jira.example.com",
            "version": "9.12.2",
            "versionNumbers": [9, 12, 2],
            "deploymentType": "Server",
            "buildNumber": 9120002,
            "buildDate": "2024-01-10T00:00:00.000+0000",
            "databaseBuildNumber": 9120002,
            "serverTime": "2024-05-01T10:00:00.000+0000",
            "scmInfo": "abc123",
            "serverTitle": "Jira",
        }
    )
    assert (info.version, info.version_numbers, info.build_number) == ("9.12.2", [9, 12, 2], "9120002")
    assert (info.deployment_type, info.server_title, info.base_url) == (
        "Server",
        "Jira",
        "https://jira.example.com",
    )


def test_confluence_and_crowd_server_info_variants() -> None:
    confluence = parse_server_info(
        {
            "baseUrl": "https://wiki",
            "version": "8.5.6",
            "buildNumber": "9012",
            "marketplaceBuildNumber": "9012",
            "buildDate": "2024-01-15T00:00:00.000Z",
            "deploymentType": "Server",
        }
    )
    assert (confluence.version, confluence.build_number, confluence.version_numbers) == ("8.5.6", "9012", [])
    crowd = parse_server_info({"version": "3.3.0", "versions": ["3", "3", "0"], "deploymentTitle": "Crowd"})
    assert crowd.version_numbers == [3, 3, 0]
    assert crowd.server_title == "Crowd"


@pytest.mark.parametrize("payload", [[], {"errorMessages": ["x"]}])
def test_server_info_shape_errors(payload: object) -> None:
    with pytest.raises(ShapeError):
        parse_server_info(payload)


def test_current_user_variants() -> None:
    jira = parse_current_user(
        {"self": "...", "key": "JIRAUSER10100", "name": "svc-health", "displayName": "Health Check Service"}
    )
    assert (jira.authenticated, jira.username, jira.display_name) == (
        True,
        "svc-health",
        "Health Check Service",
    )
    cloud = parse_current_user(
        {"accountId": "5b10a2844c20165700ede21g", "displayName": "Svc", "active": True}
    )
    assert (cloud.authenticated, cloud.account_id, cloud.username) == (True, "5b10a2844c20165700ede21g", None)
    confluence = parse_current_user({"type": "known", "username": "svc-health", "userKey": "8a7f"})
    assert confluence.username == "svc-health"
    anonymous = parse_current_user({"type": "anonymous", "displayName": "Anonymous"})
    assert anonymous.authenticated is False
    with pytest.raises(ShapeError):
        parse_current_user({"displayName": "nobody in particular"})


# --- ATST, UPM --------------------------------------------------------------------------------------


def test_health_checks_from_the_contract_payload() -> None:
    failing = ATST_STATUS | {
        "name": "Cluster Index Replication",
        "isHealthy": False,
        "healthy": False,
        "severity": "critical",
        "failureReason": "Index replication for cluster node 'node2' is behind by 763 seconds.",
        "nodeId": "node1",
    }
    checks = parse_health_checks({"statuses": [ATST_STATUS, failing]}, "troubleshooting")
    assert checks.source == "troubleshooting"
    ok, bad = checks.statuses
    assert (ok.key, ok.name, ok.healthy, ok.time, ok.tag) == (
        ATST_STATUS["completeKey"],
        "End of Life",
        True,
        MAY_1,
        "Supported Platforms",
    )
    assert (bad.healthy, bad.severity, bad.node_id) == (False, "critical", "node1")
    assert bad.failure_reason is not None and "763 seconds" in bad.failure_reason


def test_health_checks_tolerate_a_bare_list_and_the_short_field_names() -> None:
    status = {"completeKey": "a:b", "healthy": False}
    checks = parse_health_checks([status], "supportHealthCheck")
    assert checks.statuses[0].name == "a:b"
    assert checks.statuses[0].healthy is False
    assert parse_health_checks({"statuses": []}, "troubleshooting").statuses == []


@pytest.mark.parametrize("payload", [{"statuses": [{"name": "x"}]}, {"checks": []}, "ok"])
def test_health_check_shape_errors(payload: object) -> None:
    with pytest.raises(ShapeError):
        parse_health_checks(payload, "troubleshooting")


def test_apps_keep_user_installed_only() -> None:
    plugin = {
        "key": "com.example.app",
        "name": "Example App",
        "version": "3.2.1",
        "enabled": True,
        "userInstalled": True,
        "optional": True,
        "static": False,
        "unloadable": False,
        "unrecognisedModuleTypes": False,
        "restartState": "none",
        "description": "...",
        "vendor": {"name": "Example Ltd", "link": "https://example.com"},
        "links": {"self": "/rest/plugins/1.0/com.example.app-key"},
    }
    system = plugin | {"key": "com.atlassian.jira.core", "userInstalled": False}
    broken = plugin | {
        "key": "com.example.broken",
        "enabled": False,
        "unloadable": True,
        "restartState": "enable",
        "vendor": "Someone",
    }
    apps = parse_apps({"plugins": [plugin, system, broken]})
    assert [a.key for a in apps] == ["com.example.app", "com.example.broken"]
    assert (apps[0].vendor, apps[0].enabled, apps[0].restart_required) == ("Example Ltd", True, None)
    assert (apps[1].vendor, apps[1].enabled, apps[1].unloadable, apps[1].restart_required) == (
        "Someone",
        False,
        True,
        "enable",
    )
    with pytest.raises(ShapeError):
        parse_apps({"plugins": [{"userInstalled": True}]})


# --- licences ---------------------------------------------------------------------------------------


def test_application_roles_skip_platform_roles() -> None:
    roles = parse_application_roles(ROLES)
    assert [r.application for r in roles] == ["jira-software", "jira-servicedesk"]
    assert (roles[0].seats_used, roles[0].seats_allowed, roles[0].unlimited_seats) == (312, 500, False)
    unlimited = parse_application_roles([{"key": "x", "hasUnlimitedSeats": True, "numberOfSeats": -1}])
    assert (unlimited[0].seats_allowed, unlimited[0].unlimited_seats) == (None, True)


def test_jira_licence_details_are_added_and_raw_licence_is_not_kept() -> None:
    seats = parse_application_roles(ROLES)[0]
    lic = apply_jira_license(seats, JIRA_LICENSE)
    assert (lic.application, lic.seats_used, lic.seats_allowed) == ("jira-software", 312, 500)
    assert (lic.license_type, lic.expiry, lic.maintenance_expiry) == ("COMMERCIAL", MAY_1, MAY_1)
    assert (lic.valid, lic.sen) == (True, "SEN-L12345678")
    assert "AAAB" not in lic.model_dump_json()


def test_an_expired_jira_licence_is_not_valid() -> None:
    lic = apply_jira_license(License(application="jira-software"), JIRA_LICENSE | {"expired": True})
    assert lic.valid is False
    assert lic.seats_allowed == 500  # from maximumNumberOfUsers when the role gave none


def test_evaluation_licence_without_type() -> None:
    payload = {"evaluation": True, "expiryDate": EPOCH_MS}
    assert apply_jira_license(License(application="x"), payload).license_type == "EVALUATION"


def test_cloud_plans() -> None:
    assert parse_cloud_plans({"applications": [{"id": "jira-software", "plan": "PAID"}]}) == {
        "jira-software": "PAID"
    }


def test_confluence_licence_with_counts() -> None:
    details = {
        "licenseType": "COMMERCIAL",
        "evaluation": False,
        "dataCenter": True,
        "subscription": True,
        "expired": False,
        "expiryDate": EPOCH_MS,
        "maintenanceExpiryDate": EPOCH_MS,
        "organisationName": "Acme",
        "supportEntitlementNumber": "SEN-L87654321",
        "maxUsers": 500,
    }
    base = parse_confluence_license(details)
    lic = with_confluence_counts(
        base, parse_count({"count": 312}, "userCount"), parse_count({"count": 500}, "max")
    )
    assert (lic.application, lic.seats_used, lic.seats_allowed, lic.unlimited_seats) == (
        "confluence",
        312,
        500,
        False,
    )
    assert (lic.expiry, lic.valid, lic.sen, lic.license_type) == (MAY_1, True, "SEN-L87654321", "COMMERCIAL")
    unlimited = with_confluence_counts(base, 312, parse_count({"count": -1}, "maxUsers"))
    assert (unlimited.seats_allowed, unlimited.unlimited_seats) == (None, True)
    flagged = parse_confluence_license(details | {"unlimitedNumberOfUsers": True})
    assert flagged.unlimited_seats is True
    assert with_confluence_counts(base, None, None).seats_allowed == 500  # details' maxUsers kept


def test_counts_accept_a_bare_number_and_reject_garbage() -> None:
    assert parse_count(7, "userCount") == 7
    with pytest.raises(ShapeError):
        parse_count({"total": 7}, "userCount")


# --- cluster, index ---------------------------------------------------------------------------------


def test_cluster_node_shapes() -> None:
    jira = parse_cluster_nodes(
        [
            {
                "nodeId": "node1",
                "state": "ACTIVE",
                "alive": True,
                "ip": "127.0.0.1",
                "cacheListenerPort": 40001,
                "nodeBuildNumber": 9120002,
                "nodeVersion": "9.12.2",
                "lastStateChangeTimestamp": EPOCH_MS,
            }
        ]
    )
    assert (jira[0].node_id, jira[0].alive, jira[0].build_number, jira[0].last_state_change) == (
        "node1",
        True,
        "9120002",
        MAY_1,
    )
    confluence = parse_cluster_nodes(
        {
            "results": [
                {
                    "nodeId": "node1",
                    "name": "node1",
                    "state": "ACTIVE",
                    "alive": True,
                    "ip": "127.0.0.1",
                    "version": "9.5.1",
                    "buildNumber": "9501",
                }
            ],
            "start": 0,
            "limit": 25,
            "size": 1,
        }
    )
    assert (confluence[0].version, confluence[0].build_number) == ("9.5.1", "9501")
    zdu = parse_cluster_nodes(
        {
            "nodes": [
                {
                    "id": "node2",
                    "name": "node2",
                    "state": "OFFLINE",
                    "ipAddress": "10.0.0.2",
                    "buildNumber": "9012",
                    "version": "8.5.6",
                }
            ],
            "state": "STABLE",
        }
    )
    assert (zdu[0].node_id, zdu[0].ip, zdu[0].alive, zdu[0].state) == ("node2", "10.0.0.2", None, "OFFLINE")
    with pytest.raises(ShapeError):
        parse_cluster_nodes([{"state": "ACTIVE"}])
    with pytest.raises(ShapeError):
        parse_cluster_nodes({"errorMessages": ["x"]})


def test_index_summary_from_the_contract_payload() -> None:
    iso = "2024-05-01T10:00:00.000+0000"
    summary = parse_index_summary(
        {
            "nodeId": "node1",
            "reportTime": iso,
            "issueIndex": {
                "indexReadable": True,
                "countInDatabase": 120720,
                "countInIndex": 120718,
                "countInArchive": 0,
                "lastUpdatedInDatabase": iso,
                "lastUpdatedInIndex": iso,
            },
            "replicationQueues": {
                "node2": {
                    "lastConsumedOperation": {"id": 991, "replicationTime": iso},
                    "lastOperationInQueue": {"id": 995, "replicationTime": iso},
                    "queueSize": 4,
                }
            },
        }
    )
    assert (summary.node_id, summary.report_time, summary.index_readable) == ("node1", MAY_1, True)
    assert (summary.count_in_database, summary.count_in_index, summary.count_in_archive) == (
        120720,
        120718,
        0,
    )
    queue = summary.replication_queues[0]
    assert (queue.name, queue.queue_size, queue.last_consumed_id, queue.last_queued_id) == (
        "node2",
        4,
        991,
        995,
    )
    assert queue.last_consumed_time == MAY_1
    server = parse_index_summary({"nodeId": None, "issueIndex": {"indexReadable": True}})
    assert server.replication_queues == []
    with pytest.raises(ShapeError):
        parse_index_summary({"nodeId": "node1"})


def test_times_from_other_zones_are_converted() -> None:
    parsed = parse_time("2024-05-01T12:00:00.000+0200")
    assert parsed == MAY_1
    assert parsed is not None and parsed.utcoffset() == timedelta(0)
