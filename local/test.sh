#!/usr/bin/env bash
# Runs every test against real Redis engines: a single server (redis-server
# on 127.0.0.1:6379, started when nothing answers there) and a Redis Cluster
# of 3 masters with one replica each on free loopback ports, started here
# and stopped on exit (local/redis-cluster.sh). It fails rather than test
# without either. Extra arguments go to `go test` (e.g. -run TestName).
set -euo pipefail
cd "$(dirname "$0")/.."

redis_url="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
hostport="${redis_url#redis://}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"

ping() { (exec 3<>"/dev/tcp/$host/$port" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

# The fault tests also start redis-server processes of their own.
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "test: installing redis-server" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server redis-tools >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq redis-server redis-tools >/dev/null; fi
fi

if ! ping; then
  if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
    echo "test: no Redis answers at $hostport" >&2; exit 1
  fi
  echo "test: starting redis-server on $host:$port" >&2
  redis-server --daemonize yes --bind "$host" --port "$port" --save "" --appendonly no \
    --logfile "${TMPDIR:-/tmp}/dnd-llm-service-redis.log"
  for _ in $(seq 1 100); do ping && break; sleep 0.1; done
  ping || { echo "test: redis-server did not start; refusing to test without Redis" >&2; exit 1; }
fi

# The /docs browser test drives Debian's headless Chromium.
if [ ! -x /usr/bin/chromium ]; then
  echo "test: installing chromium" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
export TEST_REDIS_URL="$redis_url"

# The Redis packages' suites run on a cluster too. Its nodes, files and
# logs live in one temporary directory, removed on exit, failed or not.
cluster_dir=$(mktemp -d "${TMPDIR:-/tmp}/dnd-llm-service-cluster.XXXXXX")
trap 'local/redis-cluster.sh stop "$cluster_dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
started=$SECONDS
cluster_env=$(local/redis-cluster.sh start "$cluster_dir") ||
  { echo "test: the Redis Cluster did not start; refusing to test without it" >&2; exit 1; }
eval "$cluster_env"
echo "test: Redis Cluster up in $((SECONDS - started))s on $TEST_REDIS_CLUSTER" >&2

# Tests build the tools go.mod pins (the Lambda emulator, oapi-codegen)
# with the network off, so fetch every module first: a fresh machine's
# module cache has none of them.
go mod download

go test -count=1 -timeout 20m "$@" ./...
