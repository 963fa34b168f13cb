"""instance.status: is the instance up and serving, according to its unauthenticated /status?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import product_name, source
from checks.metadata import CheckMeta
from checks.scopes.instance import TRANSPORT_FAILURES
from collectors.model import CollectionError, ErrorKind, InstanceSnapshot
from collectors.products import Product

JIRA_STATUS_KB = "https://support.atlassian.com/jira/kb/jira-status-endpoint-response-meanings/"

_TRANSPORT_ADVICE = {
    ErrorKind.CONNECTION_REFUSED: (
        "Nothing accepts connections on that host and port: check that the application (Tomcat) is "
        "running and that the proxy or load balancer points at the right port."
    ),
    ErrorKind.DNS: "The host name does not resolve: check the configured URL and the agent's DNS.",
    ErrorKind.TLS: (
        "The TLS handshake failed: the certificate may have expired, not match the host name, or be "
        "signed by a CA the agent does not trust (set verify_tls to the CA bundle)."
    ),
    ErrorKind.TIMEOUT: (
        "No answer within the timeout: the instance may be overloaded or hung (take thread dumps on the "
        "nodes), or a firewall drops the packets."
    ),
    ErrorKind.CONNECTION: (
        "The connection was reset or aborted: check the reverse proxy or load balancer in front of the "
        "instance and its logs."
    ),
}


class InstanceStatus(InstanceCheck):
    meta = CheckMeta(
        id="instance.status",
        title="Instance status",
        description=(
            "Reads the unauthenticated /status endpoint that load balancers use: the instance must answer "
            "HTTP 200 with state RUNNING. Explains transport failures (refused, DNS, TLS, timeout), "
            "5xx answers, HTML pages in place of the JSON, and every documented state."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.CRITICAL,
        requires=(),
        references=(JIRA_STATUS_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        status = inst.status
        error = inst.error_for("status")
        evidence = _evidence(ctx, error)
        state = (status.state or "").strip().upper() if status is not None else ""
        http = _http_code(inst, error)
        product = product_name(inst)

        if state:
            yield _from_state(ctx, state, http, product, evidence)
        elif error is not None:
            yield _from_error(ctx, error, product, evidence)
        elif http is not None and http >= 500:
            yield ctx.finding(
                Severity.CRITICAL,
                f"{product} answers HTTP {http} on /status",
                f"/status answered HTTP {http} without a state: the application is not serving.",
                evidence=evidence,
                recommendation="Check the application log and that the application started.",
            )
        else:
            yield ctx.finding(
                Severity.UNKNOWN,
                "Instance status unknown",
                "/status was not collected and no error was recorded for it.",
                evidence=evidence,
                recommendation="Re-run the collection; if this persists, report it with the bundle.",
            )


def _http_code(inst: InstanceSnapshot, error: CollectionError | None) -> int | None:
    if inst.status is not None and inst.status.http_status is not None:
        return inst.status.http_status
    if error is not None and error.status_code is not None:
        return error.status_code
    record = inst.call("status")
    return record.status_code if record is not None else None


def _evidence(ctx: InstanceContext, error: CollectionError | None) -> list[Evidence]:
    inst = ctx.instance
    src = source(inst, "status")
    record = inst.call("status")
    at = record.started_at if record is not None else (error.at if error is not None else None)
    state = inst.status.state if inst.status is not None else None
    items = [
        Evidence(label="state", value=state, source=src, time=at),
        Evidence(label="HTTP status", value=_http_code(inst, error), source=src, time=at),
    ]
    if record is not None:
        items.append(Evidence(label="elapsed ms", value=round(record.elapsed_ms, 1), source=src, time=at))
    if error is not None:
        value = f"{error.kind.value}: {error.message}"
        items.append(Evidence(label="error", value=value, source=src, time=at))
    return items


def _from_state(
    ctx: InstanceContext, state: str, http: int | None, product: str, evidence: list[Evidence]
) -> Finding:
    is_jira = ctx.instance.product is Product.JIRA
    code = f" (HTTP {http})" if http is not None else ""
    if state == "RUNNING":
        if http is None or 200 <= http < 300:
            return ctx.ok(f"{product} is running", f"/status reports RUNNING{code}.", evidence=evidence)
        return ctx.finding(
            Severity.WARNING,
            f"{product} reports RUNNING but answers HTTP {http}",
            f"/status says RUNNING but with HTTP {http}: a load balancer health check would take the "
            "node out of service.",
            evidence=evidence,
            recommendation="Check the reverse proxy in front of /status and the application log.",
        )
    if state in ("STARTING", "STOPPING"):
        verb = "starting up" if state == "STARTING" else "shutting down"
        return ctx.finding(
            Severity.WARNING,
            f"{product} is {verb}",
            f"/status reports {state}{code}: the instance is {verb} and does not serve users yet."
            if state == "STARTING"
            else f"/status reports {state}{code}: the instance is {verb}.",
            evidence=evidence,
            recommendation=(
                "Re-check in a few minutes. If it stays in this state, read the application log for what "
                "the start-up (or shutdown) waits on."
            ),
        )
    if state == "FIRST_RUN":
        return ctx.finding(
            Severity.WARNING,
            f"{product} setup is not finished",
            f"/status reports FIRST_RUN{code}: the setup wizard has not been completed, so the instance has "
            "no configuration (database, licence, administrator) yet.",
            evidence=evidence,
            recommendation="Complete the setup wizard, or check that the right home directory is in use.",
        )
    if state == "MAINTENANCE":
        if is_jira:
            return ctx.finding(
                Severity.CRITICAL,
                "Jira start-up is delayed (MAINTENANCE)",
                f"/status reports MAINTENANCE{code}: Jira's start-up is held up, typically by a reindex or "
                "upgrade tasks, and it does not serve users.",
                evidence=evidence,
                recommendation=(
                    "Follow the reindex or upgrade progress in atlassian-jira.log; do not restart the node "
                    "in the middle of it."
                ),
            )
        return ctx.finding(
            Severity.WARNING,
            f"{product} is in maintenance mode",
            f"/status reports MAINTENANCE{code}: the instance is in maintenance mode (for example a "
            "backup, migration or upgrade) and may refuse changes.",
            evidence=evidence,
            recommendation="Check with the administrators whether maintenance is planned and when it ends.",
        )
    if state == "ERROR":
        where = (
            'Jira is locked at start-up: look in atlassian-jira.log for "Startup check failed" and the '
            "reason that follows it (database, home directory lock, licence, plugins)."
            if is_jira
            else "Read the application log for the start-up error."
        )
        return ctx.finding(
            Severity.CRITICAL,
            f"{product} failed to start (ERROR)",
            f"/status reports ERROR{code}: the instance did not start and does not serve users.",
            evidence=evidence,
            recommendation=where,
        )
    if state == "PAUSED":
        return ctx.finding(
            Severity.WARNING,
            f"{product} is paused",
            f"/status reports PAUSED{code}: the server is paused, so builds are not dispatched to agents.",
            evidence=evidence,
            recommendation="Resume the server (Administration > Pause server) unless the pause is planned.",
        )
    return ctx.finding(
        Severity.UNKNOWN,
        f"{product} reports an unrecognised state",
        f"/status reports {state!r}{code}, a state this check does not know.",
        evidence=evidence,
        recommendation="Check the product documentation for this state; report it so the check learns it.",
    )


def _from_error(
    ctx: InstanceContext, error: CollectionError, product: str, evidence: list[Evidence]
) -> Finding:
    url = ctx.instance.url
    if error.kind in TRANSPORT_FAILURES:
        return ctx.finding(
            Severity.CRITICAL,
            f"{product} is unreachable",
            f"{url} could not be reached ({error.kind.value.replace('_', ' ')}): {error.message}",
            evidence=evidence,
            recommendation=_TRANSPORT_ADVICE[error.kind],
        )
    if error.kind is ErrorKind.SERVER_ERROR:
        code = error.status_code if error.status_code is not None else "5xx"
        return ctx.finding(
            Severity.CRITICAL,
            f"{product} answers HTTP {code} on /status",
            f"/status answered HTTP {code} without a state: {error.message}",
            evidence=evidence,
            recommendation=(
                "A 502/503/504 usually comes from the proxy when the application behind it is down or "
                "overloaded; a 500 from the application itself. Check both logs."
            ),
        )
    if error.kind is ErrorKind.HTML_INSTEAD_OF_JSON:
        return ctx.finding(
            Severity.WARNING,
            "/status answers with an HTML page",
            f"/status returned an HTML page instead of JSON: a reverse proxy, SSO gateway or maintenance "
            f"page answers in place of {product}. ({error.message})",
            evidence=evidence,
            recommendation=(
                "Let /status through to the application unauthenticated: load balancers rely on it, and "
                "so does this agent."
            ),
        )
    return ctx.finding(
        Severity.UNKNOWN,
        "Instance status could not be read",
        f"/status could not be read ({error.kind.value.replace('_', ' ')}): {error.message}",
        evidence=evidence,
        recommendation=(
            "Check the configured base URL, including the context path (for example /jira or /confluence)."
            if error.kind is ErrorKind.NOT_FOUND
            else "Check the answer of /status in a browser or with curl from the agent's host."
        ),
    )
