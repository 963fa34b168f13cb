"""Pure analysis: checks turn a Snapshot into Findings. Public API for check authors."""

from checks.base import Check, CheckContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta
from checks.runner import SkipCheck

__all__ = ["Category", "Check", "CheckContext", "CheckMeta", "Evidence", "Finding", "Severity", "SkipCheck"]
