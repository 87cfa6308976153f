#!/usr/bin/env bash
# Installs EduSentry and starts the whole system on the embedded store, with sample traffic.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/setup.sh
if [ ! -f console/web/dist/index.html ]; then
  echo "setup: building the console's web app"
  pnpm -s --filter @edusentry/console-web build >/dev/null
fi
exec pnpm -s edusentry start "$@"
