"""Ranking causes by evidence and by order.

A cause's confidence multiplies what its clues say together (``1 - prod(1 - strength)``) by:
- order: it came before or with the first symptom (full weight), or only after it (less, the later the
  less: pool errors ten minutes into a heap crisis are its consequence, not its cause);
- novelty: it is new in the window, not at the rate it always runs at (an LDAP warning every day is
  background);
- place: it showed on the nodes that suffered; seen only on a node that served fine, it is a decoy;
- reach: the share of the window's symptoms its class explains.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from checks.incident.causes import CauseInfo
from checks.incident.clue import Clue
from checks.incident.model import CauseClass, IncidentCause, IncidentEvidence
from checks.incident.scene import Scene, iso

ON_TIME_S = 300  # a cause first seen up to this long after the first symptom is "with" it
LATE_DECAY_S = 1200
MAX_EVIDENCE = 8
MIN_CONFIDENCE = 0.1


def _order(first: float | None, start: float) -> float:
    if first is None:
        return 0.5  # a state seen at collection time: no order to judge
    delay = first - start
    return 1.0 if delay <= ON_TIME_S else max(0.3, math.exp(-(delay - ON_TIME_S) / LATE_DECAY_S))


def _novelty(background: float) -> float:
    """Baseline rate over region rate: 0 is new; 1 is the same as always."""
    if background < 0.2:
        return 1.0
    if background < 0.5:
        return 0.6
    return 0.2


def _place(nodes: frozenset[str], affected: set[str]) -> float:
    if not nodes or not affected or nodes & affected:
        return 1.0
    return 0.35


def _reach(info: CauseInfo, clues: Sequence[Clue], observed: set[str]) -> tuple[float, list[str]]:
    explained = set(info.symptoms)
    for clue in clues:
        explained |= clue.explains
    explains = sorted(observed & explained)
    return 0.6 + 0.4 * (len(explains) / len(observed) if observed else 1.0), explains


def rank(scene: Scene, clues: Sequence[Clue], causes: Mapping[CauseClass, CauseInfo]) -> list[IncidentCause]:
    by_cause: dict[CauseClass, list[Clue]] = defaultdict(list)
    for clue in clues:
        by_cause[clue.cause].append(clue)
    observed = scene.symptoms()
    start = float(scene.window.start)
    ranked: list[IncidentCause] = []
    for cause, found in by_cause.items():
        info = causes[cause]
        miss = 1.0
        for clue in found:
            miss *= 1 - clue.strength
        strength = min(0.97, 1 - miss)
        firsts = [c.first for c in found if c.first is not None]
        first = min(firsts) if firsts else None
        background = min(c.background for c in found)
        nodes = frozenset().union(*(c.nodes for c in found))
        reach, explains = _reach(info, found, observed)
        confidence = (
            strength * _order(first, start) * _novelty(background) * _place(nodes, scene.affected) * reach
        )
        if confidence < MIN_CONFIDENCE:
            continue
        ordered = sorted(found, key=lambda c: -c.strength)
        evidence: list[IncidentEvidence] = [e for c in ordered for e in c.evidence][:MAX_EVIDENCE]
        ranked.append(
            IncidentCause(
                cause=cause,
                confidence=round(confidence, 2),
                severity=info.severity,
                title=info.title,
                summary="; ".join(c.label for c in ordered[:3]),
                explanation=info.explanation,
                nodes=sorted(nodes),
                first_seen=iso(first),
                evidence=evidence,
                explains=explains,
                references=list(info.references),
            )
        )
    # most likely first; on a tie, the one that came first
    return sorted(
        ranked, key=lambda c: (-c.confidence, c.first_seen.timestamp() if c.first_seen else math.inf)
    )
