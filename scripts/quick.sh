#!/usr/bin/env bash
# The contributor's quick check: one Python, no docs build, no other interpreters.
# ruff, both strict type checkers and the test suite, in .venv (made as the gate
# makes it). Extra arguments go to pytest: bash scripts/quick.sh tests/unit -x
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
bash scripts/setup.sh python3 .venv dev
py=.venv/bin/python
"$py" -m ruff check .
"$py" -m ruff format --check .
"$py" scripts/generate.py --check  # the derived files are current
"$py" -m mypy
.venv/bin/pyright --pythonpath "$py"
# With no arguments, the whole suite on three workers, as the gate runs it.
if [ $# -eq 0 ]; then set -- -n 3 --dist loadfile; fi
"$py" -m pytest -q "$@"
