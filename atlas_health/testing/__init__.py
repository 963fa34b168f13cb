"""Test support for check authors: healthy snapshots to change one thing in, and ways to run a check.

    from atlas_health.testing import NOW, instance, license_, only, run_check

    def test_an_expired_licence_is_critical():
        expired = instance(licenses=[license_(expiry=NOW - timedelta(days=1))])
        assert only(run_check(MyLicenceCheck, expired)).severity is Severity.CRITICAL

- ``instance()``, ``host()``, ``analysis()`` build an instance, a host and a log analysis on which every
  built-in check passes; keyword arguments replace whole fields, the small builders make the parts.
  Every time hangs off ``NOW``, the collection time a check sees as ``ctx.now``.
- ``run_check``, ``run_host_check``, ``run_logs_check`` run one check on one subject the way the
  runner does, minus budgets and skipping (``run_any`` takes any scope's check); ``analyse`` runs
  every registered check through the real runner, with skipping, budgets and crash capture.

Installed with atlas-health as a pytest plugin (``atlas_health.testing.plugin``): its fixtures are there
in any test session, with no import.
"""

from __future__ import annotations

from atlas_health.testing.harness import (
    analyse,
    evidence,
    findings_of,
    only,
    outcome_of,
    registry,
    run_any,
    run_check,
)
from atlas_health.testing.hosts import filesystem, host, jvm, run_host_check
from atlas_health.testing.instances import (
    CUSTOMER,
    NOW,
    app,
    atst,
    call,
    error,
    index_summary,
    instance,
    license_,
    node,
    snapshot,
    unreachable,
)
from atlas_health.testing.logs import (
    access_summary,
    analysis,
    gc_summary,
    logs_snapshot,
    run_logs_check,
    security,
)

__all__ = [
    "CUSTOMER",
    "NOW",
    "access_summary",
    "analyse",
    "analysis",
    "app",
    "atst",
    "call",
    "error",
    "evidence",
    "filesystem",
    "findings_of",
    "gc_summary",
    "host",
    "index_summary",
    "instance",
    "jvm",
    "license_",
    "logs_snapshot",
    "node",
    "only",
    "outcome_of",
    "registry",
    "run_any",
    "run_check",
    "run_host_check",
    "run_logs_check",
    "security",
    "snapshot",
    "unreachable",
]
