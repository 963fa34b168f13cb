"""cloud.products: licensed products and plans, Bitbucket workspaces, missing data, Data Center."""

from __future__ import annotations

from atlas_health.testing.harness import analyse, evidence, only, outcome_of, run_check
from atlas_health.testing.instances import error, instance
from checks.cloud.products import CloudProducts
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.facts.cloud import CloudProduct
from collectors.model import Deployment, ErrorKind, Product
from tests.checks.cloud.factory import cloud_site, workspace


def test_products_are_info_with_plan_and_users():
    finding = only(run_check(CloudProducts, cloud_site()))
    assert finding.severity is Severity.INFO and finding.title == "Jira Software on the Standard plan"
    assert finding.message == "The site is licensed for Jira Software on the Standard plan, 312 users."
    assert evidence(finding)["users"] == 312


def test_plan_and_users_may_be_unknown():
    site = cloud_site(products=[CloudProduct(key="confluence", name="Confluence")])
    assert only(run_check(CloudProducts, site)).message == "The site is licensed for Confluence."


def test_bitbucket_workspaces():
    site = cloud_site(
        Product.BITBUCKET, products=None, workspaces=[workspace("acme", 42), workspace("oss", None)]
    )
    findings = run_check(CloudProducts, site)
    assert [f.message for f in findings] == [
        "Bitbucket Cloud workspace acme with 42 members.",
        "Bitbucket Cloud workspace oss.",
    ]


def test_licence_not_collected_is_skipped_with_its_error():
    site = cloud_site(products=None)
    site.licenses = None
    site.errors.append(error("license", ErrorKind.FORBIDDEN, "HTTP 403: permission denied"))
    outcome = outcome_of(analyse(site), "cloud.products")
    assert outcome.status is OutcomeStatus.SKIPPED and "HTTP 403" in outcome.reason


def test_no_cloud_part_is_skipped_and_data_center_never_runs_it():
    site = instance(deployment=Deployment.CLOUD, cloud=None)
    assert outcome_of(analyse(site), "cloud.products").status is OutcomeStatus.SKIPPED
    assert outcome_of(analyse(instance()), "cloud.products") is None
