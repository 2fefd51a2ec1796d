#!/usr/bin/env bash
# Install chump_typed alone (no extras: the demo needs none) into .venv-demo and run
# the demo against the embedded fake Pushover.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-demo/bin/python ]; then
  python3 -m venv .venv-demo
fi
.venv-demo/bin/python -m pip install --quiet --disable-pip-version-check -e . >/dev/null
exec .venv-demo/bin/python -m chump_typed demo
