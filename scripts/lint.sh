#!/usr/bin/env bash
# The linters and the type checker, as CI runs them (after ./scripts/setup.sh --test). Each runs even
# when one before it failed, so one run shows every problem; the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
run() {
  echo "lint: $*" >&2
  "$@" || status=1
}
run .venv/bin/ruff check .
run .venv/bin/ruff format --check .
run .venv/bin/mypy  # the packages and settings are in pyproject.toml's [tool.mypy]
exit $status
