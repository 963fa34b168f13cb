"""The scanner's view of the knowledge base: signatures as collectors.logs.patterns.ScanPattern."""

from __future__ import annotations

from collections.abc import Iterable

from checks.signatures.model import Signature
from collectors.logs.patterns import ScanPattern


def to_scan_pattern(sig: Signature) -> ScanPattern:
    info = {
        "title": sig.title,
        "severity": sig.severity,
        "cause": sig.cause,
        "explanation": sig.explanation,
        "recommendation": sig.recommendation,
        "kb": sig.kb or "",
    }
    return ScanPattern(
        id=sig.id,
        regex=sig.pattern,
        families=tuple(sig.files),
        products=tuple(p.value for p in sig.products),
        ignore_case=sig.ignore_case,
        restart=sig.restart,
        caused_by=sig.caused_by,
        unless_caused_by=sig.unless_caused_by,
        info=info,
    )


def to_scan_patterns(signatures: Iterable[Signature]) -> list[ScanPattern]:
    """One ScanPattern per signature, in order; the entry's words travel in ``info``."""
    return [to_scan_pattern(sig) for sig in signatures]
