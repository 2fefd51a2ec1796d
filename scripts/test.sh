#!/usr/bin/env bash
# The whole gate: lint, format, both strict type checkers, the test suite, the docs;
# then the test suite again on every other supported Python found on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
step() { printf '\n=== %s (at %d s)\n' "$*" "$SECONDS"; }

main_version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
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

# The other interpreters' environments are made in the background while the main one
# is made and the linters, the type checkers and the docs build run (one process at a
# time, they leave a core free); the gate waits for them before the first test suite,
# so that pip never runs beside the tests.
others=()
for version in 3.10 3.11 3.12 3.13; do
  [ "$version" = "$main_version" ] && continue
  other=$(find_python "$version")
  if [ -z "$other" ]; then
    printf '\n(python%s not found on this machine: skipped)\n' "$version"
    continue
  fi
  others+=("$version=$other")
done
mkdir -p .gate
(
  for pair in ${others[@]+"${others[@]}"}; do
    version=${pair%%=*}
    bash scripts/setup.sh "${pair#*=}" ".venv-$version" test >".gate/setup-$version.log" 2>&1 ||
      { echo "setup of Python $version failed: see .gate/setup-$version.log"; exit 1; }
  done
) &
setup_job=$!
# A gate that stops early (a lint error) stops the setup too: a second gate must not
# meet a pip still writing into the same venv.
trap 'kill "$setup_job" 2>/dev/null || true' EXIT

step "the main environment"
bash scripts/redis.sh  # the server the RedisBudget tests start (Debian's package)
bash scripts/setup.sh python3 .venv dev
py=.venv/bin/python
# Each suite runs on three worker processes, a test file per worker at a time (module
# fixtures stay whole): a suite waits on sockets and timers for about 40% of its time,
# so three workers keep the two cores busier than two (108 s became 79 s on 3.12).
workers=(-n 3 --dist loadfile)

step "ruff"
"$py" -m ruff check .
"$py" -m ruff format --check .
"$py" scripts/generate.py --check  # the derived files are current

step "mypy --strict"
"$py" -m mypy

step "pyright (strict)"
.venv/bin/pyright --pythonpath "$py"

step "docs (sphinx -n -W: nitpicky, warnings are errors)"
"$py" -m sphinx -n -W --keep-going -q -b html docs docs/_build/html

step "the other interpreters' environments"
wait "$setup_job"
echo "ready: ${others[*]+${others[*]%%=*}}"

step "pytest ($("$py" --version))"
"$py" -m pytest -q "${workers[@]}"

# Other interpreters: the suite only (the checkers above are version-independent).
for pair in ${others[@]+"${others[@]}"}; do
  version=${pair%%=*}
  step "pytest on Python $version"
  # The behaviour tests only: the packaging tests build and install the wheel, and the
  # typing tests run the checkers, whose verdict does not depend on the interpreter
  # running the tests; both ran once above (mypy.ini and pyright check for 3.10).
  # The multi-process budget tests (real processes on one SQLite file and one
  # redis-server) ran once above too.
  HYPOTHESIS_PROFILE=fast ".venv-$version/bin/python" -m pytest -q -p no:cacheprovider \
    "${workers[@]}" -m "not packaging and not typecheck and not multiprocess"
done
step "done"
