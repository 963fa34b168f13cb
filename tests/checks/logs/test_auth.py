"""logs.auth.bursts: brute force and stale passwords from the security log's bursts."""

from __future__ import annotations

from atlas_health.testing.harness import evidence, findings_of, only, registry
from atlas_health.testing.logs import analysis, at, burst, failures, logs_snapshot, run_logs_check, security
from checks.finding import Category, Severity
from checks.logs.auth_bursts import LogsAuthBursts
from checks.runner import CheckSettings, run_checks


def bursts(*found, **summary):
    return run_logs_check(LogsAuthBursts, analysis(security=security(bursts=list(found), **summary)))


def test_no_burst_is_ok_with_the_counts():
    finding = only(bursts())
    assert finding.check == "logs.auth.bursts"
    assert finding.severity is Severity.OK
    assert finding.message == (
        "The security log shows 12 failed and 480 passed logins in the window, with no "
        "burst from one address or against one user."
    )


def test_a_brute_force_burst_is_a_warning_naming_address_users_and_window():
    finding = only(bursts(burst()))
    assert finding.severity is Severity.WARNING
    assert finding.category is Category.SECURITY
    assert finding.title == "40 failed logins from 203.0.113.9"
    assert finding.message == (
        "203.0.113.9 failed 40 logins against 4 user(s) (admin, root, jira and test) between 2026-11-26 08:00:00 "
        "UTC and 2026-11-26 08:04:00 UTC (4 min) on node1: this looks like a brute-force attempt (critical from "
        "100 failures or any passed login from it)."
    )
    facts = evidence(finding)
    assert (facts["users"], facts["addresses"], facts["failed logins"]) == (
        "admin, root, jira, test",
        "203.0.113.9",
        40,
    )
    start = next(e for e in finding.evidence if e.label == "burst start")
    assert (start.time, start.source) == (at(120), "security log of node1")
    assert "block or rate-limit it" in finding.recommendation
    assert any("captcha" in r for r in finding.references)


def test_a_large_brute_force_or_one_that_also_passed_is_critical():
    assert only(bursts(burst(failures=150))).severity is Severity.CRITICAL
    passed = only(bursts(burst(), by_address=[failures("203.0.113.9", 40, passed=1)]))
    assert passed.severity is Severity.CRITICAL
    assert "1 login(s) from the same address PASSED in the window" in passed.message
    assert evidence(passed)["logins from 203.0.113.9 that passed"] == 1


def test_the_critical_failure_count_comes_from_the_settings():
    settings = CheckSettings(thresholds={"logs.auth.bursts": {"critical_failures": 30}})
    result = run_checks(logs_snapshot(analysis(security=security(bursts=[burst()]))), registry(), settings)
    assert only(findings_of(result, "logs.auth.bursts")).severity is Severity.CRITICAL


def test_a_stale_password_is_a_warning_naming_the_user_and_where_it_fails_from():
    finding = only(bursts(burst("stale-password", "svc-bamboo", failures=60, start=at(0), end=at(235))))
    assert finding.severity is Severity.WARNING
    assert finding.category is Category.AUTHENTICATION
    assert finding.title == "Logins as svc-bamboo keep failing"
    assert finding.message.startswith(
        "svc-bamboo failed to log in 60 times from 10.0.0.77 between 2026-11-26 06:00:00 UTC and 2026-11-26 "
        "09:55:00 UTC (3.9 h) on node1: steady failures from the same places look like a service"
    )
    assert "reset the user's failed login count" in finding.recommendation
    assert only(bursts(burst("stale-password", "svc-bamboo", failures=500))).severity is Severity.WARNING


def test_each_burst_is_its_own_finding_in_time_order():
    findings = bursts(burst("stale-password", "svc-ci", start=at(200), end=at(210)), burst())
    assert [f.title for f in findings] == [
        "40 failed logins from 203.0.113.9",
        "Logins as svc-ci keep failing",
    ]
    assert len({f.fingerprint for f in findings}) == 2


def test_many_addresses_guessing_at_one_user_read_as_a_distributed_attempt():
    spraying = burst(
        subject="admin", users=["admin"], failures=25, addresses=[f"198.51.100.{i}" for i in range(1, 7)]
    )
    finding = only(bursts(spraying))
    assert finding.severity is Severity.WARNING
    assert finding.title == "25 failed logins as admin"
    assert finding.message == (
        "admin failed to log in 25 times from 6 addresses (198.51.100.1, 198.51.100.2, 198.51.100.3, 198.51.100.4, "
        "198.51.100.5 and 198.51.100.6) between 2026-11-26 08:00:00 UTC and 2026-11-26 08:04:00 UTC (4 min) on "
        "node1: this looks like a distributed guess at one account (critical from 100 failures or any passed login "
        "as admin)."
    )
    taken = only(bursts(spraying, by_user=[failures("admin", 25, passed=2)]))
    assert taken.severity is Severity.CRITICAL
    assert taken.message.endswith(
        "2 login(s) as admin PASSED in the window: check whether the account was taken over."
    )
    assert evidence(taken)["logins as admin that passed"] == 2


def guessing(**overrides):
    values = {"users": ["admin"], "addresses": ["198.51.100.66"], "failures": 1_500, "end": at(170)}
    values.update(overrides)
    return burst("password-guessing", "198.51.100.66", **values)


def test_one_address_guessing_one_password_is_critical_naming_the_account():
    finding = only(bursts(guessing(nodes=["node1", "node2", "node3"])))
    assert finding.severity is Severity.CRITICAL
    assert finding.category is Category.SECURITY
    assert finding.title == "1,500 failed logins as admin from 198.51.100.66"
    assert finding.message == (
        "198.51.100.66 failed 1,500 logins as admin between 2026-11-26 08:00:00 UTC and 2026-11-26 08:50:00 UTC "
        "(50 min) on node1, node2 and node3: this looks like someone guessing the password of that account, far "
        "faster than a person mistyping or a service retrying an old password (critical from 100 failures or any "
        "passed login from it)."
    )
    assert "Give admin a strong password" in finding.recommendation
    assert "block or rate-limit it" in finding.recommendation
    assert evidence(finding)["failed logins"] == 1_500
    assert finding.fingerprint != only(bursts(burst())).fingerprint


def test_a_short_guess_is_a_warning_and_a_guess_that_got_in_is_critical():
    few = only(bursts(guessing(failures=40, users=["admin", "Admin"])))
    assert few.severity is Severity.WARNING
    assert few.title == "40 failed logins as admin and Admin from 198.51.100.66"
    assert "guessing the password of these accounts" in few.message
    got_in = only(bursts(guessing(failures=40), by_address=[failures("198.51.100.66", 40, passed=1)]))
    assert got_in.severity is Severity.CRITICAL
    assert got_in.message.endswith(
        "1 login(s) from the same address PASSED in the window: check whether the password was guessed."
    )
    assert evidence(got_in)["logins from 198.51.100.66 that passed"] == 1
