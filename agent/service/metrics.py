"""The service's Prometheus series (``atlas_health_*``), in a registry of their own, updated from
what each sweep and each outbox round reports."""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from agent.service.events import DeliveryReport, SweepResult

# atlas_health_up: 0 ok, 1 warning, 2 critical, 3 unknown (info counts as ok: nothing to act on).
SEVERITY_VALUE = {"ok": 0, "info": 0, "warning": 1, "critical": 2, "unknown": 3}
SEVERITIES = ("info", "warning", "critical", "unknown")
DURATION_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.up = Gauge(
            "atlas_health_up",
            "Worst severity per customer and instance or host: 0 ok, 1 warning, 2 critical, 3 unknown",
            ["customer", "instance"],
            registry=r,
        )
        self.findings = Gauge(
            "atlas_health_findings",
            "Findings of the last run by severity",
            ["customer", "severity"],
            registry=r,
        )
        self.run_duration = Histogram(
            "atlas_health_run_duration_seconds",
            "How long a sweep of a job took",
            ["job"],
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self.collection_errors = Gauge(
            "atlas_health_collection_errors", "Collection errors of the last run", ["customer"], registry=r
        )
        self.alerts_firing = Gauge("atlas_health_alerts_firing", "Alerts firing", ["customer"], registry=r)
        self.sent = Counter(
            "atlas_health_notifications_sent", "Notifications delivered", ["channel"], registry=r
        )
        self.failed = Counter(
            "atlas_health_notifications_failed", "Notification attempts that failed", ["channel"], registry=r
        )
        self.hours_left = Gauge(
            "atlas_health_hours_left", "Pay-as-you-go support hours left", ["customer"], registry=r
        )
        self.leader = Gauge("atlas_health_leader", "1 while this process holds the schedule", registry=r)
        self.runs = Counter(
            "atlas_health_runs", "Customer runs by job and status", ["job", "status"], registry=r
        )
        self._lock = threading.Lock()
        self._instances: dict[str, set[str]] = {}

    def observe_sweep(self, result: SweepResult) -> None:
        with self._lock:
            self.run_duration.labels(job=result.job_id).observe(result.duration_s)
            for run in result.runs:
                self.runs.labels(job=result.job_id, status=run.status).inc()
                if run.run_id is None:  # the slot had already been run: nothing new was seen
                    continue
                if run.worst is not None:  # checks ran (statement and failed runs judge nothing)
                    self._set_instances(run.customer, run.instances)
                    for severity in SEVERITIES:
                        count = run.findings_by_severity.get(severity, 0)
                        self.findings.labels(customer=run.customer, severity=severity).set(count)
                    self.collection_errors.labels(customer=run.customer).set(run.collection_errors)
                if run.hours_left_minutes is not None:
                    self.hours_left.labels(customer=run.customer).set(run.hours_left_minutes / 60)
            for customer, firing in result.alerts_firing.items():
                self.alerts_firing.labels(customer=customer).set(firing)

    def observe_delivery(self, report: DeliveryReport) -> None:
        with self._lock:
            for channel, count in report.sent.items():
                self.sent.labels(channel=channel).inc(count)
            for channel, count in report.failed.items():
                self.failed.labels(channel=channel).inc(count)

    def set_leader(self, leading: bool) -> None:
        self.leader.set(1 if leading else 0)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def _set_instances(self, customer: str, instances: dict[str, str]) -> None:
        # An instance that left the configuration leaves the series too.
        for gone in self._instances.get(customer, set()) - instances.keys():
            self.up.remove(customer, gone)
        for instance, worst in instances.items():
            self.up.labels(customer=customer, instance=instance).set(SEVERITY_VALUE.get(worst, 3))
        self._instances[customer] = set(instances)
