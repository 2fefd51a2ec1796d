#!/usr/bin/env bash
# The whole gate: lint, format, both strict type checkers, the test suite, the docs;
# then the test suite again on every other supported Python found on this machine.
#
# The other interpreters' virtual environments are made in the background while the
# checks run (pip waits on the disk and the network, the checks on the CPU), and their
# suites run two at a time (a suite waits on sockets and timers for some 40% of its
# time); each suite's output is printed whole when it ends. GATE_JOBS=1 runs them one
# after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
bash scripts/setup.sh python3 .venv dev
py=.venv/bin/python
jobs=${GATE_JOBS:-2}
logs=$(mktemp -d)
# On any exit, stop what still runs in the background (an environment being made, a
# suite), then drop the logs.
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$logs"' EXIT

step() { printf '\n=== %s\n' "$*"; }

find_python() {  # print a working interpreter for version $1, or nothing
  local version=$1 candidate prefix
  if command -v pyenv >/dev/null 2>&1; then
    prefix=$(pyenv versions --bare 2>/dev/null | grep -E "^${version//./\\.}(\.[0-9]+)?$" | tail -n 1 || true)
    [ -n "$prefix" ] && candidate="$(pyenv root)/versions/$prefix/bin/python$version"
    if [ -n "${candidate:-}" ] && "$candidate" -c 'pass' >/dev/null 2>&1; then
      echo "$candidate"; return
    fi
  fi
  candidate=$(command -v "python$version" || true)
  if [ -n "$candidate" ] && "$candidate" -c 'pass' >/dev/null 2>&1; then
    echo "$candidate"
  fi
}

# The other interpreters, and their environments, made in the background.
main_version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
versions=()
declare -A python_of
for version in 3.10 3.11 3.12 3.13; do
  [ "$version" = "$main_version" ] && continue
  other=$(find_python "$version")
  if [ -z "$other" ]; then
    printf '\n(python%s not found on this machine: skipped)\n' "$version"
    continue
  fi
  versions+=("$version")
  python_of[$version]=$other
done
(
  for version in "${versions[@]}"; do
    # test+lint: the typing tests run mypy and pyright on this interpreter too.
    bash scripts/setup.sh "${python_of[$version]}" ".venv-$version" test,lint \
      >"$logs/setup-$version" 2>&1 || { echo failed >"$logs/setup-failed"; exit 1; }
  done
) &
setups=$!

step "ruff"
"$py" -m ruff check .
"$py" -m ruff format --check .

step "mypy --strict"
"$py" -m mypy

step "pyright (strict)"
.venv/bin/pyright --pythonpath "$py"

step "pytest ($("$py" --version))"
"$py" -m pytest -q

step "docs (sphinx -n -W: nitpicky, warnings are errors)"
"$py" -m sphinx -n -W --keep-going -q -b html docs docs/_build/html

# Other interpreters: the suite only (the checkers above are version-independent).
if ! wait "$setups"; then
  for version in "${versions[@]}"; do
    [ -f "$logs/setup-$version" ] && cat "$logs/setup-$version"
  done
  echo "setting up the other interpreters' environments failed" >&2
  exit 1
fi

suite() {  # run the suite on version $1, its output and status into $logs
  # The packaging tests build and install the wheel: interpreter-independent, so they
  # ran once above (and the other venvs do not have the release extra).
  local status=0
  HYPOTHESIS_PROFILE=fast ".venv-$1/bin/python" -m pytest -q -p no:cacheprovider \
    -m "not packaging" >"$logs/pytest-$1" 2>&1 || status=$?
  echo "$status" >"$logs/status-$1"
}

running=0
for version in "${versions[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true  # a suite's status is in its file
    running=$((running - 1))
  fi
  suite "$version" &
  running=$((running + 1))
done
wait || true

failed=0
for version in "${versions[@]}"; do
  step "pytest on Python $version"
  cat "$logs/pytest-$version"
  status=$(cat "$logs/status-$version" 2>/dev/null || echo 1)
  [ "$status" = 0 ] || failed=1
done
exit "$failed"
