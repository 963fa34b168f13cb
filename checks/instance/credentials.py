"""instance.credentials: do the configured credentials work against the instance's API?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, SkipCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import source, unreachable
from checks.metadata import CheckMeta
from collectors.model import ErrorKind


class InstanceCredentials(InstanceCheck):
    meta = CheckMeta(
        id="instance.credentials",
        title="API credentials",
        description=(
            "Asks the instance who the configured credentials authenticate as. Rejected (401), forbidden "
            "(403) or intercepted (an HTML login or SSO page) credentials leave every other check "
            "without data."
        ),
        category=Category.AUTHENTICATION,
        default_severity=Severity.CRITICAL,
        requires=(),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        down = unreachable(inst)
        if down is not None:
            raise SkipCheck(f"instance unreachable ({down.message})")
        user = inst.current_user
        error = inst.error_for("current_user")
        src = source(inst, "current_user")
        record = inst.call("current_user")
        at = record.started_at if record is not None else (error.at if error is not None else None)

        if user is not None and user.authenticated:
            who = user.display_name or user.username or user.account_id or "an unnamed user"
            ident = user.username or user.account_id
            label = f"{who} ({ident})" if ident and ident != who else who
            yield ctx.ok(
                "Credentials accepted",
                f"The API authenticated the agent as {label}.",
                evidence=[
                    Evidence(label="display name", value=user.display_name, source=src, time=at),
                    Evidence(label="username", value=user.username or user.account_id, source=src, time=at),
                ],
            )
            return
        if user is not None:
            yield ctx.finding(
                Severity.CRITICAL,
                "Requests are treated as anonymous",
                "The instance answered the current-user call as an anonymous user: the configured "
                "credentials were not applied or not recognised.",
                evidence=[Evidence(label="authenticated", value=False, source=src, time=at)],
                recommendation=(
                    "Check that credentials are configured for this instance (token or user and password) "
                    "and that no proxy strips the Authorization header."
                ),
            )
            return
        if error is None:
            raise SkipCheck("the current user was not collected")

        evidence = [
            Evidence(label="error", value=f"{error.kind.value}: {error.message}", source=src, time=at),
            Evidence(label="HTTP status", value=error.status_code, source=src, time=at),
        ]
        if error.kind is ErrorKind.UNAUTHORIZED:
            yield ctx.finding(
                Severity.CRITICAL,
                "Credentials rejected",
                f"The instance rejected the configured credentials (HTTP 401): {error.message}",
                evidence=evidence,
                recommendation=(
                    "Check the token or password and whether it has expired (personal access tokens carry "
                    "an expiry date) or the account was deactivated; on Cloud use the account e-mail with "
                    "an API token."
                ),
            )
        elif error.kind is ErrorKind.FORBIDDEN:
            yield ctx.finding(
                Severity.CRITICAL,
                "Credentials forbidden",
                f"The instance refused the agent's account (HTTP 403): {error.message}",
                evidence=evidence,
                recommendation=(
                    "After repeated failed logins Jira and Confluence demand a CAPTCHA: log in once in a "
                    "browser as this account to clear it. Otherwise check that the account is active and "
                    "has application access."
                ),
            )
        elif error.kind is ErrorKind.HTML_INSTEAD_OF_JSON:
            yield ctx.finding(
                Severity.CRITICAL,
                "Login page instead of the API",
                "The current-user call returned an HTML page, most likely a login page: the credentials "
                "were not accepted, or an SSO gateway intercepts API calls before they reach the product.",
                evidence=evidence,
                recommendation=(
                    "Exempt /rest/ from the SSO redirect for token or basic authentication, and check that "
                    "the credentials work with curl from the agent's host."
                ),
            )
        else:
            yield ctx.finding(
                Severity.UNKNOWN,
                "Could not verify credentials",
                f"The current-user call failed ({error.kind.value.replace('_', ' ')}), so whether the "
                f"credentials work is unknown: {error.message}",
                evidence=evidence,
                recommendation="See instance.collection for the failure; re-run once it is resolved.",
            )
