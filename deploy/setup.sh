#!/usr/bin/env bash
# Installs what EduSentry needs on a fresh Debian machine with Node 20:
# pnpm, the Debian packages listed in deploy/*.apt (only the missing ones),
# the workspace's packages, and (with --test) the Python reference tools.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

lists=(deploy/runtime.apt)
[ $want_test = 1 ] && lists+=(deploy/test/test.apt)
missing=()
for pkg in $(grep -hv '^#' "${lists[@]}" | tr -s ' \n' '\n' | sort -u); do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]; then
  echo "setup: installing pnpm $want_pnpm"
  npm install -g "pnpm@$want_pnpm" >/dev/null 2>&1
fi

echo "setup: installing workspace packages"
pnpm install --no-frozen-lockfile --reporter=append-only | grep -vE '^\s*$|Progress:' | tail -n 5

if [ $want_test = 1 ] && grep -qv '^#' deploy/test/requirements.txt 2>/dev/null; then
  echo "setup: installing Python reference tools"
  python3 -m pip install -q --disable-pip-version-check -r deploy/test/requirements.txt
fi
