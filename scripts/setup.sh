#!/usr/bin/env bash
# Create (or update) the project's virtual environment in .venv with every extra.
# Usage: scripts/setup.sh [PYTHON] [VENV_DIR] [EXTRAS]
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-python3}"
venv="${2:-.venv}"
extras="${3:-dev}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
