"""`atlas-health serve`: schedules, run history, alert state, the notification outbox and its channels,
and the service's own /healthz and /metrics."""
