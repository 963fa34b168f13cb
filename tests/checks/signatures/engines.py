"""The three engines a signature must agree in, each run for real on one line.

Python's re with the knowledge base's flags, Hyperscan compiled like the scanner compiles it (only
CASELESS added for ignore_case) and GNU grep -E over the exported pattern in the C locale, fed the line
from a file as the benchmark does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from checks.signatures import to_ere

try:
    import hyperscan  # type: ignore[import-untyped]
except ImportError:  # the wheel exists for x86_64 Linux only
    hyperscan = None

GREP = shutil.which("grep")


def re_matches(pattern: str, line: str, ignore_case: bool = False) -> bool:
    flags = re.ASCII | (re.IGNORECASE if ignore_case else 0)
    return re.search(pattern, line, flags) is not None


def hyperscan_matches(pattern: str, line: str, ignore_case: bool = False) -> bool:
    assert hyperscan is not None
    db = hyperscan.Database()
    flags = hyperscan.HS_FLAG_CASELESS if ignore_case else 0
    db.compile(expressions=[pattern.encode()], ids=[1], elements=1, flags=[flags])
    hits: list[int] = []
    db.scan(line.encode(), match_event_handler=lambda rule_id, *_rest: hits.append(rule_id))
    return hits != []


def grep_matches(pattern: str, line: str, folder: Path, ignore_case: bool = False) -> bool:
    """grep -c -E -f over the ERE export; the count is 1 or 0 for a one-line file."""
    assert GREP is not None
    pattern_file, line_file = folder / "pattern.ere", folder / "line.log"
    pattern_file.write_text(to_ere(pattern, ignore_case) + "\n", encoding="utf-8")
    line_file.write_text(line + "\n", encoding="utf-8")
    done = subprocess.run(
        [GREP, "-c", "-E", "-f", str(pattern_file), str(line_file)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert done.returncode in (0, 1) and not done.stderr, (to_ere(pattern, ignore_case), done.stderr)
    return done.stdout.strip() == "1"
