"""The reports' JSON Schemas, generated from their models and committed beside them: the health
check's from ``reports.model``, the post-incident report's from ``reports.post_incident_model``.

python -m reports.schema            # rewrite reports/*-report.schema.json
python -m reports.schema --check    # exit 1 when a committed file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reports.model import HealthCheckReport
from reports.post_incident_model import PostIncidentReport

SCHEMA_FILENAME = "health-check-report.schema.json"
SCHEMA_PATH = Path(__file__).with_name(SCHEMA_FILENAME)  # the source tree's copy, for writing
POST_INCIDENT_SCHEMA_FILENAME = "post-incident-report.schema.json"
POST_INCIDENT_SCHEMA_PATH = Path(__file__).with_name(POST_INCIDENT_SCHEMA_FILENAME)
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Each report model and the file its schema is committed as.
SCHEMAS: dict[type[BaseModel], Path] = {
    HealthCheckReport: SCHEMA_PATH,
    PostIncidentReport: POST_INCIDENT_SCHEMA_PATH,
}


def generate_schema(model: type[BaseModel] = HealthCheckReport) -> dict[str, Any]:
    """The schema of the JSON a report is written as (the serialised form, not the Python input)."""
    schema = model.model_json_schema(mode="serialization")
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def schema_text(model: type[BaseModel] = HealthCheckReport) -> str:
    return json.dumps(generate_schema(model), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH, model: type[BaseModel] = HealthCheckReport) -> Path:
    path.write_text(schema_text(model), encoding="utf-8", newline="\n")
    return path


def load_schema(filename: str = SCHEMA_FILENAME) -> dict[str, Any]:
    """A committed schema as installed with the package (works from a wheel too)."""
    text = resources.files("reports").joinpath(filename).read_text(encoding="utf-8")
    return json.loads(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.schema", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the file is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = 0
        for model, path in SCHEMAS.items():
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != schema_text(model):
                print(f"{path} is out of date: run python -m reports.schema", file=sys.stderr)
                stale = 1
        return stale
    for model, path in SCHEMAS.items():
        print(write_schema(path, model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
