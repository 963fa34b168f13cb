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
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(f"invalid YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    if root is None:
        return LoadedYaml(data=None, lines={})
    lines: dict[Path, int] = {(): root.start_mark.line + 1}
    return LoadedYaml(data=_walk(root, (), lines), lines=lines)
