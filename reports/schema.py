"""The health-check report's JSON Schema, generated from ``reports.model`` and committed beside it.

python -m reports.schema            # rewrite reports/health-check-report.schema.json
python -m reports.schema --check    # exit 1 when the committed file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from reports.model import HealthCheckReport

SCHEMA_FILENAME = "health-check-report.schema.json"
SCHEMA_PATH = Path(__file__).with_name(SCHEMA_FILENAME)  # the source tree's copy, for writing
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def generate_schema() -> dict[str, Any]:
    """The schema of the JSON a report is written as (the serialised form, not the Python input)."""
    schema = HealthCheckReport.model_json_schema(mode="serialization")
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def schema_text() -> str:
    return json.dumps(generate_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_text(), encoding="utf-8", newline="\n")
    return path


def load_schema() -> dict[str, Any]:
    """The committed schema as installed with the package (works from a wheel too)."""
    text = resources.files("reports").joinpath(SCHEMA_FILENAME).read_text(encoding="utf-8")
    return json.loads(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.schema", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the file is stale")
    args = parser.parse_args(argv)
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != schema_text():
            print(f"{SCHEMA_PATH} is out of date: run python -m reports.schema", file=sys.stderr)
            return 1
        return 0
    print(write_schema())
    return 0


if __name__ == "__main__":
    sys.exit(main())
