"""A separate process that logs work into a ledger, for the concurrency and crash tests.

    python -m tests.agent.ledger.worker URL NAME COUNT [--shared N] [--crash-at K]

Prints "ready" once the ledger is open, waits for a line on stdin, then logs COUNT entries of 15
minutes against customer "acme" with report ids "NAME-i" (and, between them, N report ids
"shared-j" that every worker submits), printing one line per attempt after its transaction ended:
"ok ID REPORT", "again ID REPORT" (an existing entry returned) or "refused REPORT". With --crash-at K
the process kills itself with SIGKILL in the middle of its K-th entry: after the entry's row is
inserted and before its movement is, inside the open transaction.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from sqlalchemy import event

from agent.ledger import Ledger, RefusedError, SupportTerms

TERMS = SupportTerms(currency="GBP", rounding_minutes=15, overdraft=False)


def _arm_crash(ledger: Ledger, at: int) -> None:
    entries = 0

    @event.listens_for(ledger.engine, "before_cursor_execute")
    def _kill_mid_entry(_conn, _cursor, statement: str, *_rest: object) -> None:
        nonlocal entries
        if statement.lstrip().upper().startswith("INSERT INTO LEDGER_MOVEMENTS"):
            entries += 1
            if entries == at:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("name")
    parser.add_argument("count", type=int)
    parser.add_argument("--shared", type=int, default=0)
    parser.add_argument("--crash-at", type=int, default=0)
    args = parser.parse_args()
    ledger = Ledger.open(args.url, recorded_by=f"worker-{args.name}")
    if args.crash_at:
        _arm_crash(ledger, args.crash_at)
    print("ready", flush=True)
    sys.stdin.readline()
    own = [f"{args.name}-{i}" for i in range(args.count)]
    shared = [f"shared-{j}" for j in range(args.shared)]
    # The shared ids are spread through the run, so every worker submits each at about the same moment.
    step = max(1, len(own) // len(shared)) if shared else len(own)
    plan: list[str] = []
    for j, report in enumerate(shared):
        plan += [*own[j * step : (j + 1) * step], report]
    plan += own[len(shared) * step :]
    for report in plan:
        try:
            recorded = ledger.log(
                "acme", activity_id="incident", minutes=15, engineer=args.name, terms=TERMS, report_id=report
            )
        except RefusedError:
            print(f"refused {report}", flush=True)
            continue
        print(f"{'ok' if recorded.created else 'again'} {recorded.entry.id} {report}", flush=True)
    ledger.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
