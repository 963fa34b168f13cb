"""The cause classes of incident investigation, as data: checks/data/incident_causes.yaml.

Every class of the closed list (CauseClass in model.py) has a plain title, its usual severity, an
expert's explanation, the symptoms it explains (from a closed vocabulary kept in the same file), the
evidence that supports it (signature ids, exception root causes, and what other sources show), KB
references, and actions of each type (prevent, detect, mitigate) with how to verify them.

The file is read once per process, on first use and never at import (the check registry imports every
module of checks/). A malformed file raises CauseFileError with one line per problem, each naming the
file and line, the entry (index and id) and the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from types import MappingProxyType
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from checks.incident.model import ActionType, CauseClass, IncidentAction

# libyaml's parser when PyYAML has it, as the signature loader does.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA_PACKAGE = "checks"
DATA_FILE = ("data", "incident_causes.yaml")
SOURCE = "checks/data/incident_causes.yaml"
CAUSE_CLASSES: tuple[CauseClass, ...] = get_args(CauseClass)
ACTION_TYPES: tuple[ActionType, ...] = get_args(ActionType)
CauseSeverity = Literal["warning", "critical"]

SYMPTOMS: Mapping[str, str]  # the symptom vocabulary (id -> what is seen), read on first use (__getattr__)


# --- what callers get ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExceptionPattern:
    """Exceptions grouped by root cause (the log analysis' ExceptionGroup) that support a cause class."""

    root_cause: str  # regex the whole root-cause type name must match
    thrown_as: str | None = None  # regex found in one of the outermost types; None: any
    message: str | None = None  # regex found in the root cause's line; None: any
    _compiled: tuple[re.Pattern[str], re.Pattern[str] | None, re.Pattern[str] | None] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        compiled = (
            re.compile(self.root_cause),
            re.compile(self.thrown_as) if self.thrown_as is not None else None,
            re.compile(self.message) if self.message is not None else None,
        )
        object.__setattr__(self, "_compiled", compiled)

    def matches(self, root_cause: str, thrown_as: Sequence[str] = (), sample: str | None = None) -> bool:
        root, thrown, message = self._compiled
        if not root.fullmatch(root_cause):
            return False
        if thrown is not None and not any(thrown.search(name) for name in thrown_as):
            return False
        return message is None or (sample is not None and message.search(sample) is not None)


@dataclass(frozen=True)
class CauseAction:
    type: ActionType
    text: str
    verification: str  # how to know it worked


@dataclass(frozen=True)
class CauseInfo:
    id: CauseClass
    title: str
    severity: CauseSeverity
    explanation: str
    symptoms: tuple[str, ...]  # ids of the symptom vocabulary
    signatures: tuple[str, ...]  # signature ids (checks/data/signatures)
    exceptions: tuple[ExceptionPattern, ...]
    other_evidence: tuple[str, ...]  # what thread dumps, hosts or REST show, in words
    references: tuple[str, ...]  # https links
    actions: tuple[CauseAction, ...]

    def matches_exception(
        self, root_cause: str, thrown_as: Sequence[str] = (), sample: str | None = None
    ) -> bool:
        return any(p.matches(root_cause, thrown_as, sample) for p in self.exceptions)

    def incident_actions(self) -> list[IncidentAction]:
        return [
            IncidentAction(type=a.type, text=a.text, verification=a.verification, cause=self.id)
            for a in self.actions
        ]


@dataclass(frozen=True)
class CauseCatalogue:
    symptoms: Mapping[str, str]
    causes: Mapping[CauseClass, CauseInfo]  # in the file's order


class CauseFileError(ValueError):
    """The cause-class file cannot be used; ``problems`` holds one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- the file's shape ---------------------------------------------------------------------------


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def _unique(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value!r} is listed twice")
        seen.add(value)
    return values


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_Regex = Annotated[str, StringConstraints(min_length=1), AfterValidator(_regex)]
_SymptomId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
_SignatureId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
_Url = Annotated[str, StringConstraints(pattern=r"^https://\S+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Action(_Strict):
    type: ActionType
    text: _Text
    verification: _Text


class _Exception(_Strict):
    root_cause: _Regex
    thrown_as: _Regex | None = None
    message: _Regex | None = None


class _Evidence(_Strict):
    signatures: Annotated[list[_SignatureId], AfterValidator(_unique)] = Field(default_factory=list)
    exceptions: list[_Exception] = Field(default_factory=list)
    other: list[_Text] = Field(default_factory=list)


def _every_action_type(actions: list[_Action]) -> list[_Action]:
    missing = [t for t in ACTION_TYPES if t not in {a.type for a in actions}]
    if missing:
        raise ValueError(f"needs at least one action of each type; missing: {', '.join(missing)}")
    return actions


class _Cause(_Strict):
    id: CauseClass
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    severity: CauseSeverity
    explanation: _Text
    symptoms: Annotated[list[_SymptomId], AfterValidator(_unique), Field(min_length=1)]
    evidence: _Evidence
    references: Annotated[list[_Url], AfterValidator(_unique)] = Field(default_factory=list)
    actions: Annotated[list[_Action], AfterValidator(_every_action_type)]


class _File(_Strict):
    symptoms: dict[_SymptomId, _Text] = Field(min_length=1)
    causes: list[_Cause]


# --- reading ------------------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _line_at(root: yaml.Node, loc: Sequence[int | str]) -> int:
    """The line of the deepest node of ``loc`` that exists (a key's own line for a mapping key)."""
    node, line = root, _line(root)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if found is None:
                break
            line, node = _line(found[0]), found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = _line(node)
        else:
            break
    return line


def _duplicate_keys(
    node: yaml.Node, path: tuple[int | str, ...] = ()
) -> Iterator[tuple[tuple[int | str, ...], int]]:
    """(path, line) of every key given a second time in a mapping: YAML keeps only the last one."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                yield (*path, name), _line(key)
            seen.add(name)
            yield from _duplicate_keys(value, (*path, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*path, index))


class _Problems:
    """Problems found in one file, each rendered as 'source:line: causes[3] (db-slow).key: message'."""

    def __init__(self, source: str, root: yaml.Node, raw: Any) -> None:
        self.source, self.root, self.raw = source, root, raw
        self.lines: list[str] = []

    def add(self, loc: Sequence[int | str], message: str, line: int | None = None) -> None:
        at = line if line is not None else _line_at(self.root, loc)
        self.lines.append(f"{self.source}:{at}: {self._where(loc)}: {message}")

    def _where(self, loc: Sequence[int | str]) -> str:
        parts: list[str] = []
        for index, part in enumerate(loc):
            if isinstance(part, int):
                label = f"[{part}]"
                if index == 1 and loc[0] == "causes":
                    entry_id = self._entry_id(part)
                    label += f" ({entry_id})" if entry_id else ""
                parts.append(label)
            else:
                parts.append(("." if parts else "") + part)
        return "".join(parts) or "(file)"

    def _entry_id(self, index: int) -> str | None:
        causes = self.raw.get("causes") if isinstance(self.raw, dict) else None
        if isinstance(causes, list) and 0 <= index < len(causes) and isinstance(causes[index], dict):
            value = causes[index].get("id")
            return value if isinstance(value, str) else None
        return None


def _message(error: ErrorDetails) -> str:
    kind, loc, value = error["type"], error["loc"], error["input"]
    if kind == "string_type" and isinstance(value, int | float | bool):
        kind_of = "boolean" if isinstance(value, bool) else "number"
        return f"{value!r} must be text: quote it ('{value}'), or YAML reads it as a {kind_of}"
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty"
    if kind in ("model_type", "dict_type"):
        return "must be a mapping of keys"
    if kind == "list_type":
        return "must be a list"
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    if kind == "literal_error" and loc[-1] == "id" and len(loc) == 3:
        closed = "the closed list is CauseClass in checks/incident/model.py"
        return f"unknown cause class {value!r}; {closed}"
    if kind == "string_pattern_mismatch" and "symptoms" in loc:
        return f"{value!r} is not a symptom id (lower case words joined by '-')"
    if kind == "string_pattern_mismatch" and "references" in loc:
        return f"{value!r} is not an https URL"
    if kind == "string_pattern_mismatch" and "signatures" in loc:
        return f"{value!r} is not a signature id (dotted lower case, e.g. jvm.heap.oom)"
    return str(error["msg"]).removeprefix("Value error, ")


def _error_loc(error: ErrorDetails) -> tuple[int | str, ...]:
    # A mapping key that fails validation is reported as (..., key, "[key]"): keep the key, as text.
    loc = error["loc"]
    if loc and loc[-1] == "[key]":
        return (*loc[:-2], str(loc[-2]))
    return tuple(loc)


def parse_cause_classes(text: str, source: str = SOURCE) -> CauseCatalogue:
    """Validate the cause-class file's text; CauseFileError lists every problem found, one per line."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
        raw = yaml.load(text, Loader=_LOADER)  # _LOADER is a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"{source}:{mark.line + 1}" if mark is not None else source
        raise CauseFileError([f"{at}: invalid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise CauseFileError([f"{source}: invalid YAML: {exc}"]) from None
    if root is None or not isinstance(raw, dict):
        raise CauseFileError([f"{source}: the file must be a mapping with the keys 'symptoms' and 'causes'"])
    problems = _Problems(source, root, raw)
    for loc, line in _duplicate_keys(root):
        problems.add(loc, "the key is given twice", line)
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            problems.add(_error_loc(error), _message(error))
        raise CauseFileError(problems.lines) from None
    _check_across_entries(parsed, problems)
    if problems.lines:
        raise CauseFileError(problems.lines)
    causes = {cause.id: _info(cause) for cause in parsed.causes}
    return CauseCatalogue(symptoms=MappingProxyType(dict(parsed.symptoms)), causes=MappingProxyType(causes))


def _check_across_entries(parsed: _File, problems: _Problems) -> None:
    first: dict[str, int] = {}
    for index, cause in enumerate(parsed.causes):
        if cause.id in first:
            problems.add(
                ("causes", index, "id"), f"{cause.id!r} is already described by causes[{first[cause.id]}]"
            )
        first.setdefault(cause.id, index)
        for position, symptom in enumerate(cause.symptoms):
            if symptom not in parsed.symptoms:
                message = f"unknown symptom {symptom!r}; add it to the vocabulary under 'symptoms' first"
                problems.add(("causes", index, "symptoms", position), message)
    missing = [c for c in CAUSE_CLASSES if c not in first]
    if missing:
        problems.add(("causes",), f"no entry for the cause classes: {', '.join(missing)}")


def _info(cause: _Cause) -> CauseInfo:
    return CauseInfo(
        id=cause.id,
        title=cause.title,
        severity=cause.severity,
        explanation=cause.explanation,
        symptoms=tuple(cause.symptoms),
        signatures=tuple(cause.evidence.signatures),
        exceptions=tuple(
            ExceptionPattern(e.root_cause, e.thrown_as, e.message) for e in cause.evidence.exceptions
        ),
        other_evidence=tuple(cause.evidence.other),
        references=tuple(cause.references),
        actions=tuple(CauseAction(a.type, a.text, a.verification) for a in cause.actions),
    )


@lru_cache(maxsize=1)
def load_catalogue() -> CauseCatalogue:
    """The built-in file, parsed once per process."""
    text = files(DATA_PACKAGE).joinpath(*DATA_FILE).read_text(encoding="utf-8")
    return parse_cause_classes(text, SOURCE)


def load_cause_classes() -> Mapping[CauseClass, CauseInfo]:
    """Every cause class of the closed list with what is known about it (read once, read-only)."""
    return load_catalogue().causes


def load_symptoms() -> Mapping[str, str]:
    """The symptom vocabulary: id -> what is seen."""
    return load_catalogue().symptoms


@lru_cache(maxsize=1)
def _by_signature() -> Mapping[str, tuple[CauseClass, ...]]:
    index: dict[str, list[CauseClass]] = {}
    for cause in load_cause_classes().values():
        for signature in cause.signatures:
            index.setdefault(signature, []).append(cause.id)
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


def causes_for_signature(signature_id: str) -> tuple[CauseClass, ...]:
    """The cause classes a signature hit supports (empty for a signature no class lists)."""
    return _by_signature().get(signature_id, ())


def causes_for_exception(
    root_cause: str, thrown_as: Sequence[str] = (), sample: str | None = None
) -> tuple[CauseClass, ...]:
    """The cause classes an exception group supports: its root-cause type, outermost types and sample."""
    return tuple(
        c.id for c in load_cause_classes().values() if c.matches_exception(root_cause, thrown_as, sample)
    )


def __getattr__(name: str) -> Mapping[str, str]:
    # SYMPTOMS is read on first use, so importing this module reads no file.
    if name == "SYMPTOMS":
        return load_symptoms()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
