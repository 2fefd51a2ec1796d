#!/usr/bin/env bash
# Install chump_typed into .venv and run the demo against the embedded fake Pushover.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh python3 .venv dev >/dev/null
exec .venv/bin/python -m chump_typed demo
