#!/usr/bin/env bash
# One OpenSearch 2.19 node on loopback from Maven Central jars: node.sh start|stop|status.
# The URL of a running node is in deploy/opensearch/run/url.
set -euo pipefail
NODE_DIR=$(cd "$(dirname "$0")" && pwd)
NODE_NAME=opensearch
NODE_BASE_PORT=${EDUSENTRY_OPENSEARCH_BASE_PORT:-9200}
NODE_TRANSPORT_PORTS=9300-9349
NODE_CONF=opensearch.yml
source "$NODE_DIR/runner-node.sh"
node_main "$@"
