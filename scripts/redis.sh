#!/usr/bin/env bash
# The redis-server the RedisBudget tests start on loopback (they never use a running
# one): Debian's package, installed through apt-get when it is not on PATH already.
# Without apt-get, or without root or password-less sudo, it says so and installs
# nothing (those tests are then skipped, with the reason); a failing apt-get fails.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server: $(command -v redis-server)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server not found and no apt-get here: the Redis tests will be skipped" >&2
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "redis-server not found, and apt-get needs root (no password-less sudo):" \
      "the Redis tests will be skipped" >&2
    exit 0
  fi
fi
started=$SECONDS
export DEBIAN_FRONTEND=noninteractive
${sudo[@]+"${sudo[@]}"} apt-get update -qq
${sudo[@]+"${sudo[@]}"} apt-get install -y -qq --no-install-recommends redis-server >/dev/null
if ! command -v redis-server >/dev/null 2>&1; then
  echo "apt-get installed redis-server, but it is not on PATH" >&2
  exit 1
fi
echo "redis-server installed in $((SECONDS - started)) s: $(command -v redis-server)"
