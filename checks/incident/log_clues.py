"""Clues from the knowledge base: signature hits and exception root causes that a cause class names as
its evidence, counted in the incident's region node by node, against their own baseline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from checks.incident.causes import CauseInfo
from checks.incident.clue import Clue
from checks.incident.model import CauseClass, IncidentEvidence
from checks.incident.scene import Occurrences, Scene, iso, occurrences
from collectors.logs.model import ExceptionGroup, LogSample, SignatureHit

EVIDENCE_SAMPLES = 3


def _strength(count: int, severity: str) -> float:
    # one line says little, a storm says much; a critical signature says more than a warning
    base = {"critical": 0.55, "warning": 0.4}.get(severity, 0.25)
    return min(0.9, base + 0.08 * len(str(count)))


def _nodes(nodes: Iterable[str]) -> str:
    names = sorted(nodes)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _samples(scene: Scene, samples: Iterable[LogSample], seen: Occurrences) -> list[IncidentEvidence]:
    """The hit's samples, those inside the region first (the first few of a file may be older)."""
    ordered = sorted(
        samples, key=lambda s: (not (s.at is not None and scene.in_region(scene.clocks.epoch(s.node, s.at))),)
    )
    evidence = []
    for s in ordered[:EVIDENCE_SAMPLES]:
        at = scene.clocks.fix(s.node, s.at) if s.at is not None else iso(seen.first)
        evidence.append(IncidentEvidence(at=at, node=s.node, source=f"application log {s.file}", text=s.text))
    return evidence


def signature_clues(scene: Scene, causes: Mapping[CauseClass, CauseInfo]) -> list[Clue]:
    by_signature: dict[str, list[CauseClass]] = {}
    for cause, info in causes.items():
        for sig in info.signatures:
            by_signature.setdefault(sig, []).append(cause)
    clues: list[Clue] = []
    for analysis in scene.analyses:
        for hit in analysis.signatures:
            if hit.signature.startswith("restart."):
                continue  # starts and stops are told apart, clean or not, by the restart detector
            for cause in by_signature.get(hit.signature, []):
                clue = _signature_clue(scene, cause, hit)
                if clue is not None:
                    clues.append(clue)
    return clues


def _signature_clue(scene: Scene, cause: CauseClass, hit: SignatureHit) -> Clue | None:
    seen = occurrences(scene, hit.by_node, hit.per_minute)
    if seen.count == 0:
        return None
    nodes = seen.nodes or frozenset(hit.nodes)
    summary = (
        f"{seen.count:,} lines of {hit.title or hit.signature!r} on {_nodes(nodes) if nodes else 'the nodes'}"
    )
    evidence = [
        IncidentEvidence(
            at=iso(seen.first),
            node=None if len(nodes) != 1 else next(iter(nodes)),
            source=f"signature {hit.signature}",
            text=f"{summary}, first at {iso(seen.first):%H:%M} UTC" if seen.first else summary,
        ),
        *_samples(scene, hit.samples, seen),
    ]
    return Clue(
        cause,
        _strength(seen.count, hit.severity),
        seen.first,
        nodes,
        summary,
        evidence,
        seen.background(scene),
    )


def exception_clues(scene: Scene, causes: Mapping[CauseClass, CauseInfo]) -> list[Clue]:
    clues: list[Clue] = []
    for analysis in scene.analyses:
        for group in analysis.exceptions:
            for cause, info in causes.items():
                # thrown_as gathers the outermost types of the whole group, most frequent first: only
                # the most frequent one speaks for the group (a decoy's wrapper must not lend its name)
                if info.matches_exception(group.root_cause, group.thrown_as[:1], group.sample):
                    clue = _exception_clue(scene, cause, group)
                    if clue is not None:
                        clues.append(clue)
    return clues


def _exception_clue(scene: Scene, cause: CauseClass, group: ExceptionGroup) -> Clue | None:
    seen = occurrences(scene, group.by_node)
    if seen.count == 0 and group.by_node:
        return None
    if not group.by_node:  # no per-node figures: only its first and last sighting place it
        first = group.first_at.timestamp() if group.first_at else None
        if first is None or not scene.in_region(first):
            return None
        seen = Occurrences(group.count, first, frozenset(group.nodes), 0)
    nodes = seen.nodes
    thrown = f" (thrown as {group.thrown_as[0]})" if group.thrown_as else ""
    where = _nodes(nodes) if nodes else "the nodes"
    summary = f"{seen.count:,} exceptions caused by {group.root_cause}{thrown} on {where}"
    evidence = [
        IncidentEvidence(at=iso(seen.first), node=None, source="exceptions by root cause", text=summary),
    ]
    if group.sample:
        evidence.append(
            IncidentEvidence(at=iso(seen.first), node=None, source="exception sample", text=group.sample)
        )
    return Clue(
        cause, _strength(seen.count, "warning"), seen.first, nodes, summary, evidence, seen.background(scene)
    )
