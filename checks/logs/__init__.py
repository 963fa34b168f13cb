"""Checks of what the logs said (logs scope: one run per customer's log analysis; checks/scopes/logs.py)."""
