"""Steps may fill a part of a product's facts: a step field "bamboo.agents" becomes
``bamboo={"agents": ...}`` in the snapshot, so each part is collected (and fails) on its own."""

from __future__ import annotations

from typing import Any


def nest_parts(values: dict[str, Any]) -> dict[str, Any]:
    """``{"bamboo.agents": [...], "status": ...}`` -> ``{"bamboo": {"agents": [...]}, "status": ...}``."""
    nested: dict[str, Any] = {}
    for key, value in values.items():
        head, dot, part = key.partition(".")
        if not dot:
            nested[key] = value
            continue
        facts = nested.setdefault(head, {})
        if not isinstance(facts, dict):
            raise ValueError(f"step field {key!r} clashes with a whole-field step {head!r}")
        facts[part] = value
    return nested
