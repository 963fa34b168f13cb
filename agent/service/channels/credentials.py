"""A channel's secret, read from the environment or a file at start-up and never logged."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agent.config.secret_file_mode import warn_if_others_can_read
from agent.config.secret_files import read_secret_file
from agent.service.channels.base import CredentialError
from collectors.regular_file import RefusedFile


def read_secret(
    where: str,
    env_key: str,
    env_name: str | None,
    file_key: str,
    file: Path | None,
    base_dir: Path,
    env: Mapping[str, str],
) -> str | None:
    """The secret named by ``env_name`` or found in ``file`` (relative to base_dir); None if neither.

    ``where`` names the channel in messages, e.g. ``service.alerts.channels[1] (mail)``.
    """
    if env_name is not None:
        value = env.get(env_name)
        if value is None:
            raise CredentialError(f"{where}: {env_key} {env_name} is not set (export it before running)")
        if not value.strip():
            raise CredentialError(f"{where}: {env_key} {env_name} is empty (export the secret in it)")
        return value.strip()
    if file is not None:
        path = file if file.is_absolute() else base_dir / file
        try:
            text = read_secret_file(path)
        except RefusedFile as exc:
            raise CredentialError(f"{where}: {file_key} {path} {exc.problem}") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror or str(exc)
            raise CredentialError(
                f"{where}: {file_key} {path} cannot be read ({reason}); create it or fix the path"
            ) from None
        warn_if_others_can_read(path, f"{where}: {file_key}")
        if not text.strip():
            raise CredentialError(f"{where}: {file_key} {path} is empty (put the secret in it)")
        return text.strip()
    return None


def channel_where(index: int, name: str) -> str:
    return f"service.alerts.channels[{index}] ({name})"
