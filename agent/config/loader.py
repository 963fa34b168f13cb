"""Load and validate a configuration: every problem reported at once, each with key path and line."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agent.config import hosts_schema, ledger_schema, schema, service_schema
from agent.config.host_secrets import HostSecrets, host_reference_problems, resolve_host_secrets
from agent.config.schema import BasicAuth, Config, Instance, TokenAuth
from agent.config.secret_file_mode import warn_if_others_can_read
from agent.config.secret_files import read_secret_file
from agent.config.service_refs import service_reference_problems
from agent.config.yaml_lines import LoadedYaml, YamlError, load_yaml
from checks.registry import Registry
from collectors.redaction import redact_urls_in
from collectors.regular_file import MIB, RefusedFile, check_regular_file, read_regular_file
from collectors.target import Credentials

INLINE_SECRET_KEYS = {"token", "password", "secret", "api_token"}
# A configuration of 200 customers, each with a few instances and hosts, is a few hundred KiB;
# ten times that is still a configuration, more is another file (and PyYAML takes seconds per MiB).
CONFIG_MAX_BYTES = 4 * MIB
CA_BUNDLE_MAX_BYTES = 16 * MIB  # the whole Mozilla bundle is about 200 KiB


@dataclass(frozen=True)
class ConfigIssue:
    path: str  # e.g. "customers[0].instances[1].auth"
    message: str
    line: int | None = None

    def __post_init__(self) -> None:
        # Messages quote the values they refuse; a refused URL may still carry a user:password@
        object.__setattr__(self, "message", redact_urls_in(self.message))

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class ConfigError(Exception):
    def __init__(self, source: str, issues: list[ConfigIssue]) -> None:
        self.source = source
        self.issues = issues
        super().__init__("\n".join(i.render(source) for i in issues))


@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    source: str
    base_dir: Path  # relative secret files and CA bundles are read from here
    credentials: dict[tuple[str, str], Credentials] = field(default_factory=dict)
    host_secrets: dict[tuple[str, str], HostSecrets] = field(default_factory=dict)  # (customer, host)
    lines: LoadedYaml | None = None  # where each key is, for problems found after loading

    def line_for(self, path: tuple[str | int, ...]) -> int | None:
        return self.lines.line_for(path) if self.lines is not None else None


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _issue(loaded: LoadedYaml, path: tuple[str | int, ...], message: str) -> ConfigIssue:
    return ConfigIssue(_dotted(path), message, loaded.line_for(path))


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for module in (schema, hosts_schema, ledger_schema, service_schema):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, BaseModel):
                names.update(obj.model_fields)
                names.update(f.alias for f in obj.model_fields.values() if f.alias)
    return names


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Drop discriminator tags pydantic inserts into locations (auth.token.token_env -> auth.token_env)."""
    path: list[str | int] = []
    current = data
    tag_skipped_at: Any = None
    for part in loc:
        if isinstance(current, dict) and current.get("type") == part and tag_skipped_at is not current:
            tag_skipped_at = current  # the tag comes first; a key of the same name may follow it
            continue
        path.append(part)
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
        else:
            current = None
    return tuple(path)


def _message(error: Mapping[str, Any], path: tuple[str | int, ...]) -> str:
    kind = error["type"]
    key = path[-1] if path else ""
    if kind == "extra_forbidden":
        if key in INLINE_SECRET_KEYS:
            return (
                f"inline secrets are not accepted: put the {key} in an environment variable or a file "
                f"and use {key if key != 'api_token' else 'token'}_env or {key}_file"
            )
        known = _all_field_names()
        if key in known:  # a real key, in the wrong place (e.g. service.channels for service.alerts.channels)
            return f"key {key!r} does not belong here; see config.example.yaml for where it goes"
        close = difflib.get_close_matches(str(key), known, n=1)
        return f"unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    if kind == "missing":
        return f"missing required key {key!r}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _tag_message(error, path)
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _tag_message(error: Mapping[str, Any], path: tuple[str | int, ...]) -> str:
    """A missing or unknown `type:` of a tagged union: an instance's auth or an alert channel."""
    ctx = error.get("ctx") or {}
    is_channel = len(path) >= 2 and path[-2] == "channels"
    what, allowed = ("channel", "webhook, email or jira") if is_channel else ("auth", "token, basic or none")
    if error["type"] == "union_tag_not_found":
        return f"missing required key 'type'; use {allowed}"
    tag = ctx.get("tag", error.get("input"))
    return f"unknown {what} type {tag!r}; use {allowed}"


def _validation_issues(exc: ValidationError, loaded: LoadedYaml) -> list[ConfigIssue]:
    issues = []
    for error in exc.errors():
        path = _data_path(tuple(error["loc"]), loaded.data)
        issues.append(_issue(loaded, path, _message(error, path)))
    return sorted(issues, key=lambda i: (i.line or 0, i.path))


def _check_references(config: Config, loaded: LoadedYaml, registry: Registry) -> list[ConfigIssue]:
    """Check ids and threshold names must exist, so a typo never silently keeps a default."""
    issues: list[ConfigIssue] = []

    def verify(thresholds: schema.Thresholds, base: tuple[str | int, ...]) -> None:
        for check_id, values in thresholds.items():
            registered = registry.get(check_id)
            path = (*base, check_id)
            if registered is None:
                issues.append(_issue(loaded, path, _unknown_check(check_id, registry)))
                continue
            known = registered.meta.thresholds
            for name in values:
                if name not in known:
                    allowed = ", ".join(sorted(known)) or "none"
                    message = f"check {check_id!r} has no threshold {name!r} (it has: {allowed})"
                    issues.append(_issue(loaded, (*path, name), message))

    for index, check_id in enumerate(config.checks.disabled):
        if registry.get(check_id) is None:
            path = ("checks", "disabled", index)
            issues.append(_issue(loaded, path, _unknown_check(check_id, registry)))
    verify(config.checks.thresholds, ("checks", "thresholds"))
    for c_index, customer in enumerate(config.customers):
        for i_index, inst in enumerate(customer.instances):
            verify(inst.thresholds, ("customers", c_index, "instances", i_index, "thresholds"))
    for where, message in service_reference_problems(config, registry):
        issues.append(_issue(loaded, where, message))
    return issues


def _unknown_check(check_id: str, registry: Registry) -> str:
    close = difflib.get_close_matches(check_id, [r.meta.id for r in registry], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; see `atlas-health checks list`"
    return f"unknown check {check_id!r}{hint}"


def _read_secret(
    env_name: str | None, file: Path | None, env: Mapping[str, str], base_dir: Path
) -> tuple[str | None, str | None]:
    """(secret, problem): exactly one of them is None."""
    if env_name is not None:
        value = env.get(env_name)
        if not value:
            return None, f"environment variable {env_name} is not set (export it before running)"
        return value, None
    assert file is not None
    path = file if file.is_absolute() else base_dir / file
    try:
        value = read_secret_file(path).strip()
    except RefusedFile as exc:
        return None, f"secret file {path} {exc.problem}"
    except OSError as exc:
        return None, f"cannot read secret file {path}: {exc.strerror or exc}"
    except UnicodeDecodeError:
        return None, f"secret file {path} is not UTF-8 text"
    if not value:
        return None, f"secret file {path} is empty"
    warn_if_others_can_read(path, "secret file")
    return value, None


def _credentials(
    inst: Instance, env: Mapping[str, str], base_dir: Path
) -> tuple[Credentials | None, str | None, str]:
    auth = inst.auth
    if isinstance(auth, TokenAuth):
        key = "token_env" if auth.token_env else "token_file"
        secret, problem = _read_secret(auth.token_env, auth.token_file, env, base_dir)
        return (Credentials("token", secret=secret) if secret else None), problem, key
    if isinstance(auth, BasicAuth):
        key = "password_env" if auth.password_env else "password_file"
        secret, problem = _read_secret(auth.password_env, auth.password_file, env, base_dir)
        creds = Credentials("basic", username=auth.username, secret=secret) if secret else None
        return creds, problem, key
    return Credentials("none"), None, "type"


def _ca_bundle_problem(bundle: Path) -> str | None:
    """TLS reads the CA bundle itself later: it must be a regular file, so that read cannot hang."""
    try:
        check_regular_file(bundle, max_bytes=CA_BUNDLE_MAX_BYTES, what="CA bundle")
    except RefusedFile as exc:
        return f"CA bundle {exc}"
    except OSError:
        return f"CA bundle {bundle} does not exist"
    return None


def _resolve_credentials(
    config: Config, loaded: LoadedYaml, env: Mapping[str, str], base_dir: Path
) -> tuple[dict[tuple[str, str], Credentials], list[ConfigIssue]]:
    resolved: dict[tuple[str, str], Credentials] = {}
    issues: list[ConfigIssue] = []
    for c_index, customer in enumerate(config.customers):
        for i_index, inst in enumerate(customer.instances):
            creds, problem, key = _credentials(inst, env, base_dir)
            if creds is not None:
                resolved[(customer.name, inst.name)] = creds
            else:
                path: tuple[str | int, ...] = ("customers", c_index, "instances", i_index, "auth", key)
                issues.append(_issue(loaded, path, problem or "no credentials"))
            if inst.ca_bundle is not None:
                bundle = inst.ca_bundle if inst.ca_bundle.is_absolute() else base_dir / inst.ca_bundle
                problem = _ca_bundle_problem(bundle)
                if problem is not None:
                    path = ("customers", c_index, "instances", i_index, "ca_bundle")
                    issues.append(_issue(loaded, path, problem))
    return resolved, issues


def parse_config(
    text: str,
    *,
    source: str,
    registry: Registry,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    resolve_secrets: bool = True,
) -> LoadedConfig:
    """Validate configuration text; raise ConfigError listing every problem found."""
    try:
        loaded = load_yaml(text)
    except YamlError as exc:
        raise ConfigError(source, [ConfigIssue("", str(exc), exc.line)]) from None
    if not isinstance(loaded.data, dict):
        raise ConfigError(source, [ConfigIssue("", "the file must be a mapping with a 'customers' list", 1)])
    try:
        config = Config.model_validate(loaded.data)
    except ValidationError as exc:
        raise ConfigError(source, _validation_issues(exc, loaded)) from None
    issues = _check_references(config, loaded, registry)
    issues += [_issue(loaded, path, message) for path, message in host_reference_problems(config, registry)]
    credentials: dict[tuple[str, str], Credentials] = {}
    host_secrets: dict[tuple[str, str], HostSecrets] = {}
    base_dir = base_dir or Path.cwd()
    if resolve_secrets:
        credentials, secret_issues = _resolve_credentials(
            config, loaded, os.environ if env is None else env, base_dir
        )
        issues += secret_issues
        host_secrets, host_problems = resolve_host_secrets(
            config, os.environ if env is None else env, base_dir
        )
        issues += [_issue(loaded, path, message) for path, message in host_problems]
    if issues:
        raise ConfigError(source, sorted(issues, key=lambda i: (i.line or 0, i.path)))
    return LoadedConfig(
        config=config,
        source=source,
        base_dir=base_dir,
        credentials=credentials,
        host_secrets=host_secrets,
        lines=loaded,
    )


def load_config(
    path: Path, *, registry: Registry, env: Mapping[str, str] | None = None, resolve_secrets: bool = True
) -> LoadedConfig:
    source = str(path)
    try:
        raw = read_regular_file(path, max_bytes=CONFIG_MAX_BYTES, what="configuration file")
    except RefusedFile as exc:
        raise ConfigError(source, [ConfigIssue("", f"the file {exc.problem}")]) from None
    except OSError as exc:
        raise ConfigError(source, [ConfigIssue("", f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(source, [ConfigIssue("", "the file is not UTF-8 text")]) from None
    return parse_config(
        text, source=source, registry=registry, env=env, base_dir=path.parent, resolve_secrets=resolve_secrets
    )
