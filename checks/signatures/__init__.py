"""The log signature knowledge base: known problems, how to recognise them in a log line, what to do.

The entries are data (checks/data/signatures/*.yaml, plus a consultant's own files named in the
configuration); this package validates them (model.py, pattern_subset.py), reads them (loader.py),
hands them to the log scanner (scan.py) and exports them for ``grep -E`` (grep_export.py).
"""

from checks.signatures.grep_export import export_grep, to_ere
from checks.signatures.loader import (
    Problem,
    SignatureError,
    SignatureFile,
    load_builtin,
    merge_signatures,
    parse_signature_text,
)
from checks.signatures.model import CAUSES, FAMILIES, Signature
from checks.signatures.pattern_subset import PatternError, check_pattern
from checks.signatures.scan import to_scan_patterns

__all__ = [
    "CAUSES",
    "FAMILIES",
    "PatternError",
    "Problem",
    "Signature",
    "SignatureError",
    "SignatureFile",
    "check_pattern",
    "export_grep",
    "load_builtin",
    "merge_signatures",
    "parse_signature_text",
    "to_ere",
    "to_scan_patterns",
]
