"""What support work can be logged as, and which package of the support offering covers it.

Standard pay-as-you-go covers the first group; the Administration add-on adds the second; upgrade
work draws on the Annual Upgrades bucket before the PAYG balance; an on-site health check uses the
Annual Health Check day. Automated reports the agent writes are standard remote support.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agent.ledger.errors import InvalidInputError


class Package(StrEnum):
    STANDARD = "standard"
    ADMINISTRATION = "administration"
    UPGRADES = "upgrades"
    HEALTH_CHECK = "health_check"

    @property
    def label(self) -> str:
        return PACKAGE_LABELS[self]


PACKAGE_LABELS = {
    Package.STANDARD: "Standard PAYG",
    Package.ADMINISTRATION: "Administration add-on",
    Package.UPGRADES: "Annual Upgrades add-on (then PAYG)",
    Package.HEALTH_CHECK: "Annual Health Check add-on (then PAYG)",
}


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    package: Package


ACTIVITIES: tuple[Activity, ...] = (
    Activity("support", "Application support and guidance", Package.STANDARD),
    Activity("incident", "Incident break-fix", Package.STANDARD),
    Activity("marketplace_support", "Support and guidance for verified Marketplace apps", Package.STANDARD),
    Activity("post_incident", "Post-incident investigation", Package.STANDARD),
    Activity("remote", "Remote support", Package.STANDARD),
    Activity("major_incident", "Major incident assistance", Package.STANDARD),
    Activity("report", "Automated report written by atlas-health", Package.STANDARD),
    Activity(
        "administration",
        "Application administration (dashboards, users, schemes, mail, workflows, custom fields)",
        Package.ADMINISTRATION,
    ),
    Activity(
        "marketplace_maintenance",
        "Marketplace app maintenance (install, configure, upgrade, scoping)",
        Package.ADMINISTRATION,
    ),
    Activity("vendor_escalation", "Vendor escalation with issue management", Package.ADMINISTRATION),
    Activity(
        "request_fulfilment",
        "Application request fulfilment (spaces, projects, repos, users, configuration)",
        Package.ADMINISTRATION,
    ),
    Activity("upgrade", "Major upgrade consultancy", Package.UPGRADES),
    Activity("health_check", "On-site health check", Package.HEALTH_CHECK),
)
BY_ID = {a.id: a for a in ACTIVITIES}
REPORT_ACTIVITY = "report"


class UnknownActivityError(InvalidInputError):
    pass


def activity(activity_id: str) -> Activity:
    try:
        return BY_ID[activity_id]
    except KeyError:
        known = ", ".join(BY_ID)
        raise UnknownActivityError(
            f"unknown activity {activity_id!r}; use one of: {known} (see `atlas-health hours activities`)"
        ) from None


def title(activity_id: str) -> str:
    """The activity's title, or its id when a later version of the catalogue dropped it."""
    found = BY_ID.get(activity_id)
    return found.title if found else activity_id
