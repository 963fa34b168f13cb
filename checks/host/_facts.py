"""Helpers shared by the host checks (no checks here): sizes, sources and the product's JVMs."""

from __future__ import annotations

from collections.abc import Iterable

from checks.base import SkipCheck
from checks.context import HostContext
from collectors.hosts.model import HostSnapshot, JvmProcess

_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB")


def size(value: float | None) -> str:
    """1.5 GiB, 512 MiB, 100 bytes; a dash when unknown."""
    if value is None:
        return "—"
    amount = float(value)
    for unit in _UNITS:
        if abs(amount) < 1024 or unit == _UNITS[-1]:
            return f"{amount:.0f} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{value} bytes"


def percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def source(host: HostSnapshot, *calls: str) -> str:
    """Where a fact came from: the command that read it over SSH, or psutil on the agent's machine."""
    for call in calls:
        record = next((c for c in host.commands if c.call == call or c.call.startswith(f"{call}.")), None)
        if record is not None:
            return f"{host.method} {host.name}: {record.command}"
    return f"psutil on {host.name}" if host.method == "local" else f"{host.method} {host.name}"


def jvm_label(jvm: JvmProcess) -> str:
    product = f"{jvm.product.title()} " if jvm.product else ""
    return f"{product}JVM (pid {jvm.pid}{', user ' + jvm.user if jvm.user else ''})"


def jvm_key(jvm: JvmProcess) -> str:
    """Stable across restarts (the pid is not): the product and main class."""
    return f"{jvm.product or 'jvm'}:{jvm.main or '?'}"


def product_jvms(ctx: HostContext) -> list[JvmProcess]:
    """The product's JVMs on the host, or SkipCheck saying why there are none to judge."""
    host = ctx.host
    jvms = host.product_jvms()
    if not jvms:
        others = len(host.jvms or [])
        extra = f" ({others} other Java process(es) running)" if others else ""
        raise SkipCheck(f"no product JVM found on this host{extra}")
    return jvms


def first_error(host: HostSnapshot, prefixes: Iterable[str]) -> str | None:
    for error in host.errors:
        if any(error.call == p or error.call.startswith(f"{p}.") or error.call.endswith(p) for p in prefixes):
            return error.message
    return None
