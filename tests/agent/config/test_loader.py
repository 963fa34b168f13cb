"""Configuration validation: every error listed with its key path and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agent.config.loader import ConfigError, load_config, parse_config
from agent.config.targets import check_settings, instance_targets
from checks.registry import load_registry

REGISTRY = load_registry(include_plugins=False)

VALID = textwrap.dedent(
    """\
    settings:
      timeout_seconds: 4
      timezone: Europe/London
    checks:
      disabled: [instance.apps.state]
      thresholds:
        instance.api.latency: {warning_ms: 1500}
    customers:
      - name: acme
        instances:
          - name: acme-jira
            product: jira
            url: https://jira.acme.example/
            deployment: datacenter
            auth: {type: token, token_env: ACME_JIRA_TOKEN}
            thresholds:
              instance.license.expiry: {warning_days: 60}
          - name: acme-cloud
            product: confluence
            url: https://acme.atlassian.net/wiki
            deployment: cloud
            auth: {type: basic, username: ops@acme.example, password_file: cloud.token}
    """
)


def parse(text: str, env: dict[str, str] | None = None, base_dir: Path | None = None):
    return parse_config(text, source="c.yaml", registry=REGISTRY, env=env or {}, base_dir=base_dir)


def issues_of(text: str, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(text, **kwargs)
    return [i.render("c.yaml") for i in caught.value.issues]


def test_valid_config_resolves_secrets_targets_and_settings(tmp_path: Path) -> None:
    (tmp_path / "cloud.token").write_text("cloud-api-token\n")
    loaded = parse(VALID, env={"ACME_JIRA_TOKEN": "pat-123"}, base_dir=tmp_path)
    targets = instance_targets(loaded)
    assert [t.name for t in targets] == ["acme-jira", "acme-cloud"]
    assert targets[0].url == "https://jira.acme.example"  # trailing slash removed
    assert targets[0].credentials.kind == "token" and targets[0].credentials.secret == "pat-123"
    assert targets[1].credentials.username == "ops@acme.example"
    assert targets[1].credentials.secret == "cloud-api-token"  # file content, newline stripped
    assert "pat-123" not in repr(targets[0])
    settings = check_settings(loaded.config)
    assert settings.disabled == frozenset({"instance.apps.state"})
    assert settings.thresholds == {"instance.api.latency": {"warning_ms": 1500}}
    assert settings.instance_thresholds == {
        "acme/acme-jira": {"instance.license.expiry": {"warning_days": 60}}
    }
    assert loaded.config.settings.timezone == "Europe/London"


def test_every_error_is_listed_with_path_and_line() -> None:
    text = (
        VALID.replace("timeout_seconds: 4", "timout_seconds: 4")
        .replace("product: jira", "product: jirra")
        .replace("token_env: ACME_JIRA_TOKEN", "token: abc")
    )
    issues = issues_of(text)
    assert issues == [
        "c.yaml:2: settings.timout_seconds: unknown key 'timout_seconds'; did you mean 'timeout_seconds'?",
        "c.yaml:12: customers[0].instances[0].product: Input should be 'jira', 'confluence', 'bitbucket', "
        "'bamboo', 'crowd' or 'fecru'",
        "c.yaml:15: customers[0].instances[0].auth.token: inline secrets are not accepted: put the token in an "
        "environment variable or a file and use token_env or token_file",
    ]


def test_unknown_check_and_threshold_names_are_errors() -> None:
    text = VALID.replace("[instance.apps.state]", "[instance.apps.stat]").replace(
        "{warning_ms: 1500}", "{warn_ms: 1500}"
    )
    issues = issues_of(text, env={"ACME_JIRA_TOKEN": "x"})
    assert (
        issues[0]
        == "c.yaml:5: checks.disabled[0]: unknown check 'instance.apps.stat'; did you mean 'instance.apps.state'?"
    )
    assert issues[1].startswith(
        "c.yaml:7: checks.thresholds.instance.api.latency.warn_ms: check 'instance.api.latency' has no threshold 'warn_ms'"
    )


def test_missing_secrets_name_the_variable_and_file(tmp_path: Path) -> None:
    issues = issues_of(VALID, base_dir=tmp_path)
    assert issues == [
        "c.yaml:15: customers[0].instances[0].auth.token_env: environment variable ACME_JIRA_TOKEN is not set "
        "(export it before running)",
        f"c.yaml:22: customers[0].instances[1].auth.password_file: cannot read secret file {tmp_path}/cloud.token: "
        "No such file or directory",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("customers: [\n", "c.yaml:2: (top level): invalid YAML", id="bad-yaml"),
        pytest.param("- a\n- b\n", "c.yaml:1: (top level): the file must be a mapping", id="not-a-mapping"),
        pytest.param(
            "customers: []\n", "c.yaml:1: customers: List should have at least 1 item", id="no-customers"
        ),
        pytest.param(
            "customers: []\ncustomers: []\n", "c.yaml:2: (top level): duplicate key 'customers'", id="dup-key"
        ),
        pytest.param(
            "customers:\n  - name: a\n    instances:\n      - {name: j, product: jira, url: 'http://x', "
            "deployment: server, auth: {type: oauth}}\n",
            "c.yaml:4: customers[0].instances[0].auth: unknown auth type 'oauth'; use token, basic or none",
            id="bad-auth-type",
        ),
        pytest.param(
            "customers:\n  - name: a\n    instances:\n      - {name: j, product: jira, url: 'http://u:p@x', "
            "deployment: server, auth: {type: none}}\n",
            "c.yaml:4: customers[0].instances[0].url: Value error",
            id="credentials-in-url",
        ),
    ],
)
def test_malformed_files(text: str, expected: str) -> None:
    first = issues_of(text)[0]
    assert first.startswith(expected.replace(": Value error", ": credentials do not belong")), first


def test_duplicate_instance_names_are_refused() -> None:
    text = VALID.replace("name: acme-cloud", "name: acme-jira")
    assert any("instance name 'acme-jira' is used twice" in i for i in issues_of(text))


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file: No such file"):
        load_config(tmp_path / "missing.yaml", registry=REGISTRY)
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(binary, registry=REGISTRY)


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[3] / "config.example.yaml"
    loaded = load_config(example, registry=REGISTRY, resolve_secrets=False)
    products = {i.product for c in loaded.config.customers for i in c.instances}
    assert {"jira", "confluence"} <= {str(p) for p in products}
