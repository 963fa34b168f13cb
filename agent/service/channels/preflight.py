"""Before the service starts: every channel's secret is there (else it refuses to start), and every
channel's server answers on its port (else a warning: it may be down for a moment, the outbox retries)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from agent.config.service_schema import Alerts, EmailChannel, JiraChannel
from agent.service.channels import build_sender
from agent.service.channels.base import CredentialError
from agent.service.channels.credentials import channel_where


def channel_problems(
    alerts: Alerts, base_dir: Path, env: Mapping[str, str], probe_seconds: float = 3.0
) -> tuple[list[str], list[str]]:
    """(errors, warnings), one line each: errors are missing credentials (and a missing CA bundle),
    warnings unreachable hosts."""
    errors: list[str] = []
    probes: list[tuple[str, str, int]] = []
    for index, (name, channel) in enumerate(alerts.named_channels()):
        try:
            build_sender(index, name, channel, base_dir, env)
        except CredentialError as exc:
            errors.append(str(exc))
        if isinstance(channel, JiraChannel) and channel.ca_bundle is not None:
            bundle = channel.ca_bundle if channel.ca_bundle.is_absolute() else base_dir / channel.ca_bundle
            if not bundle.is_file():
                errors.append(f"{channel_where(index, name)}: ca_bundle {bundle} is not a file; fix the path")
        if isinstance(channel, EmailChannel):
            probes.append((channel_where(index, name), channel.host, channel.port))
        else:
            url = urlsplit(channel.url)
            port = url.port or (443 if url.scheme == "https" else 80)
            probes.append((channel_where(index, name), url.hostname or "", port))
    warnings: list[str] = []
    if probes:
        with ThreadPoolExecutor(max_workers=min(16, len(probes))) as pool:
            answers = list(pool.map(lambda p: _unreachable(p[1], p[2], probe_seconds), probes))
        for (where, host, port), reason in zip(probes, answers, strict=True):
            if reason is not None:
                warnings.append(
                    f"{where}: {host}:{port} is not reachable ({reason}); notifications wait until it is"
                )
    return errors, warnings


def _unreachable(host: str, port: int, seconds: float) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=seconds):
            return None
    except TimeoutError:
        return f"no answer within {seconds:g}s"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
