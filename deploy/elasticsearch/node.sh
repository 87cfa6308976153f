#!/usr/bin/env bash
# One Elasticsearch 7.10.2 node on loopback from Maven Central jars: node.sh start|stop|status.
# The URL of a running node is in deploy/elasticsearch/run/url. See deploy/opensearch/README.md.
set -euo pipefail
NODE_DIR=$(cd "$(dirname "$0")" && pwd)
NODE_NAME=elasticsearch
# The runners give up above port 9299, so both bases stay below it.
NODE_BASE_PORT=${EDUSENTRY_ELASTICSEARCH_BASE_PORT:-9250}
NODE_TRANSPORT_PORTS=9350-9399
NODE_CONF=elasticsearch.yml
source "$NODE_DIR/../opensearch/runner-node.sh"
node_main "$@"
