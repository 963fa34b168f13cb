"""The log signatures an analysis uses: the built-in knowledge base plus the consultant's own files
named in the configuration (``settings.logs.signature_files``, relative to the configuration file).

Problems come back as a ConfigError, so the command line reports them like any configuration error:
one line each, naming the signature file and line, the entry and the field.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from checks.signatures import (
    Signature,
    SignatureError,
    SignatureFile,
    load_builtin,
    merge_signatures,
    parse_signature_text,
)
from collectors.regular_file import MIB, RefusedFile, read_regular_file

if TYPE_CHECKING:
    from agent.config.loader import ConfigIssue, LoadedConfig

# The whole built-in knowledge base is about 130 KiB of YAML; a consultant's own file is smaller still.
SIGNATURE_FILE_MAX_BYTES = 4 * MIB


@cache
def _file_issue() -> type:
    """The issue type for a problem inside a signature file: rendered against that file, not the
    configuration. Made on first use, so that the built-in signatures load without the config loader."""
    from dataclasses import dataclass

    from agent.config.loader import ConfigIssue

    @dataclass(frozen=True)
    class SignatureFileIssue(ConfigIssue):
        file: str = ""

        def render(self, source: str) -> str:
            where = f"{self.file}:{self.line}" if self.line else self.file
            return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    return SignatureFileIssue


def resolve(path: Path, base_dir: Path) -> Path:
    expanded = path.expanduser()
    return expanded if expanded.is_absolute() else base_dir / expanded


def read_signature_file(path: Path) -> str:
    """The file's text; RefusedFile (not a regular file, or over SIGNATURE_FILE_MAX_BYTES), OSError or
    UnicodeDecodeError as the caller's one-line problem."""
    return read_regular_file(path, max_bytes=SIGNATURE_FILE_MAX_BYTES, what="signature file").decode("utf-8")


def _issues(error: SignatureError) -> list[ConfigIssue]:
    issue = _file_issue()
    return [issue(p.where, p.message, p.line, file=p.source) for p in error.problems]


def load_signatures(loaded: LoadedConfig | None) -> list[Signature]:
    """Built-in signatures, then the configured files' (a custom entry replaces a built-in only with
    ``replaces: true``). Raises ConfigError listing every unreadable or invalid file's problems."""
    builtin = load_builtin()
    if loaded is None or not loaded.config.settings.logs.signature_files:
        return builtin
    from agent.config.loader import ConfigError, ConfigIssue

    issues: list[ConfigIssue] = []
    parsed: list[SignatureFile] = []
    for index, name in enumerate(loaded.config.settings.logs.signature_files):
        key = f"settings.logs.signature_files[{index}]"
        line = loaded.line_for(("settings", "logs", "signature_files", index))
        path = resolve(name, loaded.base_dir)
        try:
            text = read_signature_file(path)
        except RefusedFile as exc:
            issues.append(ConfigIssue(key, f"signature file {exc}", line))
            continue
        except OSError as exc:
            issues.append(ConfigIssue(key, f"cannot read signature file {path}: {exc.strerror or exc}", line))
            continue
        except UnicodeDecodeError:
            issues.append(ConfigIssue(key, f"signature file {path} is not UTF-8 text", line))
            continue
        try:
            parsed.append(parse_signature_text(text, str(path)))
        except SignatureError as exc:
            issues.extend(_issues(exc))
    if not issues:
        try:
            return merge_signatures(builtin, parsed)
        except SignatureError as exc:
            issues.extend(_issues(exc))
    raise ConfigError(loaded.source, issues)
