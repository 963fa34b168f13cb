"""instance.version.support: end of life of the running feature release, and the LTS to move to."""

from __future__ import annotations

import pytest
import yaml

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import NOW, instance
from checks.end_of_life import parse_table
from checks.finding import Category, Severity
from checks.instance import version_support
from checks.instance.version_support import InstanceVersionSupport, feature_version, next_lts
from checks.runner import OutcomeStatus, SkipCheck
from collectors.model import Deployment, Product, ServerInfo

# A made-up table, so the logic is tested independently of real release dates.
TABLE = parse_table(
    yaml.safe_load("""
checked: 2026-11-01
products:
  jira:
    "1.0": {released: 2023-01-10, eol: 2025-01-09, lts: true}
    "1.1": {released: 2024-12-20, eol: 2026-12-19}
    "1.2": {released: 2025-03-01, eol: 2027-02-28, lts: true, derived: true, note: "release month estimated"}
    "2.0": {released: 2026-01-01, eol: 2027-12-31, lts: true}
    "2.1": {released: 2026-03-01, eol: 2028-02-29}
""")
)


@pytest.fixture
def table(monkeypatch):
    monkeypatch.setattr(version_support, "load_end_of_life", lambda: TABLE)
    return TABLE


def running(version: str, product: Product = Product.JIRA, **kw):
    numbers = [int(p) for p in version.split(".") if p.isdigit()]
    return instance(product=product, server_info=ServerInfo(version=version, version_numbers=numbers), **kw)


@pytest.mark.parametrize(
    ("version", "severity", "words"),
    [
        pytest.param(
            "1.0.4", Severity.CRITICAL, "reached end of life on 2025-01-09 (686 days ago)", id="past-eol"
        ),
        pytest.param(
            "1.1.0", Severity.WARNING, "reaches end of life on 2026-12-19, in 23 days", id="within-180"
        ),
        pytest.param("1.2.3", Severity.WARNING, "in 94 days", id="derived-within-180"),
        pytest.param("2.0.1", Severity.OK, "supported until 2027-12-31 (400 days)", id="supported"),
    ],
)
def test_support_window(table, version, severity, words):
    finding = only(run_check(InstanceVersionSupport, running(version)))
    assert finding.severity is severity
    assert words in finding.message
    assert finding.category is Category.SECURITY
    ev = {e.label: e for e in finding.evidence}
    assert ev["end-of-life table checked"].value == "2026-11-01"
    assert ev["end-of-life table checked"].source == "checks/data/end_of_life.yaml"
    assert ev["version"].value == version


def test_names_the_next_lts_to_move_to(table):
    finding = only(run_check(InstanceVersionSupport, running("1.0.4")))
    assert (
        "The Long Term Support release to move to is Jira 2.0, supported until 2027-12-31." in finding.message
    )
    assert finding.recommendation.startswith("Plan the upgrade to Jira 2.0 (LTS) or later now")
    assert "Jira 2.0" in evidence(finding)["move to"]


def test_without_a_newer_lts_names_the_newest_feature_release():
    jira_table = parse_table(
        yaml.safe_load("""
checked: 2026-11-01
products:
  jira:
    "1.0": {released: 2025-01-10, eol: 2027-01-09, lts: true}
    "1.1": {released: 2025-03-01, eol: 2027-02-28}
""")
    )
    assert next_lts(jira_table, jira_table.lookup("jira", 1, 0), NOW) is None
    moved = version_support._move_to(jira_table, jira_table.lookup("jira", 1, 0), NOW, "Jira")
    assert moved.startswith(
        "No newer Long Term Support release is supported; the newest feature release is Jira 1.1"
    )


def test_an_lts_that_ends_within_a_year_also_names_the_newest_release():
    soon = parse_table(
        yaml.safe_load("""
checked: 2026-11-01
products:
  jira:
    "1.0": {released: 2023-01-10, eol: 2025-01-09}
    "1.1": {released: 2025-02-01, eol: 2027-01-31, lts: true}
    "1.2": {released: 2026-06-01, eol: 2028-05-31}
""")
    )
    moved = version_support._move_to(soon, soon.lookup("jira", 1, 0), NOW, "Jira")
    assert "Jira 1.1, supported until 2027-01-31" in moved
    assert "ends within a year; the newest feature release, Jira 1.2" in moved


def test_derived_dates_are_flagged_in_the_evidence(table):
    finding = only(run_check(InstanceVersionSupport, running("1.2.3")))
    assert evidence(finding)["end-of-life date derived"] == "from the 2-year policy: release month estimated"


def test_version_not_in_the_table_is_info_with_the_checked_date(table):
    finding = only(run_check(InstanceVersionSupport, running("3.4.0")))
    assert finding.severity is Severity.INFO
    assert finding.message == (
        "Jira 3.4.0 (feature release 3.4) is not in the end-of-life table (checked 2026-11-01), so its "
        "support dates are unknown here."
    )


def test_warning_days_override(table):
    assert (
        only(run_check(InstanceVersionSupport, running("2.0.1"), warning_days=500)).severity
        is Severity.WARNING
    )


def test_unparseable_version_is_unknown(table):
    inst = instance(server_info=ServerInfo(version="unknown"))
    assert only(run_check(InstanceVersionSupport, inst)).severity is Severity.UNKNOWN


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        pytest.param(ServerInfo(version="9.12.2", version_numbers=[9, 12, 2]), (9, 12), id="numbers"),
        pytest.param(ServerInfo(version="8.5.4"), (8, 5), id="string-only"),
        pytest.param(ServerInfo(version="10.0.0-m0003"), (10, 0), id="milestone"),
        pytest.param(ServerInfo(version=None), None, id="none"),
    ],
)
def test_feature_version(info, expected):
    assert feature_version(instance(server_info=info)) == expected


def test_cloud_is_skipped():
    with pytest.raises(SkipCheck, match="Cloud"):
        run_check(InstanceVersionSupport, instance(deployment=Deployment.CLOUD))


def test_real_table_jira_9_4_is_past_end_of_life():
    finding = only(run_check(InstanceVersionSupport, running("9.4.21")))
    assert finding.severity is Severity.CRITICAL
    assert "2024-11-14" in finding.message


def test_real_table_confluence_8_5_is_past_end_of_life():
    finding = only(run_check(InstanceVersionSupport, running("8.5.12", product=Product.CONFLUENCE)))
    assert finding.severity is Severity.CRITICAL
    assert "Confluence 8.5.12 reached end of life on 2025-08-20" in finding.message


def test_through_the_runner():
    analysis = analyse(running("9.4.21"))
    assert only(findings_of(analysis, "instance.version.support")).severity is Severity.CRITICAL
    cloud = outcome_of(analyse(instance(deployment=Deployment.CLOUD)), "instance.version.support")
    assert cloud.status is OutcomeStatus.SKIPPED and "Cloud" in cloud.reason
    bitbucket = instance(product=Product.BITBUCKET, url="https://git.acme.test", index=None)
    assert outcome_of(analyse(bitbucket), "instance.version.support").status is OutcomeStatus.RAN


def test_products_match_the_table():
    from checks.end_of_life import load_end_of_life

    assert {p.value for p in InstanceVersionSupport.meta.products} == set(load_end_of_life().products())
