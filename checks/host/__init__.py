"""Checks of the machines the products run on (host scope: one run per collected host)."""
