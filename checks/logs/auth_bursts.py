"""logs.auth.bursts: bursts of failed logins in the security log.

A brute-force burst (one address failing against many users, or many addresses failing against one
user) and a password-guessing burst (one address failing again and again against one account or a
few) are warnings, critical from ``critical_failures`` failures or when a login from that address
(as that user) also passed in the window: an attack that may have worked. A stale-password burst
(one user failing steadily from the same few places: a service or integration with an old password)
is a warning: it locks the account behind a CAPTCHA and breaks the integration.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._common import (
    KB_CAPTCHA,
    KB_RESET_LOGIN_COUNT,
    KB_SECURITY_LOG,
    duration,
    listing,
    sources,
    when,
)
from checks.metadata import CheckMeta
from collectors.logs.model import AuthBurst, AuthFailures, SecuritySummary

BRUTE_FORCE = "brute-force"
PASSWORD_GUESSING = "password-guessing"
STALE_PASSWORD = "stale-password"


def _entry(entries: list[AuthFailures], name: str) -> AuthFailures | None:
    return next((e for e in entries if e.name == name), None)


class LogsAuthBursts(LogsCheck):
    meta = CheckMeta(
        id="logs.auth.bursts",
        title="Bursts of failed logins",
        description=(
            "Failed logins close together in the security log: one address trying many users (brute force), "
            "one address guessing one account's password again and again, or one user failing steadily "
            "from the same places (a service with a stale password)."
        ),
        category=Category.SECURITY,
        default_severity=Severity.WARNING,
        requires=("security",),
        thresholds={"critical_failures": 100},
        references=(KB_SECURITY_LOG, KB_CAPTCHA, KB_RESET_LOGIN_COUNT),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        security = collected(ctx.logs.security, "security log")
        if not security.bursts:
            yield ctx.ok(
                "No burst of failed logins",
                f"The security log shows {security.failed:,} failed and {security.passed:,} passed logins in "
                "the window, with no burst from one address or against one user.",
                evidence=[
                    Evidence(label="failed logins", value=security.failed, source="security log"),
                    Evidence(label="passed logins", value=security.passed, source="security log"),
                ],
                key="none",
            )
            return
        for burst in sorted(security.bursts, key=lambda b: (b.start, b.kind, b.subject)):
            yield self._burst(ctx, burst, security)

    def _burst(self, ctx: LogsContext, burst: AuthBurst, security: SecuritySummary) -> Finding:
        window = (
            f"between {when(burst.start, seconds=True)} and {when(burst.end, seconds=True)} "
            f"({duration((burst.end - burst.start).total_seconds())})"
        )
        nodes = f" on {listing(burst.nodes)}" if burst.nodes else ""
        source = f"security log of {sources(burst.nodes)}" if burst.nodes else "security log"
        evidence = [
            Evidence(
                label="burst start", value=when(burst.start, seconds=True), source=source, time=burst.start
            ),
            Evidence(label="burst end", value=when(burst.end, seconds=True), source=source, time=burst.end),
            Evidence(label="failed logins", value=burst.failures, source=source, time=burst.end),
            Evidence(label="users", value=", ".join(burst.users), source=source),
            Evidence(label="addresses", value=", ".join(burst.addresses), source=source),
        ]
        key = f"{burst.kind}:{burst.subject}"
        if burst.kind == STALE_PASSWORD:
            places = listing(burst.addresses) or "unknown addresses"
            return ctx.finding(
                Severity.WARNING,
                f"Logins as {burst.subject} keep failing",
                f"{burst.subject} failed to log in {burst.failures:,} times from {places} {window}{nodes}: "
                "steady failures from the same places look like a service or integration still using an old "
                "password. After too many failures the account must answer a CAPTCHA, which no script can.",
                evidence=evidence,
                recommendation=(
                    f"Find what logs in as {burst.subject} from {places} (a build server, mail handler, "
                    "script or app link) and update its stored password, better a personal access token; "
                    "then reset the user's failed login count in User management."
                ),
                key=key,
                category=Category.AUTHENTICATION,
            )
        if burst.kind == PASSWORD_GUESSING:
            return self._guessing(ctx, burst, security, window, nodes, evidence, source)
        if burst.subject in burst.users and burst.subject not in burst.addresses:
            return self._spraying(ctx, burst, security, window, nodes, evidence, source)
        address = _entry(security.by_address, burst.subject)
        passed = address.passed if address is not None else 0
        if address is not None:
            evidence.append(
                Evidence(
                    label=f"logins from {burst.subject} that passed",
                    value=passed,
                    source=source,
                    time=address.last_at,
                )
            )
        targets = listing(burst.users, 8) or "unknown users"
        kind = "a brute-force attempt" if burst.kind == BRUTE_FORCE else f"a {burst.kind} burst"
        succeeded = (
            f" {passed:,} login(s) from the same address PASSED in the window: check whether an "
            "account was taken over."
            if passed
            else ""
        )
        return ctx.finding(
            self._severity(ctx, burst, passed),
            f"{burst.failures:,} failed logins from {burst.subject}",
            f"{burst.subject} failed {burst.failures:,} logins against {len(burst.users)} user(s) "
            f"({targets}) {window}{nodes}: this looks like {kind} (critical from "
            f"{ctx.threshold('critical_failures'):g} failures or any passed login from it).{succeeded}",
            evidence=evidence,
            recommendation=(
                f"If {burst.subject} is not yours, block or rate-limit it at the proxy or firewall. Keep the "
                "CAPTCHA after failed logins on (Jira: Maximum Authentication Attempts Allowed in General "
                "configuration), and check in the security and access logs whether any targeted account then "
                "logged in from that address; if so, reset its password and sessions. If the address is your "
                "own proxy, the real clients are hidden behind it: read its logs."
            ),
            key=key,
        )

    def _guessing(
        self,
        ctx: LogsContext,
        burst: AuthBurst,
        security: SecuritySummary,
        window: str,
        nodes: str,
        evidence: list[Evidence],
        source: str,
    ) -> Finding:
        """One address failing again and again against one account (or a few): a password guessed."""
        address = _entry(security.by_address, burst.subject)
        passed = address.passed if address is not None else 0
        if address is not None:
            evidence.append(
                Evidence(
                    label=f"logins from {burst.subject} that passed",
                    value=passed,
                    source=source,
                    time=address.last_at,
                )
            )
        accounts = listing(burst.users) or "unknown users"
        whose = "that account" if len(burst.users) <= 1 else "these accounts"
        succeeded = (
            f" {passed:,} login(s) from the same address PASSED in the window: check whether the "
            "password was guessed."
            if passed
            else ""
        )
        return ctx.finding(
            self._severity(ctx, burst, passed),
            f"{burst.failures:,} failed logins as {accounts} from {burst.subject}",
            f"{burst.subject} failed {burst.failures:,} logins as {accounts} {window}{nodes}: this looks "
            f"like someone guessing the password of {whose}, far faster than a person mistyping or a service "
            f"retrying an old password (critical from {ctx.threshold('critical_failures'):g} failures or "
            f"any passed login from it).{succeeded}",
            evidence=evidence,
            recommendation=(
                f"If {burst.subject} is not yours, block or rate-limit it at the proxy or firewall. Give "
                f"{accounts} a strong password (or SSO-only login) and keep the CAPTCHA after "
                "failed logins on (Jira: Maximum Authentication Attempts Allowed in General configuration). "
                "If a login from that address passed, reset the password and end the account's sessions. If "
                "the address is your own proxy, the real client is hidden behind it: read its logs."
            ),
            key=f"{burst.kind}:{burst.subject}",
        )

    def _spraying(
        self,
        ctx: LogsContext,
        burst: AuthBurst,
        security: SecuritySummary,
        window: str,
        nodes: str,
        evidence: list[Evidence],
        source: str,
    ) -> Finding:
        """A brute-force burst whose subject is a user: many addresses guessing at one account."""
        user = _entry(security.by_user, burst.subject)
        passed = user.passed if user is not None else 0
        if user is not None:
            evidence.append(
                Evidence(
                    label=f"logins as {burst.subject} that passed",
                    value=passed,
                    source=source,
                    time=user.last_at,
                )
            )
        places = listing(burst.addresses, 8) or "unknown addresses"
        succeeded = (
            f" {passed:,} login(s) as {burst.subject} PASSED in the window: check whether the "
            "account was taken over."
            if passed
            else ""
        )
        return ctx.finding(
            self._severity(ctx, burst, passed),
            f"{burst.failures:,} failed logins as {burst.subject}",
            f"{burst.subject} failed to log in {burst.failures:,} times from {len(burst.addresses)} "
            f"addresses ({places}) {window}{nodes}: this looks like a distributed guess at one account "
            f"(critical from {ctx.threshold('critical_failures'):g} failures or any passed login as "
            f"{burst.subject}).{succeeded}",
            evidence=evidence,
            recommendation=(
                f"Make sure {burst.subject} has a strong password (or logs in through SSO only) and keep "
                "the CAPTCHA after failed logins on; block the addresses at the proxy if they are not yours. "
                "If a login as this user passed during the burst, reset its password and end its sessions."
            ),
            key=f"{burst.kind}:{burst.subject}",
        )

    @staticmethod
    def _severity(ctx: LogsContext, burst: AuthBurst, passed: int) -> Severity:
        many = burst.failures >= ctx.threshold("critical_failures")
        return Severity.CRITICAL if many or passed > 0 else Severity.WARNING
