#!/usr/bin/env bash
# Installs EduSentry and starts the whole system on the embedded store, with sample traffic.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/setup.sh
exec pnpm -s edusentry start "$@"
