#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs everything the tests need,
# starts a real OpenSearch 2.19 and Elasticsearch 7.10 node, then typecheck, lint, test.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/setup.sh --test

nodes=()
stop_nodes() { for n in "${nodes[@]}"; do bash "deploy/$n/node.sh" stop || true; done; }
trap stop_nodes EXIT
for n in opensearch elasticsearch; do
  if [ -x "deploy/$n/node.sh" ]; then
    bash "deploy/$n/node.sh" start
    nodes+=("$n")
  fi
done
[ -f deploy/opensearch/run/url ] && export EDUSENTRY_TEST_OPENSEARCH_URL=$(cat deploy/opensearch/run/url)
[ -f deploy/elasticsearch/run/url ] && export EDUSENTRY_TEST_ELASTICSEARCH_URL=$(cat deploy/elasticsearch/run/url)

# Not -s for these two: silent mode would hide the compiler's and linter's messages from the CI log.
echo "== typecheck"; pnpm typecheck
echo "== lint"; pnpm lint
echo "== format"; pnpm exec prettier --check .
echo "== test"; pnpm -s test
# OpenAPI-driven fuzzing of a running console, logged in as each role (no 5xx, no schema violations).
echo "== fuzz console"; python3 deploy/test/fuzz-console.py
