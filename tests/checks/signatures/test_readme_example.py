"""The README's example of a consultant's signature file is a valid file: it must stay true."""

from __future__ import annotations

from pathlib import Path

from checks.signatures import parse_signature_text

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_signature_example_loads_and_checks() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("```yaml\nsignatures:") + len("```yaml\n")
    block = text[start : text.index("```", start)]
    parsed = parse_signature_text(block, "README.md")
    assert [s.id for s in parsed.signatures] == ["acme.sso.saml_clock_skew"]
