"""Cause classes of authentication and licensing: the directory unavailable, an attack on the admin
password, an integration with a stale password, the licence expired.
"""

from __future__ import annotations

import numpy as np

from sandbox import incident_lines as text
from sandbox.incident_decoys import DIRECTORY, DIRECTORY_ID, ldap_stack
from sandbox.incident_effects import Cause, Degrade, Effect, Event, Line, Lines, World
from sandbox.incident_traffic import (
    ATTACKER_ADDRESS,
    FORM,
    LOGIN_FAILED,
    LOGIN_PASSED,
    NO_LOGIN,
    REST_SESSION,
    Requests,
    make_requests,
    tagged,
)

MIN = 60.0
EVERY_NODE = (0, 1, 2)


class DirectoryDown(Effect):
    """The LDAP server cannot be reached: every login of a directory user waits for the connect timeout
    (10 s) and fails; people who cannot get in try again instead of working; already logged-in sessions
    carry on. Service accounts in the internal directory are not affected."""

    user_not_found = True

    def __init__(self, start: float, end: float) -> None:
        super().__init__(start, end, EVERY_NODE, ramp=30)

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        if not self.active(minute, minute + 60):
            return
        people = world.people
        for req in batches:
            if not len(req):
                continue
            lv = self.level(req.t)
            staff = req.who < people.staff
            retry = (
                staff & (req.login == NO_LOGIN) & (req.reason == 0) & (world.np.random(len(req)) < 0.05 * lv)
            )
            req.ep[retry] = np.where(world.np.random(int(retry.sum())) < 0.7, FORM, REST_SESSION)
            req.login[retry] = LOGIN_PASSED
            ldap = people.ldap[req.who]
            hit = (req.login == LOGIN_PASSED) & ldap & (lv > 0) & (world.np.random(len(req)) < lv)
            req.login[hit] = LOGIN_FAILED
            req.anon[hit] = True
            req.status[hit] = np.where(req.ep[hit] == FORM, 200, 401)
            req.nbytes[hit] = np.where(req.ep[hit] == FORM, 9_800, 120)
            req.ms[hit] = world.np.integers(10_000, 10_250, int(hit.sum()))
            req.reason[hit] = reason

    def event(self, world: World, node: int, req: Requests, i: int) -> Event:
        user = world.people.names[int(req.who[i])]
        message = (
            f"Directory '{DIRECTORY} ({DIRECTORY_ID})' is not functional during authentication of '{user}'. "
            "Skipped."
        )
        return (
            "ERROR",
            "c.a.c.manager.application.ApplicationServiceGeneric",
            message,
            ldap_stack("Connection timed out", "ConnectException"),
        )


def directory_unavailable(start: float, duration: float = 45 * MIN) -> Cause:
    """LDAP unreachable for 45 minutes: many different people fail to log in from many addresses at
    once on every node, 401s rise, CommunicationException fills every node's application log."""
    end = start + duration
    return Cause([DirectoryDown(start, end)], end, EVERY_NODE)


class PasswordGuessing(Effect):
    """One address guesses the admin password ``count`` times, evenly over the effect, through the load
    balancer (round robin: no session cookie), so every node sees a third of it."""

    def __init__(self, start: float, end: float, count: int) -> None:
        super().__init__(start, end, EVERY_NODE, ramp=0)
        step = (end - start) / count
        self.times = start + step * (np.arange(count) + 0.37)
        self.who = -1

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        if self.who < 0:
            self.who = world.people.add("admin", ATTACKER_ADDRESS, "python-requests/2.28.1", False)
        due = self.times[(self.times >= minute) & (self.times < minute + 60)]
        if not len(due):
            return
        up = [i for i, b in enumerate(batches) if len(b)] or [0]
        for k, at in enumerate(due):
            node = up[(int(at) + k) % len(up)]
            guess = make_requests(
                world.np,
                np.array([at]),
                np.array([self.who]),
                np.array([REST_SESSION]),
                status=401,
                anon=True,
            )
            guess.login[:] = LOGIN_FAILED
            guess.ms[:] = world.np.integers(180, 420, 1)
            guess.nbytes[:] = 120
            guess.reason[:] = reason
            batches[node].extend(guess)


def auth_attack(start: float, duration: float = 30 * MIN, attempts: int = 1500) -> Cause:
    """One address behind the load balancer guesses the ``admin`` password 1,500 times in 30 minutes."""
    end = start + duration
    return Cause([PasswordGuessing(start, end, attempts)], end, EVERY_NODE)


class StalePassword(Effect):
    """The sync integration's password was changed in Jira but not in the integration: each of its calls
    now fails with 401 and it retries once, every minute, until someone updates it."""

    def __init__(self, start: float, end: float) -> None:
        super().__init__(start, end, EVERY_NODE, ramp=0)

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        if not self.active(minute, minute + 60):
            return
        sync = world.traffic.sync
        for req in batches:
            calls = (req.who == sync) & (req.t >= self.start) & (req.t < self.until())
            if not calls.any():
                continue
            req.login[calls] = LOGIN_FAILED
            req.anon[calls] = True
            req.status[calls] = 401
            req.nbytes[calls] = 120
            req.ms[calls] = world.np.integers(40, 120, int(calls.sum()))
            req.reason[calls] = reason
            retry_at = req.t[calls] + 2.0
            retry_at = retry_at[retry_at < minute + 60]
            retries = make_requests(
                world.np,
                retry_at,
                np.full(len(retry_at), sync),
                req.ep[calls][: len(retry_at)],
                status=401,
                anon=True,
            )
            retries.login[:] = LOGIN_FAILED
            retries.ms[:] = world.np.integers(40, 120, len(retry_at))
            retries.reason[:] = reason
            req.extend(retries)


def credential_failure(start: float, duration: float = 45 * MIN) -> Cause:
    """An integration keeps a password that was changed: it fails steadily, every minute, on every node."""
    end = start + duration
    return Cause([StalePassword(start, end)], end, EVERY_NODE)


def licence_expired(start: float, duration: float = 40 * MIN) -> Cause:
    """The Jira Software licence expires: nobody can create or edit issues (403) until a new licence is
    applied. (No public source gives the product's own log line for an expired licence: the
    application-log lines here are ATST's ``License Expiry`` health check and plausible Jira lines.)"""
    end = start + duration
    day = text.iso(start)[:10]
    refused = f"Issue creation and editing are disabled: the Jira Software license expired on {day}"

    def lines(world: World, node: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        first = start + 4.2 + node
        if minute <= first < minute + 60:
            out.append(
                (
                    first,
                    "app",
                    text.app(
                        first,
                        "Caesium-1-2",
                        "WARN",
                        "c.a.jira.license.JiraLicenseManagerImpl",
                        f"The license for Jira Software (SEN-L10442981) expired on {day}; the instance is "
                        "now read-only for issues",
                    ),
                )
            )
        for at in (start + k * 5 * MIN + 12.4 + node for k in range(int((end - start) // (5 * MIN)) + 1)):
            if minute <= at < minute + 60 and at < end:
                out.append(
                    (
                        at,
                        "app",
                        text.app(
                            at,
                            "Caesium-1-2",
                            "WARN",
                            "c.a.t.healthcheck.concurrent.SupportHealthCheckProcess",
                            "lambda$getCompletedStatuses$0 Health check 'License Expiry' failed with "
                            f"severity 'critical': Your Jira Software license expired on {day}.",
                            user="ServiceRunner",
                        ),
                    )
                )
        fixed = end + 2.0 + node
        if minute <= fixed < minute + 60:
            out.append(
                (
                    fixed,
                    "app",
                    text.app(
                        fixed,
                        "Caesium-1-2",
                        "INFO",
                        "c.a.jira.license.JiraLicenseManagerImpl",
                        "A new license was applied for Jira Software (SEN-L10442981), valid until 2025-05-31",
                    ),
                )
            )
        return out

    def denied(world: World, node: int, req: Requests, i: int) -> Event:
        return "WARN", "c.a.j.bc.issue.DefaultIssueService", refused, ""

    effects: list[Effect] = [
        Degrade(
            start,
            end,
            EVERY_NODE,
            targets=tagged("create", "edit"),
            fail=1.0,
            status=403,
            fail_ms=(30, 120),
            ramp=1,
            make_event=denied,
        ),
        Lines(start, end + 60, EVERY_NODE, lines),
    ]
    return Cause(effects, end, EVERY_NODE)
