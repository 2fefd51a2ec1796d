#!/usr/bin/env bash
# Install chump_typed with the one extra the demo needs, [receive] (websockets, for
# its receiving device's realtime stream), into .venv-demo and run the demo against
# the embedded fake Pushover.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-demo/bin/python ]; then
  python3 -m venv .venv-demo
fi
.venv-demo/bin/python -m pip install --quiet --disable-pip-version-check -e ".[receive]" >/dev/null
exec .venv-demo/bin/python -m chump_typed demo
