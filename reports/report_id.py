"""Stable report ids: the same collection reported for the same customer always gets the same id.

The hours ledger records one entry per report id, so analysing a bundle again (or replaying a run)
never bills the same report twice, while every new collection is a new report.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)  # a naive time from an old bundle is UTC
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def report_id(kind: str, customer: str, *moments: datetime) -> str:
    """``<kind>-<24 hex digits>`` from the kind, the customer and the moments that identify the run."""
    material = "\n".join([kind, customer, *(_utc(m) for m in moments)])
    return f"{kind}-{hashlib.sha256(material.encode('utf-8')).hexdigest()[:24]}"


def health_check_report_id(customer: str, collection_started: datetime, collection_finished: datetime) -> str:
    """The id of the health-check report of one customer's part of one collection (live or a bundle)."""
    return report_id("hc", customer, collection_started, collection_finished)
