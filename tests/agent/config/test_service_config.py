"""The service section: every key that can be wrong names its line, its key path and the fix."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.config.loader import ConfigError, load_config
from agent.config.service_schema import EmailChannel, JiraChannel
from checks.registry import load_registry

REGISTRY = load_registry(include_plugins=False)

# Five lines; a case's customer part continues the customer, its service part follows.
HEAD = """\
settings: {timezone: Europe/London}
customers:
  - name: acme
    instances:
      - {name: acme-jira, product: jira, url: "https://jira.acme.example", deployment: datacenter, auth: {type: token, token_env: ACME_TOKEN}}
"""
PAGER = """\
service:
  alerts:
    channels:
      - {type: webhook, name: pager, url: "https://hooks.example/pager"}
"""
MARK = "# <"  # the line the error must name


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + text)
    return path


def issues(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, registry=REGISTRY, env={}, resolve_secrets=False)
    return [i.render("c.yaml") for i in caught.value.issues]


def marked_line(path: Path) -> int:
    lines = path.read_text().splitlines()
    marked = [n for n, line in enumerate(lines, start=1) if MARK in line]
    assert len(marked) == 1, "a case marks exactly one line"
    return marked[0]


def svc(body: str) -> str:
    """A top-level service section from an indented body."""
    return "service:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def own(body: str) -> str:
    """A customer's own service part (continuing customers[0]) and the pager channel it may name."""
    return textwrap.indent("service:\n" + textwrap.indent(textwrap.dedent(body), "  "), "    ") + PAGER


def channel(flow: str) -> str:
    return svc(f"alerts:\n  channels:\n    - {flow}  {MARK}\n")


CASES: list[tuple[str, str, str, str]] = [
    # (id, YAML after HEAD, key path, message); the message of the two cron cases is a prefix (see below)
    (
        "cron-does-not-parse",
        svc(f"schedules:\n  - {{name: nightly, cron: '0 25 * * *'}}  {MARK}\n"),
        "service.schedules[0].cron",
        "cron '0 25 * * *' does not parse",
    ),
    (
        "cron-four-fields",
        svc(f"schedules:\n  - name: nightly\n    cron: '0 2 * *'  {MARK}\n"),
        "service.schedules[0].cron",
        "cron '0 2 * *' has 4 field(s)",
    ),
    (
        "every-without-unit",
        svc(f"schedules:\n  - name: quick\n    every: 5  {MARK}\n"),
        "service.schedules[0].every",
        "5 is not a duration (a number needs its unit): write it as 30s, 5m, 4h or 1d",
    ),
    (
        "every-not-a-duration",
        svc(f"schedules:\n  - name: quick\n    every: five minutes  {MARK}\n"),
        "service.schedules[0].every",
        "'five minutes' is not a duration: write it as 30s, 5m, 4h or 1d",
    ),
    (
        "every-too-short",
        svc(f"schedules:\n  - name: quick\n    every: 5s  {MARK}\n"),
        "service.schedules[0].every",
        "every '5s' is out of range: it must be between 10s and 31d",
    ),
    (
        "every-too-long",
        svc(f"schedules:\n  - name: quick\n    every: 32d  {MARK}\n"),
        "service.schedules[0].every",
        "every '32d' is out of range: it must be between 10s and 31d",
    ),
    (
        "unknown-schedule-key",
        svc(f"schedules:\n  - name: quick\n    every: 5m\n    categorie: [availability]  {MARK}\n"),
        "service.schedules[0].categorie",
        "unknown key 'categorie'; did you mean 'categories'?",
    ),
    (
        "both-every-and-cron",
        svc(f"schedules:\n  - name: quick  {MARK}\n    every: 5m\n    cron: '0 2 * * *'\n"),
        "service.schedules[0]",
        "schedule 'quick' has both every and cron: keep one",
    ),
    (
        "neither-every-nor-cron",
        svc(f"schedules:\n  - name: quick  {MARK}\n    report: true\n"),
        "service.schedules[0]",
        "schedule 'quick' needs every (e.g. 5m) or cron (e.g. \"0 2 * * *\")",
    ),
    (
        "schedule-name-used-twice",
        svc(f"schedules:  {MARK}\n  - {{name: quick, every: 5m}}\n  - {{name: quick, every: 10m}}\n"),
        "service.schedules",
        "schedule name 'quick' is used twice",
    ),
    (
        "schedule-name-upper-case",
        svc(f"schedules:\n  - name: Quick  {MARK}\n    every: 5m\n"),
        "service.schedules[0].name",
        "schedule name 'Quick' must be lower-case letters, digits, '_' or '-'",
    ),
    (
        "statement-with-a-filter",
        svc(
            f"schedules:\n  - name: statements  {MARK}\n    cron: '0 7 1 * *'\n    statement: true\n    report: true\n"
        ),
        "service.schedules[0]",
        "schedule 'statements': a statement schedule writes statements only; drop categories, checks and report",
    ),
    (
        "misfire-grace-without-unit",
        svc(f"schedules:\n  - name: quick\n    every: 5m\n    misfire_grace: 10  {MARK}\n"),
        "service.schedules[0].misfire_grace",
        "10 is not a duration (a number needs its unit): write it as 30s, 5m, 4h or 1d",
    ),
    (
        "unknown-category",
        svc(f"schedules:\n  - name: quick\n    every: 5m\n    categories:\n      - availabilty  {MARK}\n"),
        "service.schedules[0].categories[0]",
        "unknown category 'availabilty'; did you mean 'availability'?",
    ),
    (
        "unknown-check-id",
        svc(
            f"schedules:\n  - name: quick\n    every: 5m\n    checks:\n      - instance.api.latencyy  {MARK}\n"
        ),
        "service.schedules[0].checks[0]",
        "unknown check 'instance.api.latencyy'; did you mean 'instance.api.latency'?",
    ),
    (
        "unknown-customer",
        svc(f"customers:\n  - acme\n  - acmee  {MARK}\n"),
        "service.customers[1]",
        "unknown customer 'acmee'; did you mean 'acme'?",
    ),
    (
        "customers-neither-all-nor-a-list",
        svc(f"customers: acme  {MARK}\n"),
        "service.customers",
        "customers 'acme': write all, or a list of customer names such as [acme]",
    ),
    (
        "listen-without-host",
        svc(f"listen: 9464  {MARK}\n"),
        "service.listen",
        "listen 9464 must be HOST:PORT, e.g. 127.0.0.1:9464 (0.0.0.0:9464 in a container)",
    ),
    (
        "shutdown-grace-not-a-duration",
        svc(f"shutdown_grace: 1 minute  {MARK}\n"),
        "service.shutdown_grace",
        "'1 minute' is not a duration: write it as 30s, 5m, 4h or 1d",
    ),
    (
        "unknown-service-key",
        svc(f"schedule: []  {MARK}\n"),
        "service.schedule",
        "unknown key 'schedule'; did you mean 'schedules'?",
    ),
    (
        "key-in-the-wrong-section",
        svc(f"channels: []  {MARK}\n"),
        "service.channels",
        "key 'channels' does not belong here; see config.example.yaml for where it goes",
    ),
    (
        "renotify-without-unit",
        svc(f"alerts:\n  renotify: 4  {MARK}\n"),
        "service.alerts.renotify",
        "4 is not a duration (a number needs its unit): write it as 30s, 5m, 4h or 1d",
    ),
    (
        "min-severity-unknown",
        svc(f"alerts:\n  min_severity: warn  {MARK}\n"),
        "service.alerts.min_severity",
        "Input should be 'info', 'warning' or 'critical'",
    ),
    (
        "confirm-runs-zero",
        svc(f"alerts:\n  confirm_runs: 0  {MARK}\n"),
        "service.alerts.confirm_runs",
        "Input should be greater than or equal to 1",
    ),
    (
        "channel-of-unknown-type",
        channel("{type: sms, url: 'https://sms.example'}"),
        "service.alerts.channels[0]",
        "unknown channel type 'sms'; use webhook, email or jira",
    ),
    (
        "channel-without-type",
        channel("{url: 'https://hooks.example'}"),
        "service.alerts.channels[0]",
        "missing required key 'type'; use webhook, email or jira",
    ),
    (
        "channel-name-used-twice",
        svc(
            f"alerts:\n  channels:  {MARK}\n"
            "    - {type: webhook, url: 'https://a.example'}\n"
            "    - {type: webhook, name: webhook-1, url: 'https://b.example'}\n"
        ),
        "service.alerts.channels",
        "channel name 'webhook-1' is used twice",
    ),
    (
        "webhook-url-not-http",
        channel("{type: webhook, url: 'ftp://hooks.example/x'}"),
        "service.alerts.channels[0].url",
        "'ftp://hooks.example/x' is not an http:// or https:// URL",
    ),
    (
        "webhook-url-with-credentials",
        channel("{type: webhook, url: 'https://bot:s3cret@hooks.example/x'}"),
        "service.alerts.channels[0].url",
        "credentials do not belong in the URL",
    ),
    (
        "webhook-unknown-format",
        channel("{type: webhook, url: 'https://hooks.example', format: discord}"),
        "service.alerts.channels[0].format",
        "Input should be 'generic', 'slack' or 'teams'",
    ),
    (
        "webhook-two-token-sources",
        channel(
            "{type: webhook, url: 'https://hooks.example', token_env: HOOK_TOKEN, token_file: hook.token}"
        ),
        "service.alerts.channels[0]",
        "give at most one of token_env or token_file",
    ),
    (
        "email-username-without-password",
        channel(
            "{type: email, host: smtp.example, username: alerts, from: alerts@example.com, to: [ops@example.com]}"
        ),
        "service.alerts.channels[0]",
        "username 'alerts' needs password_env or password_file",
    ),
    (
        "email-password-without-username",
        channel(
            "{type: email, host: smtp.example, password_env: SMTP_PASSWORD, from: a@example.com, to: [o@example.com]}"
        ),
        "service.alerts.channels[0]",
        "a password needs a username",
    ),
    (
        "email-inline-password",
        channel(
            "{type: email, host: smtp.example, username: a, password: hunter2, from: a@x.com, to: [o@x.com]}"
        ),
        "service.alerts.channels[0].password",
        "inline secrets are not accepted: put the password in an environment variable or a file "
        "and use password_env or password_file",
    ),
    (
        "email-bad-env-name",
        channel(
            "{type: email, host: smtp.example, username: a, password_env: SMTP-PASS, from: a@x.com, to: [o@x.com]}"
        ),
        "service.alerts.channels[0].password_env",
        "'SMTP-PASS' is not a valid environment variable name",
    ),
    (
        "email-tls-and-starttls",
        channel("{type: email, host: smtp.example, port: 465, tls: true, from: a@x.com, to: [o@x.com]}"),
        "service.alerts.channels[0]",
        "choose tls (implicit, port 465) or starttls (port 587), not both",
    ),
    (
        "email-recipient-not-an-address",
        channel("{type: email, host: smtp.example, from: a@x.com, to: [ops-team]}"),
        "service.alerts.channels[0].to",
        "'ops-team' is not an e-mail address",
    ),
    (
        "jira-token-auth-with-username",
        channel(
            "{type: jira, url: 'https://support.example', project: SUP, "
            "auth: {type: token, username: bot, token_env: SUP_TOKEN}}"
        ),
        "service.alerts.channels[0].auth",
        "token auth takes token_env or token_file; drop username",
    ),
    (
        "jira-token-auth-without-token",
        channel("{type: jira, url: 'https://support.example', project: SUP, auth: {type: token}}"),
        "service.alerts.channels[0].auth",
        "token auth needs exactly one of token_env or token_file",
    ),
    (
        "jira-basic-auth-with-token",
        channel(
            "{type: jira, url: 'https://support.example', project: SUP, "
            "auth: {type: basic, username: bot, token_env: SUP_TOKEN}}"
        ),
        "service.alerts.channels[0].auth",
        "basic auth takes password_env or password_file; drop token_env (an API token goes in password_env)",
    ),
    (
        "jira-basic-auth-without-username",
        channel(
            "{type: jira, url: 'https://support.example', project: SUP, "
            "auth: {type: basic, password_env: SUP_PASSWORD}}"
        ),
        "service.alerts.channels[0].auth",
        "basic auth needs a username",
    ),
    (
        "jira-lower-case-project",
        channel(
            "{type: jira, url: 'https://support.example', project: sup, auth: {type: token, token_env: T}}"
        ),
        "service.alerts.channels[0].project",
        "String should match pattern '^[A-Z][A-Z0-9_]{0,19}$'",
    ),
    (
        "quiet-hours-start-unquoted",
        own(f"quiet_hours:\n  - start: 22:00  {MARK}\n    end: '06:00'\n"),
        "customers[0].service.quiet_hours[0].start",
        "YAML reads an unquoted time as a number (1320): quote it: '22:00'",
    ),
    (
        "quiet-hours-end-unquoted",
        own(f"quiet_hours:\n  - start: '22:00'\n    end: 7:30  {MARK}\n"),
        "customers[0].service.quiet_hours[0].end",
        "YAML reads an unquoted time as a number (450): quote it: '07:30'",
    ),
    (
        "quiet-hours-empty",
        own(f"quiet_hours:\n  - start: '22:00'\n    end: '22:00'  {MARK}\n"),
        "customers[0].service.quiet_hours[0].end",
        "quiet hours start and end at the same time",
    ),
    (
        "maintenance-ends-before-it-starts",
        own(f"maintenance:\n  - start: '2026-03-01T22:00'\n    end: '2026-03-01T20:00'  {MARK}\n"),
        "customers[0].service.maintenance[0].end",
        "maintenance window ends (2026-03-01 20:00:00) before it starts (2026-03-01 22:00:00)",
    ),
    (
        "maintenance-zone-on-one-end",
        own(f"maintenance:\n  - start: '2026-03-01T20:00+01:00'\n    end: '2026-03-01T22:00'  {MARK}\n"),
        "customers[0].service.maintenance[0].end",
        "give a zone on both start and end, or on neither",
    ),
    (
        "customer-names-unknown-channel",
        own(f"channels:\n  - pagr  {MARK}\n"),
        "customers[0].service.channels[0]",
        "unknown channel 'pagr'; did you mean 'pager'?",
    ),
    (
        "customer-schedule-name-used-twice",
        own(f"schedules:  {MARK}\n  - {{name: quick, every: 5m}}\n  - {{name: quick, every: 1m}}\n"),
        "customers[0].service.schedules",
        "schedule name 'quick' is used twice",
    ),
    (
        "customer-service-without-service-section",
        textwrap.indent(f"service:  {MARK}\n  channels: [pager]\n", "    "),
        "customers[0].service",
        "customers[].service needs the top-level service section (atlas-health serve)",
    ),
]
PREFIX_ONLY = {"cron-does-not-parse", "cron-four-fields"}  # check_cron's wording is not this file's


@pytest.mark.parametrize(("text", "key", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_key_is_named_at_its_line(tmp_path: Path, text: str, key: str, message: str) -> None:
    path = write(tmp_path, text)
    expected = f"c.yaml:{marked_line(path)}: {key}: {message}"
    found = issues(path)
    assert len(found) == 1, found
    if message.startswith("cron "):
        assert found[0].startswith(expected), found
    else:
        assert found == [expected]


def test_case_ids_are_unique_and_prefixes_are_known() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert {c[0] for c in CASES if c[3].startswith("cron ")} == PREFIX_ONLY


VALID = """\
service:
  listen: 0.0.0.0:9464
  schedules:
    - {name: quick, every: 5m, categories: [availability, authentication]}
    - {name: nightly, cron: "0 2 * * *", report: true}
    - {name: statements, cron: "0 7 1 * *", statement: true}
  shutdown_grace: 90s
  alerts:
    renotify: 1d
    channels:
      - {type: webhook, url: "https://hooks.example/x", format: slack}
      - type: email
        host: smtp.example
        username: alerts
        password_env: SMTP_PASSWORD
        from: alerts@example.com
        to: ops@example.com
      - {type: jira, name: support, url: "https://support.example/", project: SUP, auth: {type: token, token_env: T}}
"""


def test_a_valid_service_section_loads_with_its_derived_values(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    service = load_config(path, registry=REGISTRY, env={}, resolve_secrets=False).config.service
    assert service is not None
    assert service.listen_address == ("0.0.0.0", 9464)
    assert service.shutdown_grace_seconds == 90.0
    assert [s.every_seconds for s in service.schedules] == [300.0, None, None]
    assert service.alerts.renotify_seconds == 86400.0
    assert service.alerts.channel_names() == ["webhook-1", "email-2", "support"]
    email, jira = service.alerts.channels[1], service.alerts.channels[2]
    assert isinstance(email, EmailChannel) and isinstance(jira, JiraChannel)
    assert email.to == ["ops@example.com"]  # one address needs no list
    assert jira.url == "https://support.example"


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path, svc("listen: 9464\nschedules:\n  - {name: quick, every: 5}\nalerts:\n  renotify: 4\n")
    )
    found = issues(path)
    assert [line.split(": ")[1] for line in found] == [
        "service.listen",
        "service.schedules[0].every",
        "service.alerts.renotify",
    ]


@pytest.mark.server
def test_config_validate_prints_the_line_and_exits_3(tmp_path: Path) -> None:
    path = write(tmp_path, svc(f"schedules:\n  - name: quick\n    every: 5  {MARK}\n"))
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", "config", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    expected = (
        f"{path}:{marked_line(path)}: service.schedules[0].every: "
        "5 is not a duration (a number needs its unit): write it as 30s, 5m, 4h or 1d"
    )
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_the_example_documents_the_whole_service_section() -> None:
    example = Path(__file__).resolve().parents[3] / "config.example.yaml"
    config = load_config(example, registry=REGISTRY, resolve_secrets=False).config
    service = config.service
    assert service is not None
    assert [s.name for s in service.schedules] == ["quick", "nightly", "statements"]
    assert [c.type for c in service.alerts.channels] == ["webhook", "email", "jira"]
    acme = config.customers[0].service
    assert acme is not None and acme.quiet_hours and acme.maintenance and acme.channels
    # Every key of the service models is written out (as a key or in a comment) somewhere in the file.
    text = example.read_text()
    for model in (type(service), type(service.alerts), type(service.schedules[0]), type(acme)):
        for name, info in model.model_fields.items():
            assert f"{info.alias or name}:" in text, f"{model.__name__}.{name} is not documented"
