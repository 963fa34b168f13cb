"""Forecasts from the history the service attaches to a subject: pure functions, no I/O."""
