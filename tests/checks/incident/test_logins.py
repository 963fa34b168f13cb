"""Failed logins told apart: one address guessing one password, many users failing at once (the
directory), a service account with a stale password (background)."""

from __future__ import annotations

from checks.incident.analysis import investigate
from collectors.logs.model import AuthBurst, AuthCell, UserErrors
from collectors.model import Snapshot
from tests.checks.incident.builders import T0, analysis, minute
from tests.checks.incident.test_ranking import CAUSES


def _with_cells(cells: list[AuthCell], bursts: list[AuthBurst] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    per_minute: dict[tuple[str, int], int] = {}
    for c in cells:
        m = int((c.at - T0).total_seconds() // 60)
        per_minute[(c.node, m)] = per_minute.get((c.node, m), 0) + c.failed
    data = analysis(failed_logins=lambda n, m: per_minute.get((n, m), 0), **kwargs)
    assert data.security is not None
    data.security.cells = cells
    data.security.bursts = bursts or []
    snapshot = Snapshot(tool_version="test", started_at=T0, finished_at=minute(180), logs=[data])
    return investigate(snapshot, "acme", causes=CAUSES | _login_causes())


def _login_causes():  # type: ignore[no-untyped-def]
    from tests.checks.incident.test_ranking import _info

    return {
        "auth-attack": _info("auth-attack", (), ("failed-logins",)),
        "credential-failure": _info("credential-failure", (), ("failed-logins",)),
    }


def test_one_address_guessing_one_password_is_an_attack() -> None:
    nodes = ("node1", "node2", "node3")
    cells = [
        AuthCell(at=minute(m), user="admin", address="203.0.113.9", node=nodes[m % 3], failed=50)
        for m in range(60, 90)
    ]
    cells.append(AuthCell(at=minute(75), user="jsmith", address="10.0.0.5", node="node1", failed=3))  # a typo
    incident = _with_cells(cells)
    top = incident.causes[0]
    assert top.cause == "auth-attack"
    assert "203.0.113.9" in top.summary and "1,500" in top.summary
    assert incident.impact is not None
    assert incident.impact.users_failed_login.value == 2  # admin and the person who mistyped


def test_many_users_failing_from_many_addresses_at_once_points_at_the_directory() -> None:
    cells = [
        AuthCell(
            at=minute(m), user=f"user{u}", address=f"10.0.{u % 7}.{u}", node=f"node{u % 3 + 1}", failed=2
        )
        for m in range(100, 145)
        for u in range(m % 5, 40, 5)
    ]
    incident = _with_cells(cells)
    assert incident.causes[0].cause == "directory-unavailable"
    assert incident.causes[0].first_seen == minute(100)
    assert "attack" not in [c.cause for c in incident.causes[:1]]


def test_a_service_account_failing_all_day_is_not_the_incident() -> None:
    stale = AuthBurst(
        kind="stale-password",
        subject="ci-bot",
        start=minute(0),
        end=minute(179),
        failures=180,
        users=["ci-bot"],
        addresses=["10.1.1.1"],
        nodes=["node1"],
    )
    cells = [
        AuthCell(at=minute(m), user="admin", address="198.51.100.7", node="node2", failed=60)
        for m in range(120, 140)
    ]
    incident = _with_cells(cells, [stale])
    assert incident.causes[0].cause == "auth-attack"
    credential = next((c for c in incident.causes if c.cause == "credential-failure"), None)
    assert credential is None or credential.confidence < 0.3


def test_users_who_got_server_errors_are_counted_inside_the_window_only() -> None:
    data = analysis(errors_5xx=lambda _n, m: 15 if 120 <= m < 150 else 0.05)
    assert data.access is not None
    data.access[0].error_users = [
        UserErrors(at=minute(m), user=f"u{m % 7}", node="node1", errors=1) for m in range(100, 160)
    ]
    snapshot = Snapshot(tool_version="test", started_at=T0, finished_at=minute(180), logs=[data])
    incident = investigate(snapshot, "acme", causes=CAUSES)
    assert incident.impact is not None
    assert incident.impact.users_with_errors.value == len({f"u{m % 7}" for m in range(120, 150)})
    assert incident.impact.users_with_errors.basis == "measured"
