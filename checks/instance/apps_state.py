"""instance.apps.state: user-installed apps that failed to load, are disabled or wait for a restart."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural, source
from checks.metadata import CheckMeta
from collectors.model import App


def app_label(app: App) -> str:
    version = f" {app.version}" if app.version else ""
    vendor = f" by {app.vendor}" if app.vendor else ""
    return f"{app.name or app.key}{version}{vendor}"


class InstanceAppsState(InstanceCheck):
    meta = CheckMeta(
        id="instance.apps.state",
        title="Apps state",
        description=(
            "Looks at every user-installed app (Universal Plugin Manager): one that failed to load breaks "
            "the features built on it; a disabled one may be forgotten; one waiting for a restart is "
            "half-installed."
        ),
        category=Category.CONFIGURATION,
        default_severity=Severity.WARNING,
        requires=("apps",),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        src = source(inst, "apps")
        user_apps = [a for a in inst.apps or [] if a.user_installed]
        problems = 0
        for app in user_apps:
            evidence = [
                Evidence(label="app key", value=app.key, source=src, time=ctx.now),
                Evidence(label="version", value=app.version, source=src, time=ctx.now),
                Evidence(label="vendor", value=app.vendor, source=src, time=ctx.now),
                Evidence(label="enabled", value=app.enabled, source=src, time=ctx.now),
                Evidence(label="unloadable", value=app.unloadable, source=src, time=ctx.now),
                Evidence(label="restart required", value=app.restart_required, source=src, time=ctx.now),
            ]
            label = app_label(app)
            if app.unloadable:
                problems += 1
                yield ctx.finding(
                    Severity.CRITICAL,
                    f"App failed to load: {app.name or app.key}",
                    f"{label} failed to load: its features are unavailable"
                    + (" and reports unrecognised module types." if app.unrecognised_module_types else "."),
                    evidence=evidence,
                    recommendation=(
                        "Search the application log for the app key at start-up for the cause (often an "
                        "incompatible version after an upgrade); update the app to a version compatible "
                        "with this release or remove it."
                    ),
                    key=app.key,
                )
            elif not app.enabled:
                problems += 1
                yield ctx.finding(
                    Severity.WARNING,
                    f"App disabled: {app.name or app.key}",
                    f"{label} is installed but disabled.",
                    evidence=evidence,
                    recommendation=(
                        "If it is no longer needed, uninstall it (a disabled app still costs upgrade testing "
                        "and licence); otherwise enable it and check why it was disabled."
                    ),
                    key=app.key,
                )
            elif app.restart_required:
                problems += 1
                yield ctx.finding(
                    Severity.INFO,
                    f"App waits for a restart: {app.name or app.key}",
                    f"{label} needs a restart to finish its change ({app.restart_required}).",
                    evidence=evidence,
                    recommendation="Restart the instance (node by node in a cluster) when convenient.",
                    key=app.key,
                )
        if problems:
            return
        message = (
            f"All {plural(len(user_apps), 'user-installed app')} are enabled and loaded."
            if user_apps
            else "No user-installed apps."
        )
        yield ctx.ok(
            "Apps enabled",
            message,
            evidence=[
                Evidence(label="user-installed apps", value=len(user_apps), source=src, time=ctx.now),
                Evidence(label="all apps", value=len(inst.apps or []), source=src, time=ctx.now),
            ],
        )
