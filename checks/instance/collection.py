"""instance.collection: which data could not be read from a reachable instance, and why."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, SkipCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import describe_call, plural, source, unreachable
from checks.metadata import CheckMeta
from collectors.model import CollectionError, ErrorKind

# Covered by instance.status and instance.credentials, with more to say than a generic failure.
OWN_CHECKS = frozenset({"status", "current_user"})
# Refusals of the credentials themselves: the same answer on other calls has the same cause.
CREDENTIAL_FAILURES = frozenset({ErrorKind.UNAUTHORIZED, ErrorKind.HTML_INSTEAD_OF_JSON})
# Not a failure to read but an answer: "not clustered" is reported by instance.cluster.nodes.
ANSWERED_ELSEWHERE = frozenset({ErrorKind.NOT_CLUSTERED})

_CATEGORY = {
    ErrorKind.UNAUTHORIZED: Category.AUTHENTICATION,
    ErrorKind.FORBIDDEN: Category.AUTHENTICATION,
    ErrorKind.BUDGET_EXCEEDED: Category.PERFORMANCE,
}


def reason(error: CollectionError) -> str:
    """Why a call gave no data, in a sentence fragment that follows "Could not read X: "."""
    code = error.status_code
    kind = error.kind
    if kind is ErrorKind.SERVER_ERROR:
        return f"HTTP {code if code is not None else '5xx'} (the instance failed while answering)"
    if kind is ErrorKind.CLIENT_ERROR:
        return f"HTTP {code if code is not None else '4xx'}"
    if kind is ErrorKind.UNAUTHORIZED:
        return "HTTP 401 (the credentials were not accepted for this call)"
    if kind is ErrorKind.FORBIDDEN:
        return "HTTP 403 (the account lacks the permission; this call needs a system administrator)"
    if kind is ErrorKind.NOT_FOUND:
        return "HTTP 404 (the endpoint does not exist on this version, or the plugin serving it is disabled)"
    if kind is ErrorKind.HTML_INSTEAD_OF_JSON:
        return (
            "an HTML page came back instead of JSON (a login page, an SSO interstitial or a proxy error "
            "page answered in place of the product)"
        )
    if kind is ErrorKind.MALFORMED_JSON:
        return (
            "the answer was not valid JSON (cut short by a proxy or a timeout, or an error page served "
            "with a JSON content type)"
        )
    if kind is ErrorKind.UNEXPECTED_SHAPE:
        return "valid JSON, but not the fields expected (a different product version or API?)"
    if kind is ErrorKind.RATE_LIMITED:
        return "still rate limited (HTTP 429) after the allowed Retry-After waits"
    if kind is ErrorKind.BUDGET_EXCEEDED:
        return "the instance's time budget ran out before or during this call (calls were slow)"
    if kind is ErrorKind.TIMEOUT:
        return "no complete answer within the call timeout or deadline"
    if kind is ErrorKind.RESPONSE_TOO_LARGE:
        return "the answer was larger than settings.response_cap_mb allows"
    if kind is ErrorKind.CROSS_HOST_REDIRECT:
        return "the instance redirected to another host, which is not followed"
    return f"{kind.value.replace('_', ' ')}"


class InstanceCollection(InstanceCheck):
    meta = CheckMeta(
        id="instance.collection",
        title="Data collection",
        description=(
            "Every call that gave no usable data on a reachable instance, with the reason (HTTP code, HTML "
            "login page, malformed JSON, budget), so a missing section of the report is never silent."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        requires=(),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        down = unreachable(inst)
        if down is not None:
            raise SkipCheck(f"instance unreachable ({down.message}); instance.status reports it")
        failed = [e for e in inst.errors if e.call not in OWN_CHECKS and e.kind not in ANSWERED_ELSEWHERE]
        reported = 0
        login = inst.error_for("current_user")
        if login is not None and login.kind in CREDENTIAL_FAILURES:
            # The credentials were refused outright: the same answer on every other call is one cause,
            # reported by instance.credentials, not one warning per call.
            refused = [e for e in failed if e.kind is login.kind]
            failed = [e for e in failed if e.kind is not login.kind]
            if refused:
                reported += 1
                names = list(dict.fromkeys(describe_call(e.call) for e in refused))
                calls = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
                verb = "is" if len(names) == 1 else "are"
                yield ctx.finding(
                    Severity.INFO,
                    "Nothing else could be read with these credentials",
                    f"{plural(len(refused), 'call')} failed the same way as the credentials check "
                    f"({login.kind.value.replace('_', ' ')}), so {calls} {verb} missing from this run.",
                    evidence=[
                        Evidence(label=e.call, value=e.message, source=source(inst, e.call), time=e.at)
                        for e in refused
                    ],
                    recommendation="Fix the credentials (see instance.credentials) and run again.",
                    category=Category.AUTHENTICATION,
                    key="credentials-refused",
                )
        by_call: dict[str, list[CollectionError]] = {}
        for failure in failed:
            by_call.setdefault(failure.call, []).append(failure)
        for call, errors in by_call.items():
            reported += 1
            error = errors[0]
            what = describe_call(call)
            src = source(inst, call)
            evidence = []
            for each in errors:
                evidence += [
                    Evidence(label="error kind", value=each.kind.value, source=src, time=each.at),
                    Evidence(label="HTTP status", value=each.status_code, source=src, time=each.at),
                    Evidence(label="message", value=each.message, source=src, time=each.at),
                ]
            more = f" {plural(len(errors) - 1, 'more failure')} of the same call." if len(errors) > 1 else ""
            yield ctx.finding(
                Severity.WARNING,
                f"Could not read {what}",
                f"Could not read {what}: {reason(error)}. ({error.message}){more}",
                evidence=[Evidence(label="call", value=call, source=src, time=error.at), *evidence],
                recommendation=_advice(error),
                category=_CATEGORY.get(error.kind, Category.AVAILABILITY),
                key=call,
            )
        if reported:
            return
        others = [c for c in inst.calls if c.call not in OWN_CHECKS]
        own_failed = [e.call for e in inst.errors if e.call in OWN_CHECKS or e.kind in ANSWERED_ELSEWHERE]
        if own_failed:
            message = (
                f"The {plural(len(others), 'other call')} succeeded; the failure of "
                f"{', '.join(own_failed)} is reported by its own check."
            )
        else:
            message = f"All {plural(len(inst.calls), 'call')} succeeded."
        yield ctx.ok(
            "All data collected",
            message,
            evidence=[Evidence(label="calls", value=len(inst.calls)), Evidence(label="errors", value=0)],
        )


def _advice(error: CollectionError) -> str:
    kind = error.kind
    if kind in (ErrorKind.UNAUTHORIZED, ErrorKind.FORBIDDEN):
        return (
            "Give the agent's account the permission this call needs (ATST, licence and cluster endpoints "
            "need a system administrator), or accept that this part of the report stays empty."
        )
    if kind is ErrorKind.HTML_INSTEAD_OF_JSON:
        return "Exempt the REST API (/rest/) from SSO redirects and proxy error pages for the agent."
    if kind is ErrorKind.BUDGET_EXCEEDED:
        return "See instance.api.latency for the slow calls; raise instance_budget_s for a large instance."
    if kind is ErrorKind.RATE_LIMITED:
        return "See instance.api.rate_limit."
    if kind is ErrorKind.NOT_FOUND:
        return "Check that the plugin serving this endpoint (ATST, UPM) is installed and enabled."
    return "Call the endpoint with curl from the agent's host and read the application log at that time."
