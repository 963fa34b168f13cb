"""The cross-product checks on Bitbucket: its /status semantics, licence, seats, nodes and version support.

Bitbucket answers MAINTENANCE with HTTP 200 (not Jira's 503) and STARTING with 503; both are warnings,
never the critical a Jira in MAINTENANCE gets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import NOW, license_, node
from checks.finding import Severity
from checks.instance.cluster_nodes import InstanceClusterNodes
from checks.instance.license_expiry import InstanceLicenseExpiry
from checks.instance.license_seats import InstanceLicenseSeats
from checks.instance.status import InstanceStatus
from checks.instance.version_support import InstanceVersionSupport
from checks.runner import OutcomeStatus
from collectors.model import Cluster, ClusterNode, Deployment, ProductStatus, ServerInfo
from tests.checks.bitbucket.factory import bitbucket


def state(name: str, http: int) -> ProductStatus:
    return ProductStatus(state=name, http_status=http, raw={"state": name})


@pytest.mark.parametrize(
    ("name", "http", "severity", "title"),
    [
        pytest.param("RUNNING", 200, Severity.OK, "Bitbucket is running", id="running"),
        pytest.param(
            "MAINTENANCE", 200, Severity.WARNING, "Bitbucket is in maintenance mode", id="maintenance"
        ),
        pytest.param("STARTING", 503, Severity.WARNING, "Bitbucket is starting up", id="starting"),
        pytest.param("FIRST_RUN", 200, Severity.WARNING, "Bitbucket setup is not finished", id="first-run"),
        pytest.param("ERROR", 500, Severity.CRITICAL, "Bitbucket failed to start (ERROR)", id="error"),
    ],
)
def test_status_states(name, http, severity, title):
    finding = only(run_check(InstanceStatus, bitbucket(status=state(name, http))))
    assert (finding.severity, finding.title) == (severity, title)


def test_maintenance_is_not_jiras_critical():
    finding = only(run_check(InstanceStatus, bitbucket(status=state("MAINTENANCE", 200))))
    assert "maintenance mode" in finding.message and "reindex" not in finding.message


@pytest.mark.parametrize(
    ("used", "severity"),
    [(300, Severity.OK), (475, Severity.WARNING), (500, Severity.CRITICAL)],
    ids=["room", "95-percent", "full"],
)
def test_seats(used, severity):
    inst = bitbucket(licenses=[license_("bitbucket", name="Bitbucket", seats_used=used, seats_allowed=500)])
    finding = only(run_check(InstanceLicenseSeats, inst))
    assert finding.severity is severity
    assert evidence(finding)["seats used"] == used


def test_licence_expiry_and_maintenance():
    soon = bitbucket(licenses=[license_("bitbucket", name="Bitbucket", expiry=NOW + timedelta(days=5))])
    assert only(run_check(InstanceLicenseExpiry, soon)).severity is Severity.CRITICAL
    perpetual = license_(
        "bitbucket", name="Bitbucket", expiry=None, maintenance_expiry=NOW - timedelta(days=40)
    )
    finding = only(run_check(InstanceLicenseExpiry, bitbucket(Deployment.SERVER, licenses=[perpetual])))
    assert (finding.severity, finding.title) == (Severity.INFO, "Bitbucket software maintenance has ended")


def test_an_offline_node_is_down():
    nodes = [node("node1"), node("node2"), node("node3", state="OFFLINE", alive=None)]
    finding = only(run_check(InstanceClusterNodes, bitbucket(cluster=Cluster(clustered=True, nodes=nodes))))
    assert (finding.severity, finding.title) == (Severity.CRITICAL, "Cluster node node3 is down")


def test_admin_cluster_nodes_without_state_are_fine():
    # admin/cluster lists the connected nodes without a state; listed means alive
    nodes = [ClusterNode(node_id=f"node{i}", alive=True, version="10.5.0") for i in (1, 2)]
    finding = only(run_check(InstanceClusterNodes, bitbucket(cluster=Cluster(clustered=True, nodes=nodes))))
    assert finding.severity is Severity.OK


def running(version: str) -> ServerInfo:
    return ServerInfo(version=version, version_numbers=[int(p) for p in version.split(".")])


def test_version_support_lts_ending_names_the_next_lts():
    finding = only(run_check(InstanceVersionSupport, bitbucket(server_info=running("9.4.3"))))
    assert finding.severity is Severity.WARNING
    assert finding.title == "Bitbucket 9.4 (LTS) reaches end of life in 7 days"
    assert "The Long Term Support release to move to is Bitbucket 10.2" in finding.message


def test_version_support_past_end_of_life():
    finding = only(run_check(InstanceVersionSupport, bitbucket(server_info=running("8.19.20"))))
    assert finding.severity is Severity.CRITICAL
    assert "Bitbucket 8.19.20 reached end of life on 2026-03-12" in finding.message


def test_version_support_derived_date_is_said():
    finding = only(run_check(InstanceVersionSupport, bitbucket(server_info=running("10.5.1"))))
    assert finding.severity is Severity.OK
    assert "end-of-life date derived" in evidence(finding)


def test_healthy_bitbucket_data_center_passes_every_check():
    analysis = analyse(bitbucket())
    ran = {o.check: o for o in analysis.outcomes}
    for check in (
        "bitbucket.search.index",
        "bitbucket.mail.server",
        "bitbucket.mirrors",
        "instance.version.support",
        "instance.cluster.nodes",
        "instance.license.seats",
    ):
        assert ran[check].status is OutcomeStatus.RAN, ran[check]
    assert not any(c.startswith(("jira.", "crowd.")) for c in ran)
    not_ok = [(f.check, f.severity, f.title) for f in analysis.findings if f.severity is not Severity.OK]
    assert not_ok == []


def test_bitbucket_server_skips_data_center_only_checks():
    analysis = analyse(bitbucket(Deployment.SERVER))
    assert outcome_of(analysis, "bitbucket.mirrors") is None
    assert outcome_of(analysis, "instance.cluster.nodes") is None
    assert only(findings_of(analysis, "bitbucket.search.index")).severity is Severity.OK
