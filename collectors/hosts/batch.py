"""Several listed commands in one shell invocation, their outputs told apart by markers.

Every command costs the host a process start and the link a round trip; reading a machine's basics
takes a dozen of them. A batch runs them one after another in one shell: after each command a
marker carrying its position and exit status is printed on stdout, and one with its position on
stderr, so both streams split back into the commands' own outputs. The marker holds a random token
per batch, so no command's output can fake one. Only lines rendered from the command list go in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    """One command's share of a batch's output; ``exit_status`` None: it never finished."""

    stdout: bytes
    stderr: bytes
    exit_status: int | None


def new_marker() -> str:
    return f"@@atlas-health-{secrets.token_hex(8)}"


def script(lines: Sequence[str], marker: str) -> str:
    """One shell program running ``lines`` in turn, each followed by its markers."""
    parts = []
    for index, line in enumerate(lines):
        parts.append(
            f"{line}; printf '\\n{marker}:{index}:%s@@\\n' \"$?\"; printf '\\n{marker}:{index}@@\\n' >&2"
        )
    return "; ".join(parts)


def split(stdout: bytes, stderr: bytes, marker: str, count: int) -> list[Part]:
    """The outputs of each of ``count`` commands; the ones after a cut or timeout come back unfinished."""
    token = re.escape(marker.encode())
    out_marks = list(re.finditer(rb"\n" + token + rb":(\d+):(\d+)@@\n", stdout))
    err_marks = list(re.finditer(rb"\n" + token + rb":(\d+)@@\n", stderr))
    parts: list[Part] = []
    out_start = err_start = 0
    for index in range(count):
        out = next((m for m in out_marks if int(m.group(1)) == index), None)
        err = next((m for m in err_marks if int(m.group(1)) == index), None)
        if out is None:  # not finished: whatever it printed before the cut is all there is
            err_end = err.start() if err is not None else len(stderr)
            parts.append(Part(stdout[out_start:], stderr[err_start:err_end], None))
            parts.extend(Part(b"", b"", None) for _ in range(index + 1, count))
            return parts
        err_end = err.start() if err is not None else len(stderr)
        parts.append(Part(stdout[out_start : out.start()], stderr[err_start:err_end], int(out.group(2))))
        out_start = out.end()
        err_start = err.end() if err is not None else err_start
    return parts
