#!/usr/bin/env bash
# Starts or stops a Redis Cluster for the tests: 3 masters with one replica
# each, on free loopback ports, with a 1 s cluster-node-timeout so that a
# failover is quick. local/test.sh runs it; to run the Redis packages' tests
# by hand:
#
#   eval "$(local/redis-cluster.sh start)"   # exports TEST_REDIS_CLUSTER(_DIR)
#   go test ./shared/queue/
#   local/redis-cluster.sh stop "$TEST_REDIS_CLUSTER_DIR"
#
# start [DIR] keeps the nodes' files and pid files in DIR (a new temporary
# directory by default), prints the export lines on stdout and its progress
# on stderr. It fails, and stops what it started, unless every node reports
# cluster_state:ok within 60 s. stop DIR stops the nodes started in DIR and
# removes it.
set -euo pipefail

nodes=6
deadline_s=60

log() { echo "redis-cluster: $*" >&2; }

# stop_nodes DIR stops every node whose pid file is in DIR and removes DIR.
stop_nodes() {
  local dir=$1 f pid
  [ -d "$dir" ] || return 0
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
  done
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }

# start_node DIR: starts one node on a free port (a node's cluster bus is
# its port + 10000, so both must be free) and prints the port.
start_node() {
  local dir=$1 port pid
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 20000))
    if listening "$port" || listening $((port + 10000)) || [ -e "$dir/$port.pid" ]; then
      continue
    fi
    mkdir -p "$dir/$port"
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 1000 \
      --save "" --appendonly no --dir "$dir/$port" --logfile "$dir/$port/redis.log" \
      </dev/null >/dev/null 2>&1 &
    pid=$!
    echo "$pid" >"$dir/$port.pid"
    for _ in $(seq 1 100); do
      if [ "$(cli "$port" ping)" = PONG ]; then echo "$port"; return 0; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    # Another process took the port first: try another one.
    kill "$pid" 2>/dev/null || true
    rm -f "$dir/$port.pid"
  done
  log "no node would start (see $dir/*/redis.log)"
  return 1
}

# wait_ok PORT...: every node reports cluster_state:ok, knows them all and
# has its replica (a master) or its master's link up (a replica).
wait_ok() {
  local end=$((SECONDS + deadline_s)) p ok
  while [ $SECONDS -lt $end ]; do
    ok=1
    for p in "$@"; do
      info=$(cli "$p" cluster info || true)
      if ! grep -q '^cluster_state:ok' <<<"$info" || ! grep -q "^cluster_known_nodes:$#" <<<"$info"; then
        ok=0
        break
      fi
      # Every master has its replica attached and every replica is in sync,
      # so that CLUSTER SLOTS lists both for every range.
      repl=$(cli "$p" info replication || true)
      if ! grep -q '^connected_slaves:1' <<<"$repl" && ! grep -q '^master_link_status:up' <<<"$repl"; then
        ok=0
        break
      fi
    done
    [ $ok = 1 ] && return 0
    sleep 0.1
  done
  log "the cluster did not reach cluster_state:ok within ${deadline_s}s"
  return 1
}

start() {
  local dir=${1:-} ports=() addrs=() p
  [ -n "$dir" ] || dir=$(mktemp -d "${TMPDIR:-/tmp}/redis-cluster.XXXXXX")
  mkdir -p "$dir"
  # On failure, leave nothing running.
  started_dir=$dir
  trap 'status=$?; if [ $status -ne 0 ]; then stop_nodes "$started_dir"; fi; exit $status' EXIT
  for _ in $(seq 1 $nodes); do
    p=$(start_node "$dir")
    ports+=("$p")
    addrs+=("127.0.0.1:$p")
  done
  log "nodes on ${addrs[*]}"
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
    { log "cluster create failed:"; cat "$dir/create.log" >&2; return 1; }
  wait_ok "${ports[@]}"
  echo "export TEST_REDIS_CLUSTER=$(IFS=,; echo "${addrs[*]}")"
  echo "export TEST_REDIS_CLUSTER_DIR=$dir"
}

case "${1:-}" in
start) start "${2:-}" ;;
stop)
  [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
  stop_nodes "$2"
  ;;
*)
  echo "usage: $0 start [DIR] | stop DIR" >&2
  exit 2
  ;;
esac
