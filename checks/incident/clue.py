"""A clue: one piece of evidence for one cause class, with how strong it is and when it began."""

from __future__ import annotations

from dataclasses import dataclass, field

from checks.incident.model import CauseClass, IncidentEvidence


@dataclass
class Clue:
    cause: CauseClass
    strength: float  # 0..1: how much this alone says the cause is real
    first: float | None  # epoch seconds of its first sighting in the region
    nodes: frozenset[str]
    label: str  # one line for the cause's summary: "1,204 pool timeouts on node1, node2 and node3"
    evidence: list[IncidentEvidence] = field(default_factory=list)
    background: float = 0.0  # baseline rate / region rate (see Occurrences.background)
    explains: frozenset[str] = frozenset()  # symptoms this clue itself accounts for, beyond the class's
