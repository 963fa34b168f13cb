"""`python -m sandbox`: serve the demo estate until Ctrl-C, for developers poking at it by hand."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import threading
from pathlib import Path

import yaml

from sandbox import Sandbox, demo_estate, sandbox_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--config", type=Path, help="also write the matching config.yaml here")
    args = parser.parse_args(argv)
    estate = demo_estate()
    with Sandbox(spec for specs in estate.values() for spec in specs) as sandbox:
        names = {customer: [spec.name for spec in specs] for customer, specs in estate.items()}
        config, environment = sandbox_config(sandbox, names)
        for specs in estate.values():
            for spec in specs:
                faults = ", ".join(sorted(spec.faults)) or "healthy"
                print(f"{spec.name:20} {sandbox.url(spec.name):45} {faults}")
        print()
        for name, value in environment.items():
            print(f"export {name}={shlex.quote(value)}")
        if args.config:
            args.config.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
            print(f"\n# config written to {args.config}")
        print("\n# serving; Ctrl-C stops", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
