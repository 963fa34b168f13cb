"""Host configuration: validation with key paths and lines, secrets by reference, and the targets built."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agent.config.host_targets import host_collect_options, host_targets
from agent.config.loader import ConfigError, parse_config
from agent.config.targets import check_settings
from checks.registry import load_registry
from collectors.model import Product

REGISTRY = load_registry(include_plugins=False)

BASE = textwrap.dedent(
    """\
    settings:
      hosts:
        command_timeout_seconds: 30
        known_hosts: ssh/known_hosts
        logs: {window_hours: 48, max_mb_per_host: 50}
    customers:
      - name: acme
        instances:
          - name: acme-jira
            product: jira
            url: https://jira.acme.example
            deployment: datacenter
            auth: {type: token, token_env: ACME_JIRA_TOKEN}
        hosts:
    """
)
HOSTS = textwrap.indent(
    textwrap.dedent(
        """\
    - name: jira-node1
      ssh:
        address: 10.0.0.11
        user: svc-health
        key_file: ssh/id_ed25519
        key_passphrase_env: ACME_SSH_PASSPHRASE
      jump: {address: bastion.acme.example, user: svc-health, key_file: ssh/id_ed25519, trust_on_first_use: true}
      instance: acme-jira
      node: node1
      install_dir: /opt/atlassian/jira/
      home_dir: /var/atlassian/application-data/jira
      sudo_user: jira
      thresholds:
        host.disk.free: {warning_free_gb: 50}
    - name: monitoring
      connection: local
    """
    ),
    "      ",
)
ENV = {"ACME_JIRA_TOKEN": "pat-123", "ACME_SSH_PASSPHRASE": "Key-Passphrase-9"}


def parse(text: str, tmp_path: Path, env: dict[str, str] | None = None):
    return parse_config(
        text, source="c.yaml", registry=REGISTRY, env=ENV if env is None else env, base_dir=tmp_path
    )


def issues_of(text: str, tmp_path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(text, tmp_path, env)
    return [i.render("c.yaml") for i in caught.value.issues]


@pytest.fixture
def keyed(tmp_path: Path) -> Path:
    (tmp_path / "ssh").mkdir()
    (tmp_path / "ssh" / "id_ed25519").write_text("not read at load time\n")
    return tmp_path


def test_hosts_become_targets_with_resolved_paths_and_secrets(keyed):
    loaded = parse(BASE + HOSTS, keyed)
    node, local = host_targets(loaded)
    assert (node.name, node.local, node.instance, node.node, node.product) == (
        "jira-node1",
        False,
        "acme-jira",
        "node1",
        Product.JIRA,
    )
    assert node.ssh.known_hosts == keyed / "ssh" / "known_hosts"  # settings.hosts.known_hosts, relative
    assert node.ssh.key_file == keyed / "ssh" / "id_ed25519"
    assert node.ssh.key_passphrase == "Key-Passphrase-9" and "Key-Passphrase-9" not in repr(node)
    assert (node.jump.address, node.jump.trust_on_first_use, node.ssh.trust_on_first_use) == (
        "bastion.acme.example",
        True,
        False,
    )
    assert node.dirs.install == "/opt/atlassian/jira" and node.sudo_user == "jira"
    assert set(node.known_secrets) == {"pat-123", "Key-Passphrase-9"}  # masked wherever a host shows them
    assert (local.local, local.address, local.product) == (True, "local", None)
    options = host_collect_options(loaded.config.settings.hosts)
    assert (options.command_timeout_s, options.log_window_hours, options.log_cap_bytes) == (
        30,
        48,
        50 * 1024 * 1024,
    )
    assert check_settings(loaded.config).instance_thresholds["acme/jira-node1"] == {
        "host.disk.free": {"warning_free_gb": 50}
    }


def test_hosts_are_optional(tmp_path):
    loaded = parse(BASE.removesuffix("    hosts:\n"), tmp_path)
    assert host_targets(loaded) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("instance: acme-jira", "instance: acme-wiki"),
            "c.yaml:7: customers[0]: host 'jira-node1' serves instance 'acme-wiki', which customer 'acme' does not have "
            "(it has: acme-jira)",
        ),
        (
            ("name: monitoring", "name: acme-jira"),
            "c.yaml:7: customers[0]: host name 'acme-jira' is also an instance name in customer 'acme': findings name "
            "their target, so choose another",
        ),
        (
            ("home_dir: /var/atlassian/application-data/jira", "home_dir: var/atlassian"),
            "c.yaml:25: customers[0].hosts[0].home_dir: 'var/atlassian' must be an absolute path on the host, "
            "e.g. /opt/atlassian/jira",
        ),
        (
            ("key_file: ssh/id_ed25519\n          key_passphrase_env: ACME_SSH_PASSPHRASE", "port: 22"),
            "c.yaml:16: customers[0].hosts[0].ssh: give key_file, or use_agent: true to use the SSH agent",
        ),
        (
            ("connection: local", "connection: local\n        ssh: {address: x, user: y, use_agent: true}"),
            "c.yaml:29: customers[0].hosts[1]: a local host is read on the agent's own machine: remove ssh and jump",
        ),
        (
            ("sudo_user: jira", "sudo_user: 'jira; id'"),
            "c.yaml:26: customers[0].hosts[0].sudo_user: 'jira; id' is not a valid user name",
        ),
        (
            ("host.disk.free: {warning_free_gb: 50}", "instance.api.latency: {warning_ms: 5}"),
            "c.yaml:28: customers[0].hosts[0].thresholds.instance.api.latency: 'instance.api.latency' is not a host "
            "check; see `atlas-health checks list`",
        ),
        (
            ("host.disk.free: {warning_free_gb: 50}", "host.disk.free: {warning_free_tb: 1}"),
            "c.yaml:28: customers[0].hosts[0].thresholds.host.disk.free.warning_free_tb: check 'host.disk.free' has no "
            "threshold 'warning_free_tb' (it has: critical_free_gb, critical_free_percent, warning_free_gb, "
            "warning_free_percent)",
        ),
    ],
)
def test_bad_host_configuration_is_reported_with_path_and_line(keyed, change, expected):
    old, new = change
    text = BASE + HOSTS
    assert old in text
    assert expected in issues_of(text.replace(old, new, 1), keyed)


def test_a_missing_key_file_and_an_unset_passphrase_are_errors(tmp_path):
    issues = issues_of(BASE + HOSTS, tmp_path, env={"ACME_JIRA_TOKEN": "pat-123"})
    assert (
        f"c.yaml:19: customers[0].hosts[0].ssh.key_file: key file {tmp_path}/ssh/id_ed25519 does not exist"
        in issues
    )
    assert (
        "c.yaml:20: customers[0].hosts[0].ssh.key_passphrase_env: environment variable ACME_SSH_PASSPHRASE is not "
        "set (export it before running)"
    ) in issues


def test_an_inline_passphrase_is_refused(keyed):
    text = (BASE + HOSTS).replace("key_passphrase_env: ACME_SSH_PASSPHRASE", "key_passphrase: secret")
    assert (
        "c.yaml:20: customers[0].hosts[0].ssh.key_passphrase: unknown key 'key_passphrase'; "
        "did you mean 'key_passphrase_env'?"
    ) in issues_of(text, keyed)
