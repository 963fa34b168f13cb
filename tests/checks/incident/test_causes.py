"""The cause classes as data: the file describes exactly the closed list, its evidence names signatures
that exist and symptoms of its own vocabulary, every class has actions of each type with a way to
verify them, and a malformed file is refused with one line naming the entry and the key."""

from __future__ import annotations

import subprocess
import sys
from importlib.resources import files

import pytest

import checks.incident.causes as causes_module
from checks.incident.causes import (
    ACTION_TYPES,
    CAUSE_CLASSES,
    SOURCE,
    CauseFileError,
    ExceptionPattern,
    causes_for_exception,
    causes_for_signature,
    load_cause_classes,
    load_symptoms,
    parse_cause_classes,
)
from checks.incident.model import IncidentAction
from checks.signatures import load_builtin
from tests.checks.signatures import test_knowledge_base

CAUSES = load_cause_classes()
SIGNATURE_IDS = {s.id for s in load_builtin()}
TEXT = files("checks").joinpath("data", "incident_causes.yaml").read_text(encoding="utf-8")

# Signatures added for the cause classes; the knowledge-base tests must run each through re,
# Hyperscan and grep -E.
NEW_SIGNATURES = {
    "directory.ldap.unreachable",
    "directory.ldap.read_timeout",
    "directory.ldap.ssl_handshake",
    "directory.crowd.unreachable",
    "db.postgres.connection_refused",
    "db.postgres.connection_attempt_failed",
    "db.postgres.io_error",
    "db.mysql.connect_failed",
    "db.oracle.network_adapter",
    "db.sqlserver.tcp_connect_failed",
    "db.postgres.password_failed",
    "db.mysql.access_denied",
    "db.oracle.invalid_credentials",
    "db.sqlserver.login_failed",
    "db.postgres.statement_timeout",
    "db.mysql.lock_wait_timeout",
    "db.sqlserver.query_timeout",
    "cluster.jira.cache_replication_backlog",
    "cluster.ehcache.replication_failed",
    "cluster.hazelcast.member_suspected",
    "license.jira.too_old_for_build",
    "bamboo.agent.broker_unreachable",
    "mail.smtp.connect_failed",
    "mail.smtp.auth_failed",
    "applinks.oauth.timestamp_refused",
    "os.no_route_to_host",
    "gc.jdk8.pause_off_cpu",
    "gc.unified.pause_off_cpu",
}

# Signatures that support no cause class, and why: a new signature is mapped or named here.
UNMAPPED = {
    "auth.jira.no_use_permission",  # a user without application access: not a cause of an incident
    "auth.crowd.console_login_error",  # Crowd's own console after an upgrade, no user-facing outage
    "atst.health_check.failed",  # generic: the failed check it names decides, through its own signature
    "jvm.array_size.oom",  # one request asking for too much; the heap is fine
}


def test_the_file_describes_exactly_the_closed_list():
    assert sorted(CAUSES) == sorted(CAUSE_CLASSES)
    assert len(CAUSE_CLASSES) == 26
    assert all(info.id == cause for cause, info in CAUSES.items())
    assert [info.id for info in CAUSES.values()] == list(CAUSE_CLASSES)  # the file keeps the model's order


def test_every_referenced_signature_exists_in_the_knowledge_base():
    unknown = {(c.id, s) for c in CAUSES.values() for s in c.signatures if s not in SIGNATURE_IDS}
    assert unknown == set()


def test_every_signature_supports_a_cause_class_or_is_named_as_unmapped():
    mapped = {s for c in CAUSES.values() for s in c.signatures}
    assert SIGNATURE_IDS - mapped == UNMAPPED
    assert UNMAPPED <= SIGNATURE_IDS


def test_every_symptom_is_in_the_vocabulary_and_every_word_of_it_is_used():
    vocabulary = load_symptoms()
    used = {s for c in CAUSES.values() for s in c.symptoms}
    assert used <= set(vocabulary)
    assert set(vocabulary) - used == set()
    # The words the investigation and the issue already speak.
    assert {"5xx", "latency", "failed-logins", "401", "restart", "gc-pauses", "gc-overhead"} <= set(
        vocabulary
    )
    assert {"heap-floor", "errors", "node-silent", "stuck-threads", "db-errors"} <= set(vocabulary)


def test_symptoms_are_read_on_first_use_and_are_the_vocabulary():
    assert load_symptoms() == causes_module.SYMPTOMS
    assert all(text.strip() for text in causes_module.SYMPTOMS.values())
    with pytest.raises(AttributeError):
        _ = causes_module.NOT_A_NAME


@pytest.mark.parametrize("cause", CAUSE_CLASSES)
def test_each_class_has_every_action_type_with_a_verification(cause):
    info = CAUSES[cause]
    assert {a.type for a in info.actions} == set(ACTION_TYPES)
    for action in info.actions:
        assert action.text.strip() and action.verification.strip()
        assert action.verification != action.text
    assert info.severity in ("warning", "critical")
    assert info.title and info.explanation and info.symptoms
    assert info.signatures or info.other_evidence, "a class needs some evidence to rest on"


@pytest.mark.parametrize("cause", CAUSE_CLASSES)
def test_references_are_https(cause):
    references = CAUSES[cause].references
    assert references
    assert all(r.startswith("https://") and " " not in r for r in references)


def test_actions_become_incident_actions_of_their_class():
    actions = CAUSES["db-unreachable"].incident_actions()
    assert all(isinstance(a, IncidentAction) and a.cause == "db-unreachable" for a in actions)
    assert [a.type for a in actions] == [a.type for a in CAUSES["db-unreachable"].actions]


def test_the_file_is_read_once_and_handed_out_read_only():
    assert load_cause_classes() is load_cause_classes()
    with pytest.raises(TypeError):
        load_cause_classes()["db-slow"] = CAUSES["db-unreachable"]  # type: ignore[index]


def test_importing_the_module_reads_no_file():
    # The check registry imports every module of checks/: a broken data file must not break it.
    code = (
        "import checks.incident.causes as c\n"
        "assert c.load_catalogue.cache_info().currsize == 0\n"
        "assert c.SYMPTOMS and c.load_catalogue.cache_info().currsize == 1\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_new_signatures_run_through_the_knowledge_base_tests():
    assert NEW_SIGNATURES <= SIGNATURE_IDS
    assert set(test_knowledge_base.IDS) >= NEW_SIGNATURES
    assert all(causes_for_signature(s) for s in NEW_SIGNATURES)


def test_a_signature_points_at_its_classes():
    assert causes_for_signature("directory.ldap.unreachable") == ("directory-unavailable",)
    assert causes_for_signature("db.postgres.password_failed") == ("credential-failure",)
    assert causes_for_signature("db.hikari.timeout") == ("db-pool-exhausted",)
    assert causes_for_signature("jvm.array_size.oom") == ()


@pytest.mark.parametrize(
    ("root_cause", "thrown_as", "sample", "expected"),
    [
        # The same root cause tells three classes apart by what threw it and what it said.
        (
            "java.net.ConnectException",
            ["org.postgresql.util.PSQLException"],
            "Caused by: java.net.ConnectException: Connection refused (Connection refused)",
            ("db-unreachable",),
        ),
        (
            "java.net.SocketTimeoutException",
            ["org.springframework.ldap.CommunicationException"],
            "Caused by: java.net.SocketTimeoutException: connect timed out",
            ("directory-unavailable",),
        ),
        (
            "java.net.SocketTimeoutException",
            ["com.atlassian.jira.exception.DataAccessException"],
            "Caused by: java.net.SocketTimeoutException: Read timed out",
            ("db-slow",),
        ),
        (
            "java.net.ConnectException",
            ["com.atlassian.mail.MailException"],
            "Caused by: java.net.ConnectException: Connection refused",
            ("mail-queue",),
        ),
        (
            "java.util.NoSuchElementException",
            ["org.apache.commons.dbcp2.SQLNestedException"],
            "Caused by: java.util.NoSuchElementException: Timeout waiting for idle object",
            ("db-pool-exhausted",),
        ),
        (
            "java.lang.OutOfMemoryError",
            ["java.lang.OutOfMemoryError"],
            'Exception in thread "Thread-142" java.lang.OutOfMemoryError: GC overhead limit exceeded',
            ("gc-thrashing",),
        ),
        # A refused connection of a webhook names no class: the target decides, not the exception.
        (
            "java.net.ConnectException",
            ["org.apache.http.conn.HttpHostConnectException"],
            "Caused by: java.net.ConnectException: Connection refused",
            (),
        ),
    ],
)
def test_exception_groups_point_at_their_classes(root_cause, thrown_as, sample, expected):
    assert causes_for_exception(root_cause, thrown_as, sample) == expected


def test_an_exception_pattern_needs_every_part_it_names():
    pattern = ExceptionPattern("java\\.net\\.SocketTimeoutException", "org\\.postgresql\\.", "Read timed out")
    assert pattern.matches(
        "java.net.SocketTimeoutException", ["org.postgresql.util.PSQLException"], "Read timed out"
    )
    assert not pattern.matches("java.net.SocketTimeoutException", ["org.postgresql.util.PSQLException"], None)
    assert not pattern.matches("java.net.SocketTimeoutException", [], "Read timed out")
    assert not pattern.matches("java.net.SocketTimeoutExceptionX", ["org.postgresql.X"], "Read timed out")
    assert ExceptionPattern("java\\.io\\.IOException").matches("java.io.IOException")


def test_the_built_in_file_parses_as_its_loader_reads_it():
    catalogue = parse_cause_classes(TEXT)
    assert dict(catalogue.causes) == dict(CAUSES)


def mutate(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


DB_SLOW = "causes[6] (db-slow)"


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        (
            mutate(
                "        verification: >-\n          The statements no longer appear",
                "        verification: ' '\n        unused: >-\n          The statements no longer appear",
            ),
            None,  # two problems: checked below
            None,
        ),
        (
            mutate("  - id: db-slow\n", "  - id: db-sluggish\n"),
            "causes[6] (db-sluggish).id",
            "unknown cause class",
        ),
        (
            mutate("symptoms: [latency, db-query-waits,", "symptoms: [latency, db-waits,"),
            f"{DB_SLOW}.symptoms[1]",
            "unknown symptom 'db-waits'",
        ),
        (
            mutate(
                "      - https://www.postgresql.org/docs/current/runtime-config-client.html\n",
                "      - http://www.postgresql.org/docs/current/runtime-config-client.html\n",
            ),
            f"{DB_SLOW}.references[1]",
            "is not an https URL",
        ),
        (
            mutate(
                "      - type: detect\n        text: >-\n          Alert when p95 latency rises on all nodes",
                "      - type: mitigate\n        text: >-\n          Alert when p95 latency rises on all nodes",
            ),
            f"{DB_SLOW}.actions",
            "missing: detect",
        ),
        (
            mutate(
                "        - root_cause: 'java\\.sql\\.SQLTimeoutException",
                "        - root_cause: '(java\\.sql\\.SQLTimeoutException",
            ),
            f"{DB_SLOW}.evidence.exceptions[1].root_cause",
            "not a valid regular expression",
        ),
        (
            mutate(
                "    title: Database queries took seconds\n",
                "    title: Database queries took seconds\n    title: x\n",
            ),
            f"{DB_SLOW}.title",
            "the key is given twice",
        ),
        (
            mutate(
                "    severity: warning\n    explanation: >-\n      The database answers, slowly",
                "    severity: minor\n    explanation: >-\n      The database answers, slowly",
            ),
            f"{DB_SLOW}.severity",
            "'warning' or 'critical'",
        ),
        (mutate("'401': Requests refused", "401: Requests refused"), "symptoms.401", "quote it ('401')"),
        (
            mutate(
                "        - db.sqlserver.query_timeout\n",
                "        - db.sqlserver.query_timeout\n        - db.sqlserver.query_timeout\n",
            ),
            f"{DB_SLOW}.evidence.signatures",
            "is listed twice",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_one_line_naming_the_entry_and_key(text, where, says):
    with pytest.raises(CauseFileError) as caught:
        parse_cause_classes(text)
    problems = caught.value.problems
    if where is None:  # an empty verification and an unknown key: one line for each
        assert len(problems) == 2
        assert f"{DB_SLOW}.actions[2].verification: must not be empty" in problems[0]
        assert f"{DB_SLOW}.actions[2].unused: unknown key 'unused'" in problems[1]
        return
    assert len(problems) == 1 and "\n" not in str(caught.value), str(caught.value)
    line = problems[0]
    assert line.startswith(f"{SOURCE}:") and f": {where}: " in line and says in line, line


def test_the_error_line_points_at_the_line_of_the_key():
    text = mutate("  - id: db-slow\n", "  - id: db-sluggish\n")
    with pytest.raises(CauseFileError) as caught:
        parse_cause_classes(text)
    line_number = int(str(caught.value).split(":")[1])
    assert text.splitlines()[line_number - 1] == "  - id: db-sluggish"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("causes: [\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping with the keys 'symptoms' and 'causes'"),
        ("", "must be a mapping"),
        ("symptoms: {a: b}\ncauses: [db-slow]\n", "causes[0]: must be a mapping of keys"),
    ],
)
def test_a_file_that_is_not_the_right_shape_is_refused_in_one_line(text, says):
    with pytest.raises(CauseFileError) as caught:
        parse_cause_classes(text, "acme.yaml")
    assert len(caught.value.problems) == 1 and says in str(caught.value)
    assert str(caught.value).startswith("acme.yaml")


def test_a_missing_class_and_a_repeated_one_are_both_named():
    text = mutate("  - id: db-slow\n", "  - id: db-unreachable\n")
    with pytest.raises(CauseFileError) as caught:
        parse_cause_classes(text)
    assert any(
        "causes[6] (db-unreachable).id: 'db-unreachable' is already described by causes[5]" in p
        for p in caught.value.problems
    )
    assert any("no entry for the cause classes: db-slow" in p for p in caught.value.problems)
