"""The patterns the log scanner looks for, handed to it by the agent.

The signature knowledge base belongs to checks (it is data about problems); the scanner only needs
each entry's id, regex and where it applies, plus the entry's words to carry into the snapshot so
that an analysed bundle stays self-explaining even when the knowledge base changes later.

A regex uses the subset that Python's re, Hyperscan and grep -E all read the same way: literals,
``.``, classes, ``\\d \\w \\s`` and their negations, groups, alternation, greedy quantifiers and
``^``/``$``; no look-around, back-references, named groups or lazy quantifiers. It is matched against
one line at a time (an event's first line or one of its continuation lines). Entries whose words are
shared by different failures (a "Communications link failure" when the database refused the
connection, or when a firewall cut a live one) are told apart by the event's cause: ``caused_by`` must
and ``unless_caused_by`` must not match somewhere in the whole event (its message and ``Caused by:``
chain) for a line to count.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScanPattern:
    id: str
    regex: str
    families: tuple[str, ...]  # application, security, catalina, access, gc
    products: tuple[str, ...] = ()  # Product values; empty: every product
    ignore_case: bool = False
    restart: bool = False  # a start or stop marker: every hit is also a RestartEvent
    caused_by: str | None = None  # the event must hold a line matching this (same subset as regex)
    unless_caused_by: str | None = None  # the event must hold no line matching this
    # Carried into SignatureHit unchanged: title, severity, cause, explanation, recommendation, kb.
    info: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def applies_to(self, family: str, product: str | None) -> bool:
        return family in self.families and (not self.products or product is None or product in self.products)
