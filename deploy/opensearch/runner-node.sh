# Shared by deploy/opensearch/node.sh and deploy/elasticsearch/node.sh (sourced, not run):
# one node of a codelibs runner (OpenSearch or Elasticsearch in one JVM), started from the
# jars Maven resolves for the pom.xml beside the calling script.
#
# The caller sets: NODE_DIR (its directory, with pom.xml and EduNode.java: the runner's main
# plus the ingest role, run by java in source-file mode), NODE_NAME,
# NODE_BASE_PORT (HTTP port is base + 1; the runner probes upwards while a port is taken,
# so the real one is read from its output), NODE_TRANSPORT_PORTS (a range of its own, so
# the two nodes never fight over 9300), NODE_CONF (opensearch.yml or elasticsearch.yml).
# Environment: EDUSENTRY_NODE_HEAP (default 768m), EDUSENTRY_NODE_WAIT_S (default 180),
# EDUSENTRY_NODE_RUN_DIR (default <node dir>/run; a private node gets a directory of its own).

RUN="${EDUSENTRY_NODE_RUN_DIR:-$NODE_DIR/run}"
PID_FILE="$RUN/pid"
LOG="$RUN/node.log"
HEAP="${EDUSENTRY_NODE_HEAP:-768m}"
WAIT_S="${EDUSENTRY_NODE_WAIT_S:-180}"

die() { echo "$NODE_NAME: $*" >&2; exit 1; }

# Alive and still our JVM (a stale pid file may name a reused pid).
running() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$NODE_DIR/EduNode.java"
}

classpath() {
  local cp="$NODE_DIR/target/classpath.txt"
  if [ ! -s "$cp" ] || [ "$NODE_DIR/pom.xml" -nt "$cp" ]; then
    command -v mvn >/dev/null || die "Maven (mvn) is not installed: apt-get install maven openjdk-17-jdk-headless"
    echo "$NODE_NAME: resolving the runner jars with Maven (first start only)" >&2
    mkdir -p "$NODE_DIR/target"
    (cd "$NODE_DIR" && mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >"$NODE_DIR/target/mvn.log" 2>&1) ||
      { tail -n 20 "$NODE_DIR/target/mvn.log" >&2; die "could not resolve the runner jars (log: $NODE_DIR/target/mvn.log)"; }
  fi
  cat "$cp"
}

write_config() {
  local conf="$RUN/base/node_1/config"
  mkdir -p "$conf" "$RUN/snapshots"
  # The runner copies its own (empty) yml only when none exists, so ours wins.
  cat >"$conf/$NODE_CONF" <<YML
network.host: 127.0.0.1
transport.port: $NODE_TRANSPORT_PORTS
discovery.type: single-node
# Big or nearly full disks must not block shard allocation on a test node.
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
# Where fs snapshot repositories may live (edusentry backup: the store's snapshot).
path.repo: ["$RUN/snapshots"]
YML
}

http_port() { sed -n 's/^HTTP Port: *\([0-9][0-9]*\).*/\1/p' "$LOG" | tail -n 1; }

fail_start() {
  echo "$NODE_NAME: $1; last lines of $LOG:" >&2
  tail -n 40 "$LOG" >&2 || true
  stop_node >/dev/null 2>&1 || true
  exit 1
}

start_node() {
  if running; then
    echo "$NODE_NAME: already running at $(cat "$RUN/url" 2>/dev/null)"
    return 0
  fi
  command -v java >/dev/null || die "Java is not installed: apt-get install openjdk-17-jdk-headless"
  command -v curl >/dev/null || die "curl is not installed: apt-get install curl"
  local cp
  cp=$(classpath)
  mkdir -p "$RUN"
  rm -f "$RUN/url" "$PID_FILE"
  write_config
  : >"$LOG"
  setsid nohup java -Xms256m -Xmx"$HEAP" -XX:+UseG1GC -Djava.awt.headless=true -Dfile.encoding=UTF-8 \
    -cp "$cp" "$NODE_DIR/EduNode.java" -basePath "$RUN/base" -numOfNode 1 -baseHttpPort "$NODE_BASE_PORT" \
    -clusterName "edusentry-$NODE_NAME" -printOnFailure >>"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PID_FILE"

  # kill -0, not running(): until the fork has exec'd java, the child's command line is
  # still this script's, so a command-line check here would report a live JVM as dead.
  local deadline=$((SECONDS + WAIT_S)) port="" url=""
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || fail_start "the JVM exited during start"
    [ -z "$port" ] && port=$(http_port)
    if [ -n "$port" ]; then
      url="http://127.0.0.1:$port"
      if curl -sf "$url/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null | grep -qE '"status":"(green|yellow)"'; then
        # Also as a cluster setting, for data directories made before the yml above.
        curl -sf -XPUT "$url/_cluster/settings" -H 'Content-Type: application/json' \
          -d '{"persistent":{"cluster.routing.allocation.disk.threshold_enabled":false}}' >/dev/null ||
          fail_start "could not apply cluster settings at $url"
        echo "$url" >"$RUN/url"
        echo "$NODE_NAME: up at $url (pid $(cat "$PID_FILE"), log $LOG)"
        return 0
      fi
    fi
    sleep 1
  done
  fail_start "not healthy (yellow/green) within ${WAIT_S}s${url:+ at $url}"
}

stop_node() {
  if ! running; then
    rm -f "$PID_FILE" "$RUN/url"
    echo "$NODE_NAME: not running"
    return 0
  fi
  local pid
  pid=$(cat "$PID_FILE")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$NODE_NAME: did not stop within 30s after SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE" "$RUN/url"
  echo "$NODE_NAME: stopped"
}

status_node() {
  if running && [ -f "$RUN/url" ]; then
    local url
    url=$(cat "$RUN/url")
    local health
    health=$(curl -sf "$url/_cluster/health" 2>/dev/null | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
    echo "$NODE_NAME: running at $url (pid $(cat "$PID_FILE"), health ${health:-unknown})"
  else
    echo "$NODE_NAME: not running"
    return 3
  fi
}

node_main() {
  case "${1:-}" in
    start) start_node ;;
    stop) stop_node ;;
    status) status_node ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
  esac
}
