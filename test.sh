#!/usr/bin/env bash
# Set up (first time) and run every check: lint, types, the test suite.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/pytest ] || [ pyproject.toml -nt .venv/.installed ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[dev]"
  touch .venv/.installed
fi
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/pytest "$@"
