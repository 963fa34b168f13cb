"""The demo and fleet estates, and the configuration a running sandbox hands to the agent."""

from __future__ import annotations

import pytest
import requests
import yaml

from agent.config import parse_config
from checks.registry import Registry
from collectors.model import Deployment, Product
from collectors.target import Credentials
from sandbox import (
    Fault,
    InstanceSpec,
    Sandbox,
    demo_estate,
    env_name,
    fleet_estate,
    mixed_fleet_estate,
    sandbox_config,
)
from tests.sandbox.client import TIMEOUT_S

WHO_AM_I = {
    (Product.JIRA, Deployment.CLOUD): "/rest/api/3/myself",
    (Product.JIRA, Deployment.DATACENTER): "/rest/api/2/myself",
    (Product.JIRA, Deployment.SERVER): "/rest/api/2/myself",
    (Product.CONFLUENCE, Deployment.DATACENTER): "/rest/api/user/current",
    (Product.CONFLUENCE, Deployment.SERVER): "/rest/api/user/current",
    (Product.CONFLUENCE, Deployment.CLOUD): "/rest/api/user/current",  # under the site's /wiki
    (Product.BITBUCKET, Deployment.DATACENTER): "/rest/api/1.0/admin/license",
    (Product.BITBUCKET, Deployment.CLOUD): "/2.0/user",
    (Product.BITBUCKET, Deployment.SERVER): "/rest/api/1.0/admin/license",
    (Product.BAMBOO, Deployment.DATACENTER): "/rest/api/latest/currentUser",
    (Product.BAMBOO, Deployment.SERVER): "/rest/api/latest/currentUser",
    (Product.CROWD, Deployment.SERVER): "/rest/admin/1.0/server-info",
    (Product.CROWD, Deployment.DATACENTER): "/rest/admin/1.0/server-info",
    (Product.FECRU, Deployment.SERVER): "/rest-service-fecru/admin/repositories",
}
EVERY_PRODUCT = {
    Product.JIRA,
    Product.CONFLUENCE,
    Product.BITBUCKET,
    Product.BAMBOO,
    Product.CROWD,
    Product.FECRU,
}


def test_demo_estate_has_the_two_customers_and_their_faults() -> None:
    estate = demo_estate()
    assert {c: [s.name for s in specs] for c, specs in estate.items()} == {
        "acme": [
            "acme-jira",
            "acme-confluence",
            "acme-jira-staging",
            "acme-cloud",
            "acme-bitbucket",
            "acme-bamboo",
            "acme-crowd",
            "acme-fisheye",
        ],
        "globex": ["globex-jira", "globex-wiki", "globex-jsm-dr", "globex-bamboo", "globex-bitbucket"],
    }
    specs = {s.name: s for specs in estate.values() for s in specs}
    assert specs["acme-jira"].faults == set() and specs["acme-jira"].nodes == 3  # the "ok" instance
    assert specs["acme-confluence"].faults == {Fault.NODE_OFFLINE, Fault.LICENSE_EXPIRING}
    assert specs["acme-confluence"].context_path == "/confluence"
    assert specs["acme-jira-staging"].faults == {Fault.INDEX_LAGGING, Fault.APP_FAILED}
    assert specs["globex-jira"].faults == {Fault.ATST_FAILING, Fault.LICENSE_EXPIRED, Fault.SEATS_FULL}
    assert specs["globex-jsm-dr"].faults == {Fault.DOWN}
    assert "@" in specs["acme-cloud"].username
    assert specs["acme-bitbucket"].faults == {Fault.BITBUCKET_SEATS_NEAR_LIMIT}
    assert specs["acme-bamboo"].faults == {Fault.BAMBOO_QUEUE_BACKLOG}
    assert specs["acme-crowd"].faults == {Fault.CROWD_SYNC_FAILED}
    assert specs["acme-fisheye"].faults == {Fault.FECRU_REPO_STOPPED}
    assert specs["globex-bamboo"].faults == {Fault.BAMBOO_AGENTS_OFFLINE}
    assert (specs["globex-bitbucket"].product, specs["globex-bitbucket"].deployment) == (
        Product.BITBUCKET,
        Deployment.CLOUD,
    )
    # every product, and a Cloud site, in one customer's report
    assert {s.product for s in estate["acme"]} == EVERY_PRODUCT
    assert any(s.deployment is Deployment.CLOUD for s in estate["acme"])
    # a few seconds of latency at most, so the whole demo collects well inside 10 s
    assert max(s.latency_ms + (s.slow_ms if Fault.SLOW in s.faults else 0) for s in specs.values()) <= 1200


def test_fleet_estate_alternates_healthy_products() -> None:
    fleet = fleet_estate(5, latency_ms=200)
    assert [s.product for s in fleet] == [Product.JIRA, Product.CONFLUENCE] * 2 + [Product.JIRA]
    assert len({s.name for s in fleet}) == 5
    assert all(s.faults == set() and s.latency_ms == 200 for s in fleet)
    assert all(s.deployment is Deployment.DATACENTER for s in fleet)
    assert {s.product for s in fleet_estate(3, 0, products=(Product.CONFLUENCE,))} == {Product.CONFLUENCE}
    with pytest.raises(ValueError):
        fleet_estate(-1, 0)


def test_mixed_fleet_has_every_product_cloud_sites_first_and_mostly_jira_and_confluence() -> None:
    fleet = mixed_fleet_estate(200, latency_ms=200, cloud_sites=2)
    assert len(fleet) == 200 and len({s.name for s in fleet}) == 200
    assert [(s.product, s.deployment) for s in fleet[:2]] == [
        (Product.JIRA, Deployment.CLOUD),
        (Product.CONFLUENCE, Deployment.CLOUD),
    ]
    assert all("@" in s.username for s in fleet[:2]) and fleet[0].name == "fleet-0001-jira-cloud"
    assert {s.product for s in fleet} == EVERY_PRODUCT
    assert {s.deployment for s in fleet} == {Deployment.DATACENTER, Deployment.SERVER, Deployment.CLOUD}
    per_product = {p: sum(1 for s in fleet if s.product is p) for p in EVERY_PRODUCT}
    assert per_product[Product.JIRA] > per_product[Product.CONFLUENCE] > per_product[Product.BITBUCKET]
    assert per_product[Product.BITBUCKET] > per_product[Product.FECRU] > 0
    assert all(s.faults == set() and s.latency_ms == 200 for s in fleet)
    assert {s.context_path for s in fleet if s.product is Product.CROWD} == {"/crowd"}
    # even a small fleet has every product
    assert {s.product for s in mixed_fleet_estate(6, 0, cloud_sites=0)} == EVERY_PRODUCT
    with pytest.raises(ValueError, match="cloud_sites"):
        mixed_fleet_estate(1, 0, cloud_sites=2)


@pytest.mark.server
def test_mixed_fleet_config_loads_and_every_kind_answers() -> None:
    fleet = mixed_fleet_estate(23, latency_ms=0, cloud_sites=3)
    with Sandbox(fleet) as sandbox:
        config, environment = sandbox_config(sandbox, {"fleet": [s.name for s in fleet]})
        loaded = parse_config(
            yaml.safe_dump(config), source="fleet.yaml", registry=Registry(), env=environment
        )
        answers = {}
        for inst in loaded.config.customers[0].instances:
            creds = loaded.credentials[("fleet", inst.name)]
            answers[inst.name] = _who_am_i(inst.url, inst.product, inst.deployment, creds)
        assert len(answers) == 23 and set(answers.values()) == {200}


def test_env_names() -> None:
    assert env_name("acme", "acme-jira", "TOKEN") == "ATLAS_SANDBOX_ACME_ACME_JIRA_TOKEN"
    assert env_name("globex.eu", "wiki_2", "PASSWORD") == "ATLAS_SANDBOX_GLOBEX_EU_WIKI_2_PASSWORD"


@pytest.mark.server
def test_demo_config_loads_and_its_credentials_work() -> None:
    estate = demo_estate()
    with Sandbox(spec for specs in estate.values() for spec in specs) as sandbox:
        customers = {customer: [s.name for s in specs] for customer, specs in estate.items()}
        config, environment = sandbox_config(sandbox, customers)

        acme_jira = config["customers"][0]["instances"][0]
        assert acme_jira == {
            "name": "acme-jira",
            "product": "jira",
            "url": sandbox.url("acme-jira"),
            "deployment": "datacenter",
            "auth": {"type": "token", "token_env": "ATLAS_SANDBOX_ACME_ACME_JIRA_TOKEN"},
        }
        cloud = config["customers"][0]["instances"][3]
        assert cloud["auth"] == {
            "type": "basic",
            "username": "svc-health@example.com",
            "password_env": "ATLAS_SANDBOX_ACME_ACME_CLOUD_PASSWORD",
        }
        assert environment["ATLAS_SANDBOX_ACME_ACME_CLOUD_PASSWORD"] == "sandbox-password-acme-cloud"
        assert len(environment) == 13

        # The agent's own loader accepts it and resolves every secret from the environment.
        loaded = parse_config(
            yaml.safe_dump(config), source="sandbox.yaml", registry=Registry(), env=environment
        )
        answers = {}
        for customer in loaded.config.customers:
            for inst in customer.instances:
                if Fault.DOWN in sandbox.spec(inst.name).faults:
                    continue
                creds = loaded.credentials[(customer.name, inst.name)]
                answers[inst.name] = _who_am_i(inst.url, inst.product, inst.deployment, creds)
        assert answers == {
            "acme-jira": 200,
            "acme-confluence": 200,
            "acme-jira-staging": 200,
            "acme-cloud": 200,
            "globex-jira": 200,
            "globex-wiki": 401,  # UNAUTHORIZED: the credentials are right, the instance says no
            "acme-bitbucket": 200,
            "acme-bamboo": 200,
            "acme-crowd": 200,  # an administrator's password: Crowd has no tokens
            "acme-fisheye": 200,
            "globex-bamboo": 200,
            "globex-bitbucket": 200,
        }


def _who_am_i(url: str, product: Product, deployment: Deployment, creds: Credentials) -> int:
    assert creds.secret
    if creds.kind == "token":
        kwargs: dict[str, object] = {"headers": {"Authorization": f"Bearer {creds.secret}"}}
    else:
        kwargs = {"auth": (creds.username, creds.secret)}
    return requests.get(url + WHO_AM_I[(product, deployment)], timeout=TIMEOUT_S, **kwargs).status_code


@pytest.mark.server
def test_tls_instances_get_https_urls_and_keep_verification() -> None:
    with Sandbox([InstanceSpec("secure", Product.JIRA, faults={Fault.TLS_UNTRUSTED})]) as sandbox:
        config, _ = sandbox_config(sandbox, {"acme": ["secure"]})
        instance = config["customers"][0]["instances"][0]
        assert instance["url"].startswith("https://127.0.0.1:")
        assert "verify_tls" not in instance


@pytest.mark.server
def test_cloud_username_must_be_an_email() -> None:
    specs = [InstanceSpec("cloud", Product.JIRA, Deployment.CLOUD, username="svc-health")]
    with Sandbox(specs) as sandbox, pytest.raises(ValueError, match="e-mail"):
        sandbox_config(sandbox, {"acme": ["cloud"]})
