"""Payloads Jira and Confluence share: /status, ATST health checks, the UPM plugin list, and helpers."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from collectors.model import Product
from sandbox.exchange import Call, Response, Route, json_response, not_found, route
from sandbox.spec import Fault, InstanceSpec

# /status answers per the Jira KB "status endpoint response meanings"; any other state is 200.
_STATUS_CODES = {"MAINTENANCE": 503, "ERROR": 500}


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def atlassian_iso(moment: datetime) -> str:
    """Jira's date format, e.g. 2024-05-01T10:00:00.000+0000 (moments are UTC here)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def version_numbers(version: str) -> list[int]:
    """[major, minor, patch] from "9.12.2"; missing or non-numeric parts count as 0."""
    parts = [int(p) if p.isdigit() else 0 for p in version.split(".")[:3]]
    return parts + [0] * (3 - len(parts))


def organisation(spec: InstanceSpec) -> str:
    """The licensee: the customer part of the instance name ("acme-jira" -> "Acme")."""
    return spec.name.split("-")[0].title()


def stable_digits(spec: InstanceSpec, salt: str, digits: int = 8) -> str:
    """Per-instance identifiers (SEN, keys) that stay the same across runs."""
    return f"{zlib.crc32(f'{salt}:{spec.name}'.encode()) % 10**digits:0{digits}d}"


def email(spec: InstanceSpec) -> str:
    return spec.username if "@" in spec.username else f"{spec.username}@example.com"


def node_ids(spec: InstanceSpec) -> list[str]:
    return [f"node{i}" for i in range(1, spec.nodes + 1)]


def licence_expiry(call: Call) -> tuple[datetime, bool]:
    """(expiry, expired) after the licence faults."""
    faults = call.spec.faults
    if Fault.LICENSE_EXPIRED in faults:
        return call.now - timedelta(days=3), True
    days = 5 if Fault.LICENSE_EXPIRING in faults else call.spec.license_days
    expiry = call.now + timedelta(days=days)
    return expiry, expiry <= call.now


def status(call: Call) -> Response:
    state = call.spec.state
    return json_response({"state": state}, _STATUS_CODES.get(state, 200))


@dataclass(frozen=True)
class _HealthCheck:
    key: str  # completeKey
    name: str
    description: str
    tag: str
    documentation: str
    ok_reason: str
    fail_severity: str | None = None  # set for the checks ATST_FAILING turns red
    fail_reason: str = ""


_JIRA_HC = "com.atlassian.jira.plugins.jira-healthcheck-plugin"
_ATST_JIRA = "com.atlassian.troubleshooting.plugin-jira"
_ATST_CONF = "com.atlassian.troubleshooting.plugin-confluence"
_KB = "https://confluence.atlassian.com"


def _shared_checks(prefix: str, product: str, spec: InstanceSpec) -> list[_HealthCheck]:
    major, minor, _ = version_numbers(spec.version)
    return [
        _HealthCheck(
            f"{prefix}:eolHealthCheck",
            "End of Life",
            f"Checks if the running version of {product} is approaching, or has reached End of Life.",
            "Supported Platforms",
            f"{_KB}/x/HjnRLg",
            f"{product} version {major}.{minor}.x has not reached End of Life. "
            "This version will reach End of Life in 540 days.",
        ),
        _HealthCheck(
            f"{prefix}:hsqlHealthCheck",
            "Embedded database",
            "Checks if the instance is connected to an HSQL or H2 database",
            "Supported Platforms",
            f"{_KB}/x/1guaEQ",
            "You are not using an HSQL or H2 embedded database with a production license.",
        ),
        _HealthCheck(
            f"{prefix}:supportedDatabaseHealthCheck",
            "Supported database",
            f"Checks if the database is supported by this version of {product}.",
            "Supported Platforms",
            f"{_KB}/x/dDdsLg",
            "PostgreSQL 15.4 is a supported database.",
            "warning",
            f"PostgreSQL 9.6 is not supported by this version of {product}. "
            "Upgrade the database to a supported version.",
        ),
        _HealthCheck(
            f"{prefix}:openFilesLimitHealthCheck",
            "Open files limit",
            "Checks that the open files limit is high enough.",
            "Operating System",
            f"{_KB}/x/Kg0vMQ",
            "The open files limit is 16384 and 1214 files are open (7%).",
        ),
    ]


def _jira_checks(spec: InstanceSpec) -> list[_HealthCheck]:
    in_index = spec.issues * 4 // 5
    return [
        *_shared_checks(_ATST_JIRA, "Jira", spec),
        _HealthCheck(
            f"{_JIRA_HC}:clusterIndexReplicationHealthCheck",
            "Cluster Index Replication",
            "Checks that index replication between the cluster nodes is up to date.",
            "Cluster",
            f"{_KB}/x/iwBxPw",
            "Index replication for all cluster nodes is up to date.",
            "critical",
            "Index replication for cluster node 'node2' is behind by 763 seconds.",
        ),
        _HealthCheck(
            f"{_JIRA_HC}:luceneSupportHealthCheck",
            "Lucene index",
            "Checks that the issue index is consistent with the database.",
            "Indexing",
            f"{_KB}/x/IwBpLg",
            "The issue index is consistent with the database.",
            "major",
            f"The issue index is inconsistent with the database state. Database has ({spec.issues}) "
            f"issues but the index has ({in_index}) issues.",
        ),
    ]


def _confluence_checks(spec: InstanceSpec) -> list[_HealthCheck]:
    return [
        *_shared_checks(_ATST_CONF, "Confluence", spec),
        _HealthCheck(
            f"{_ATST_CONF}:collationHealthCheck",
            "Database collation",
            "Checks that the database and table collations are supported.",
            "Database",
            f"{_KB}/x/rgCyLw",
            "The database collation 'utf8_bin' is supported by Confluence.",
            "critical",
            "The database collation 'latin1_swedish_ci' and table collation 'latin1_swedish_ci' "
            "are not supported by Confluence.",
        ),
        _HealthCheck(
            f"{_ATST_CONF}:gcHealthCheck",
            "Garbage collection",
            "Checks the garbage collection pauses in the current GC log.",
            "Java",
            f"{_KB}/x/8YdgLw",
            "The longest garbage collection pause in the current log was 0.4 seconds.",
            "major",
            "The longest garbage collection pause in the current log was 8.2 seconds.",
        ),
    ]


def atst_key(product: Product) -> str:
    """The ATST plugin's key: com.atlassian.troubleshooting.plugin-<product>."""
    return {Product.JIRA: _ATST_JIRA, Product.CONFLUENCE: _ATST_CONF}.get(
        product, f"com.atlassian.troubleshooting.plugin-{product.value}"
    )


def _other_checks(spec: InstanceSpec) -> list[_HealthCheck]:
    """Bitbucket, Bamboo, Crowd, Fisheye/Crucible: the shared checks plus two that fail under ATST_FAILING."""
    prefix, product = atst_key(spec.product), spec.product.label
    return [
        *_shared_checks(prefix, product, spec),
        _HealthCheck(
            f"{prefix}:baseUrlHealthCheck",
            "Base URL",
            f"Checks that the base URL {product} is configured with is the one users reach it on.",
            "Configuration",
            f"{_KB}/x/sIFKOg",
            "The base URL matches the URL in use.",
            "critical",
            "The configured base URL http://old-host.example.com does not match the URL in use.",
        ),
        _HealthCheck(
            f"{prefix}:gcHealthCheck",
            "Garbage collection",
            "Checks the garbage collection pauses in the current GC log.",
            "Java",
            f"{_KB}/x/8YdgLw",
            "The longest garbage collection pause in the current log was 0.4 seconds.",
            "major",
            "The longest garbage collection pause in the current log was 8.2 seconds.",
        ),
    ]


_PRODUCT_CHECKS = {Product.JIRA: _jira_checks, Product.CONFLUENCE: _confluence_checks}


def health_statuses(call: Call) -> dict[str, list[dict[str, object]]]:
    spec = call.spec
    product_checks = _PRODUCT_CHECKS.get(spec.product, _other_checks)
    application = "JIRA" if spec.product is Product.JIRA else spec.product.label
    failing = Fault.ATST_FAILING in spec.faults
    ran_at = epoch_ms(call.now - timedelta(minutes=2))
    statuses = []
    for index, check in enumerate(product_checks(spec)):
        fails = failing and check.fail_severity is not None
        statuses.append(
            {
                "id": index,
                "completeKey": check.key,
                "name": check.name,
                "description": check.description,
                "isHealthy": not fails,
                "healthy": not fails,
                "failureReason": check.fail_reason if fails else check.ok_reason,
                "application": application,
                "nodeId": None,
                "time": ran_at,
                "severity": check.fail_severity if fails else "undefined",
                "documentation": check.documentation,
                "tag": check.tag,
                "additionalLinks": [],
            }
        )
    return {"statuses": statuses}


def troubleshooting_check(call: Call) -> Response:
    if Fault.ATST_LEGACY_ONLY in call.spec.faults:
        return not_found()
    return json_response(health_statuses(call))


def legacy_health_check(call: Call) -> Response:
    # Current ATST keeps answering on the old STP path too, so it is served with or without the fault.
    return json_response(health_statuses(call))


@dataclass(frozen=True)
class _Plugin:
    key: str
    name: str
    version: str
    vendor: str
    vendor_link: str
    user_installed: bool = True


_SYSTEM_PLUGINS = (
    _Plugin(
        "com.atlassian.upm.atlassian-universal-plugin-manager-plugin",
        "Atlassian Universal Plugin Manager",
        "7.1.6",
        "Atlassian",
        "https://www.atlassian.com/",
        user_installed=False,
    ),
    _Plugin(
        "com.atlassian.plugins.rest.atlassian-rest-module",
        "Atlassian REST Plugin Module Type",
        "8.0.2",
        "Atlassian",
        "https://www.atlassian.com/",
        user_installed=False,
    ),
)
_USER_APPS = (
    _Plugin("com.example.timesheets", "Timesheet Tracker", "4.8.2", "Example Ltd", "https://example.com"),
    _Plugin("com.example.diagrams", "Diagram Studio", "3.2.1", "Draw Corp", "https://draw.example.org"),
    _Plugin("com.example.automation", "Flow Automation", "9.0.4", "Flowworks", "https://flow.example.net"),
)
_APP_DISABLED = "com.example.diagrams"
_APP_UNLOADABLE = "com.example.automation"


def _troubleshooting_plugin(spec: InstanceSpec) -> _Plugin:
    key = atst_key(spec.product)
    return _Plugin(
        key,
        "Atlassian Troubleshooting and Support Tools",
        "1.58.1",
        "Atlassian",
        "https://www.atlassian.com/",
        user_installed=False,
    )


def plugins(call: Call) -> Response:
    spec = call.spec
    failed = Fault.APP_FAILED in spec.faults
    listed = []
    for plugin in (*_SYSTEM_PLUGINS, _troubleshooting_plugin(spec), *_USER_APPS):
        unloadable = failed and plugin.key == _APP_UNLOADABLE
        enabled = not (failed and plugin.key in (_APP_DISABLED, _APP_UNLOADABLE))
        listed.append(
            {
                "key": plugin.key,
                "name": plugin.name,
                "version": plugin.version,
                "enabled": enabled,
                "userInstalled": plugin.user_installed,
                "optional": plugin.user_installed,
                "static": False,
                "unloadable": unloadable,
                "unrecognisedModuleTypes": False,
                "restartState": "none",
                "description": f"{plugin.name} by {plugin.vendor}.",
                "vendor": {"name": plugin.vendor, "link": plugin.vendor_link},
                "links": {"self": f"{call.context_path}/rest/plugins/1.0/{plugin.key}-key"},
            }
        )
    return json_response({"plugins": listed})


STATUS_ROUTES: list[Route] = [route("/status", status, anonymous=True)]

# ATST and UPM: Server and Data Center only (Cloud has neither).
ADMIN_ROUTES: list[Route] = [
    route("/rest/troubleshooting/1.0/check", troubleshooting_check),
    route("/rest/supportHealthCheck/1.0/check", legacy_health_check),
    route("/rest/plugins/1.0", plugins),
]
