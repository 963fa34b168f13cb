"""`atlas-health signatures`: list the log signature knowledge base, export it, test signature files.

``list`` and ``export`` show the built-in entries, plus the configured files' with ``--config``.
``export --grep`` prints one POSIX extended regex per line, the pattern file of ``grep -E -f`` (the
speed baseline of the log benchmark). ``test FILE...`` validates a consultant's signature files (or,
without FILE, the built-in ones): every entry's match line must match and its near-miss must not, in
Python's re, Hyperscan (when installed) and ``grep -E``. Errors are one line each on stderr, exit code 3.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agent.console import escape, stderr, stdout

if TYPE_CHECKING:  # the knowledge base (pydantic, YAML) is imported only by the commands
    from checks.signatures import Signature

USAGE_ERROR = 3


class SignaturesError(click.ClickException):
    """A one-line, user-facing error with the usage exit code."""

    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        stderr().print(f"[red]error:[/] {escape(self.message)}")


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also take the signature files this configuration names (settings.logs.signature_files).",
)


def _signatures(config_path: Path | None) -> list[Signature]:
    from agent.config.loader import ConfigError, load_config
    from agent.signatures import load_signatures
    from checks.registry import load_registry

    try:
        loaded = None
        if config_path is not None:
            loaded = load_config(config_path, registry=load_registry(), resolve_secrets=False)
        return load_signatures(loaded)
    except ConfigError as exc:
        for issue in exc.issues:
            stderr().print(escape(issue.render(exc.source)))
        raise SignaturesError(f"{exc.source}: {len(exc.issues)} configuration error(s)") from None


@click.group("signatures")
def signatures() -> None:
    """The log signature knowledge base: known problems and how they show in logs."""


@signatures.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@config_option
def list_signatures(fmt: str, config_path: Path | None) -> None:
    """Print every signature: id, severity, cause, products, log files and title."""
    from rich import box
    from rich.table import Table

    entries = _signatures(config_path)
    if fmt == "json":
        rows = [
            {
                "id": s.id,
                "severity": s.severity,
                "cause": s.cause,
                "products": [str(p) for p in s.products],
                "files": list(s.files),
                "title": s.title,
                "restart": s.restart,
                "kb": s.kb,
            }
            for s in entries
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(entries)} log signatures", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("id", "severity", "cause"):
        table.add_column(column, no_wrap=True)
    for column in ("products", "files", "title"):
        table.add_column(column, overflow="fold")
    for s in entries:
        products = ", ".join(str(p) for p in s.products) or "all"
        cells = (s.id, s.severity, s.cause, products, ", ".join(s.files), s.title)
        table.add_row(*(escape(str(c)) for c in cells))
    console = stdout()
    if console.is_terminal:
        console.print(table)
        return
    console.width = 200  # piped: one row per line, for grep and less -S, without trailing blanks
    with console.capture() as captured:
        console.print(table)
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


@signatures.command("export")
@click.option("--grep", "as_grep", is_flag=True, help="One POSIX extended regex per line, for grep -E -f.")
@config_option
def export_signatures(as_grep: bool, config_path: Path | None) -> None:
    """Print all signatures as JSON, or with --grep as a grep -E pattern file."""
    from checks.signatures import export_grep

    entries = _signatures(config_path)
    if as_grep:
        click.echo("\n".join(export_grep(entries)))
    else:
        click.echo(json.dumps([s.model_dump(mode="json") for s in entries], indent=2))


def _hyperscan_problems(entries: Sequence[tuple[str, Signature]]) -> list[str] | None:
    """Problems found by Hyperscan, or None when it is not installed."""
    try:
        import hyperscan
    except ImportError:
        return None
    problems: list[str] = []
    for where, sig in entries:
        db = hyperscan.Database()
        try:
            flags = hyperscan.HS_FLAG_CASELESS if sig.ignore_case else 0
            db.compile(expressions=[sig.pattern.encode()], ids=[0], elements=1, flags=[flags])
        except hyperscan.error as exc:
            problems.append(f"{where}: pattern: Hyperscan refuses it: {exc}")
            continue
        for field, line, expected in (("match", sig.match, True), ("near_miss", sig.near_miss, False)):
            hits: list[int] = []
            db.scan(line.encode(), match_event_handler=lambda *_args, hits=hits: hits.append(1))
            if bool(hits) != expected:
                verb = "does not match" if expected else "matches"
                problems.append(f"{where}: {field}: Hyperscan {verb} it")
    return problems


def _grep_problems(entries: Sequence[tuple[str, Signature]]) -> list[str] | None:
    """Problems found by grep -E over the exported patterns, or None when grep is missing."""
    from checks.signatures import to_ere

    grep = shutil.which("grep")
    if grep is None:
        return None
    problems: list[str] = []
    env = {**os.environ, "LC_ALL": "C"}
    with tempfile.TemporaryDirectory(prefix="atlas-health-signatures.") as folder:
        pattern_file, lines_file = Path(folder, "pattern"), Path(folder, "lines")
        for where, sig in entries:
            pattern_file.write_text(to_ere(sig.pattern, sig.ignore_case) + "\n", encoding="utf-8")
            lines_file.write_text(f"{sig.match}\n{sig.near_miss}\n", encoding="utf-8")
            done = subprocess.run(
                [grep, "-n", "-E", "-f", str(pattern_file), str(lines_file)],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if done.returncode > 1 or done.stderr.strip():
                problems.append(f"{where}: pattern: grep -E refuses the export: {done.stderr.strip()}")
                continue
            matched = {line.split(":", 1)[0] for line in done.stdout.splitlines()}
            if "1" not in matched:
                problems.append(f"{where}: match: grep -E does not match it")
            if "2" in matched:
                problems.append(f"{where}: near_miss: grep -E matches it")
    return problems


def _read(files: Sequence[Path]) -> tuple[list[tuple[str, Signature]], list[str]]:
    from agent.signatures import read_signature_file
    from checks.signatures import SignatureError, load_builtin, merge_signatures, parse_signature_text
    from collectors.regular_file import RefusedFile

    if not files:
        return [(f"built-in {s.id}", s) for s in load_builtin()], []
    problems: list[str] = []
    parsed = []
    for path in files:
        try:
            parsed.append(parse_signature_text(read_signature_file(path), str(path)))
        except RefusedFile as exc:
            problems.append(f"{path}: {exc.problem}")
        except OSError as exc:
            problems.append(f"{path}: cannot read the file: {exc.strerror or exc}")
        except UnicodeDecodeError:
            problems.append(f"{path}: the file is not UTF-8 text")
        except SignatureError as exc:
            problems.extend(p.render() for p in exc.problems)
    if not problems:
        try:  # ids must not collide with each other, nor with a built-in unless the entry replaces it
            merge_signatures(load_builtin(), parsed)
        except SignatureError as exc:
            problems.extend(p.render() for p in exc.problems)
    entries = [(f"{f.source}:{f.lines[s.id]}: {s.id}", s) for f in parsed for s in f.signatures]
    return entries, problems


@signatures.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def test_signatures(files: tuple[Path, ...]) -> None:
    """Validate signature FILEs (default: the built-in ones) in Python re, Hyperscan and grep -E."""
    entries, problems = _read(files)
    engines = ["Python re"]
    if not problems:
        for name, check in (("Hyperscan", _hyperscan_problems), ("grep -E", _grep_problems)):
            found = check(entries)
            if found is None:
                stderr().print(f"[yellow]warning:[/] {name} is not available: not tested with it")
                continue
            engines.append(name)
            problems.extend(found)
    for problem in problems:
        stderr().print(escape(problem))
    if problems:
        raise SignaturesError(f"{len(problems)} problem(s) in the signatures")
    what = ", ".join(str(f) for f in files) or "the built-in knowledge base"
    stderr().print(f"{escape(what)}: {len(entries)} signature(s) ok ({', '.join(engines)})")
