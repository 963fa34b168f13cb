"""YAML loading that remembers where every key came from, so errors can name the file line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int | float, ...]  # mapping keys are any plain scalar; list items count


@dataclass(frozen=True)
class LoadedYaml:
    data: Any
    lines: dict[Path, int]  # key path -> 1-based line of the key (or list item)

    def line_for(self, path: Path) -> int | None:
        """The line of the path, or of its nearest ancestor that exists in the file."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


class YamlError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# Limits checked while the node graph is composed, before anything is built from it. A configuration
# nests about 8 levels deep; PyYAML composes recursively, so a few thousand levels crash it.
MAX_DEPTH = 64
# Aliases are for shared settings ("<<: *defaults" in each of 200 customers adds a few thousand
# values); a "billion laughs" of nested aliases adds 10^9 and fills the memory.
MAX_ALIASED_VALUES = 100_000


class _LimitedLoader(yaml.SafeLoader):
    """A safe loader whose composer refuses deep nesting, recursive aliases and aliases that would
    expand to more than MAX_ALIASED_VALUES values, each with the line where it happens."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0
        self._open_anchors: list[str] = []  # anchors of the collections being composed
        self._aliased = 0  # values aliases have added so far
        self._measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) once expanded

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) and event.anchor is not None:
            self._check_alias(event.anchor, line)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlError(f"the YAML nests more than {MAX_DEPTH} levels deep; flatten it", line)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.append(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.pop()

    def _check_alias(self, anchor: str, line: int) -> None:
        if anchor in self._open_anchors:
            raise YamlError(
                f"the alias *{anchor} refers to the anchor &{anchor} it is inside (a recursive alias); "
                "remove it",
                line,
            )
        node = self.anchors.get(anchor)
        if node is None:
            return  # PyYAML reports the undefined alias
        values, depth = self._measure(node)
        self._aliased += values
        if self._aliased > MAX_ALIASED_VALUES:
            raise YamlError(
                f"the aliases expand to more than {MAX_ALIASED_VALUES:,} values (at *{anchor}); "
                "use fewer or smaller aliases",
                line,
            )
        if self._depth + depth > MAX_DEPTH:
            raise YamlError(f"the alias *{anchor} nests the YAML more than {MAX_DEPTH} levels deep", line)

    def _measure(self, node: yaml.Node) -> tuple[int, int]:
        """(values, depth) of a composed node as its aliases expand it. Finished nodes have passed the
        checks, so this recursion is at most MAX_DEPTH deep and memoised, linear in the nodes."""
        known = self._measured.get(id(node))
        if known is not None:
            return known
        values, depth = 1, 0
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        for child in children:
            child_values, child_depth = self._measure(child)
            values += child_values
            depth = max(depth, child_depth)
        measured = (values, depth + 1)
        self._measured[id(node)] = measured
        return measured


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        inherited: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *defaults" merges another mapping
                merged = _walk(value_node, path, {})
                for part in merged if isinstance(merged, list) else [merged]:
                    if not isinstance(part, dict):
                        raise YamlError("'<<' must merge a mapping", key_node.start_mark.line + 1)
                    for key, value in part.items():
                        inherited.setdefault(key, value)
                continue
            key = _walk(key_node, (), {})
            if not isinstance(key, str | int | float | bool) or key is None:
                raise YamlError("mapping keys must be plain scalars", key_node.start_mark.line + 1)
            if key in result:
                raise YamlError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            result[key] = _walk(value_node, child, lines)
        for key, value in inherited.items():  # explicit keys win over merged ones
            result.setdefault(key, value)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            items.append(_walk(item, child, lines))
        return items
    # Scalars: let the safe constructor resolve types (ints, bools, nulls) exactly as safe_load would.
    return yaml.SafeLoader("").construct_object(node, deep=True)


def load_yaml(text: str) -> LoadedYaml:
    try:
        root = yaml.compose(text, Loader=_LimitedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(f"invalid YAML: {exc.problem or exc}", line) from None
    except yaml.reader.ReaderError as exc:  # a control character: its str() is two lines
        line = text.count("\n", 0, exc.position) + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlError(
            f"invalid YAML: the character #x{character:04x} is not allowed in YAML text", line
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    if root is None:
        return LoadedYaml(data=None, lines={})
    lines: dict[Path, int] = {(): root.start_mark.line + 1}
    return LoadedYaml(data=_walk(root, (), lines), lines=lines)
