"""Read signature files: the built-in knowledge base (checks/data/signatures/*.yaml) and a consultant's
own files, given as text by the agent (checks do no I/O beyond their own data).

A file is a mapping with one key, ``signatures``: a list of entries (see model.py). Every problem is
reported at once, one line each, naming the file and line, the entry (index and id) and the field.
Ids are unique across everything loaded: a consultant's entry with a built-in's id is refused unless
it says ``replaces: true``, so a knowledge-base update can never be silently shadowed by an old copy,
and an entry that says ``replaces: true`` must name a built-in that exists.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from checks.signatures.model import Signature

# libyaml's parser when PyYAML has it: the pure-Python one takes half a second for the knowledge base.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA_PACKAGE = "checks"
DATA_DIR = ("data", "signatures")
_FIELDS = tuple(Signature.model_fields)


@dataclass(frozen=True)
class Problem:
    source: str  # the file
    line: int | None
    where: str  # "signatures[2] (acme.db.slow).pattern", or "" for the whole file
    message: str

    def render(self) -> str:
        at = f"{self.source}:{self.line}" if self.line else self.source
        return f"{at}: {self.where}: {self.message}" if self.where else f"{at}: {self.message}"


class SignatureError(Exception):
    """Signature files that cannot be used; ``problems`` holds one line each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(p.render() for p in self.problems))


@dataclass(frozen=True)
class SignatureFile:
    source: str
    signatures: tuple[Signature, ...]
    lines: dict[str, int]  # id -> line of its entry


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _entry_nodes(root: yaml.Node | None, source: str) -> list[yaml.Node]:
    shape = "a signature file is a mapping with one key, 'signatures', holding a list of entries"
    if not isinstance(root, yaml.MappingNode):
        raise SignatureError([Problem(source, _line(root) if root else None, "", shape)])
    entries: yaml.Node | None = None
    # A key is quoted only in what is a signature file, or a key that is a misspelt "signatures":
    # any other readable file named here by mistake (a password file, a key) stays out of the message
    is_signature_file = any(key.value == "signatures" for key, _ in root.value)
    for key, value in root.value:
        if key.value != "signatures":
            quoted = is_signature_file or difflib.get_close_matches(
                str(key.value), ["signatures"], cutoff=0.7
            )
            message = f"unknown top-level key {key.value!r}; {shape}" if quoted else shape
            raise SignatureError([Problem(source, _line(key), "", message)])
        entries = value
    if not isinstance(entries, yaml.SequenceNode):
        raise SignatureError([Problem(source, _line(root), "signatures", "must be a list of entries")])
    return list(entries.value)


def _key_lines(node: yaml.Node, where: str, source: str) -> tuple[dict[str, int], list[Problem]]:
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            name = str(key.value)
            if name in lines:
                problems.append(Problem(source, _line(key), f"{where}.{name}", "the key is given twice"))
            lines.setdefault(name, _line(key))
    return lines, problems


def _message(error: ErrorDetails) -> tuple[str | None, str]:
    """(field, message) of one pydantic error."""
    loc = error["loc"]
    name = str(loc[0]) if loc else None
    kind = error["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(name), _FIELDS, n=1)
        return name, f"unknown key {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    if kind == "missing":
        return name, f"missing required key {name!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if not loc:  # the model validator prefixes the field it is about
        head, sep, rest = message.partition(": ")
        if sep and head in _FIELDS:
            return head, rest
    if len(loc) > 1:
        name = f"{name}[{loc[1]}]"
    return name, message


def parse_signature_text(text: str, source: str) -> SignatureFile:
    """Validate one signature file's text; SignatureError lists every problem found."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # _LOADER is a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SignatureError([Problem(source, line, "", f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise SignatureError([Problem(source, None, "", f"invalid YAML: {exc}")]) from None
    nodes = _entry_nodes(root, source)
    raw_entries = data["signatures"]
    problems: list[Problem] = []
    signatures: list[Signature] = []
    id_lines: dict[str, int] = {}
    for index, (node, raw) in enumerate(zip(nodes, raw_entries, strict=True)):
        entry_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"signatures[{index}]" + (f" ({entry_id})" if isinstance(entry_id, str) else "")
        if not isinstance(raw, dict):
            problems.append(Problem(source, _line(node), where, "an entry must be a mapping of keys"))
            continue
        key_lines, duplicate_keys = _key_lines(node, where, source)
        problems.extend(duplicate_keys)
        try:
            signature = Signature.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                name, message = _message(error)
                line = key_lines.get(name.split("[")[0], _line(node)) if name else _line(node)
                problems.append(Problem(source, line, f"{where}.{name}" if name else where, message))
            continue
        if signature.id in id_lines:
            message = f"id {signature.id!r} is already used by the entry at line {id_lines[signature.id]}"
            problems.append(Problem(source, key_lines.get("id", _line(node)), f"{where}.id", message))
            continue
        id_lines[signature.id] = _line(node)
        signatures.append(signature)
    if problems:
        raise SignatureError(problems)
    return SignatureFile(source, tuple(signatures), id_lines)


def merge_signatures(builtin: Iterable[Signature], custom: Iterable[SignatureFile]) -> list[Signature]:
    """Built-ins then custom entries; a custom entry replaces a built-in only with ``replaces: true``."""
    merged = {sig.id: sig for sig in builtin}
    builtin_ids = set(merged)
    defined_in: dict[str, str] = {}
    problems: list[Problem] = []
    for file in custom:
        for sig in file.signatures:
            where = f"signatures ({sig.id}).id"
            line = file.lines.get(sig.id)
            if sig.id in defined_in:
                problems.append(
                    Problem(
                        file.source,
                        line,
                        where,
                        f"id {sig.id!r} is also defined in {defined_in[sig.id]}: ids must be unique",
                    )
                )
            elif sig.id in builtin_ids and not sig.replaces:
                problems.append(
                    Problem(
                        file.source,
                        line,
                        where,
                        f"{sig.id!r} is a built-in signature: "
                        "choose another id, or add 'replaces: true' to replace it",
                    )
                )
            elif sig.replaces and sig.id not in builtin_ids:
                problems.append(
                    Problem(
                        file.source,
                        line,
                        where,
                        f"replaces: true, but there is no built-in "
                        f"signature {sig.id!r} (see `atlas-health signatures list`)",
                    )
                )
            else:
                defined_in[sig.id] = file.source
                merged[sig.id] = sig
    if problems:
        raise SignatureError(problems)
    return list(merged.values())


@lru_cache(maxsize=1)
def _builtin() -> tuple[Signature, ...]:
    folder = files(DATA_PACKAGE).joinpath(*DATA_DIR)
    out: list[Signature] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if not item.name.endswith(".yaml"):
            continue
        parsed = parse_signature_text(item.read_text(encoding="utf-8"), f"checks/data/signatures/{item.name}")
        for sig in parsed.signatures:
            line = parsed.lines[sig.id]
            if sig.replaces:
                message = "a built-in signature replaces nothing"
                problems.append(Problem(parsed.source, line, f"signatures ({sig.id}).replaces", message))
            if sig.id in seen:
                message = f"id {sig.id!r} is also defined in {seen[sig.id]}"
                problems.append(Problem(parsed.source, line, f"signatures ({sig.id}).id", message))
            seen[sig.id] = parsed.source
            out.append(sig)
    if problems:
        raise SignatureError(problems)
    return tuple(out)


def load_builtin() -> list[Signature]:
    """The built-in knowledge base, file by file in name order (parsed once per process)."""
    return list(_builtin())
