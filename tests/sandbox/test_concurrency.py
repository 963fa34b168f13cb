"""Many instances answering many concurrent clients, each answer delayed in its own thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from collectors.model import Product
from sandbox import Fault, InstanceSpec, Sandbox, fleet_estate
from tests.sandbox.client import TIMEOUT_S, auth_headers

pytestmark = pytest.mark.server

INSTANCES = 20
CLIENTS_PER_INSTANCE = 8
SERVER_INFO = {Product.JIRA: "/rest/api/2/serverInfo", Product.CONFLUENCE: "/rest/api/server-information"}


def test_fleet_answers_every_concurrent_request() -> None:
    specs = fleet_estate(INSTANCES, latency_ms=200)
    with Sandbox(specs) as sandbox:

        def fetch(spec: InstanceSpec) -> tuple[str, int, str]:
            url = sandbox.url(spec.name) + SERVER_INFO[spec.product]
            response = requests.get(url, headers=auth_headers(sandbox, spec.name), timeout=TIMEOUT_S)
            return spec.name, response.status_code, response.json()["version"]

        jobs = [spec for spec in specs for _ in range(CLIENTS_PER_INSTANCE)]
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            answers = list(pool.map(fetch, jobs))

        assert len(answers) == INSTANCES * CLIENTS_PER_INSTANCE
        expected = {spec.name: spec.version for spec in specs}
        assert all(code == 200 and version == expected[name] for name, code, version in answers)
        for spec in specs:
            assert len(sandbox.requests(spec.name)) == CLIENTS_PER_INSTANCE


def test_a_sleeping_answer_does_not_hold_up_the_next(sandbox_of: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA, faults={Fault.SLOW}, slow_ms=60_000))
    url = sandbox.url("jira") + "/status"
    with ThreadPoolExecutor(max_workers=1) as pool:
        sleeping = pool.submit(requests.get, url, timeout=1)
        for _ in range(500):  # wait until the first request sits in its 60 s sleep on the server
            if sandbox.requests("jira"):
                break
            time.sleep(0.01)
        assert len(sandbox.requests("jira")) == 1
        sandbox.update("jira", faults=set())
        # Were answers serialised, this one would queue behind the 60 s sleep and time out.
        assert requests.get(url, timeout=TIMEOUT_S).json() == {"state": "RUNNING"}
        with pytest.raises(requests.exceptions.ReadTimeout):
            sleeping.result()
