#!/usr/bin/env bash
# Starts PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379) and a 3-primary Redis
# Cluster (127.0.0.1:7001-7003, for the Redis adapter's cluster tests) when they are not
# running, and fails loudly when they cannot be reached afterwards. Safe to run again.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! redis_up; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi

# Redis Cluster: three primaries, no replicas, nothing persisted. Each node keeps its
# cluster config in a directory of its own; a node that is not running starts empty, and
# a cluster that is not whole (a node restarted, slots unassigned) is reset and created
# again: its data is test data only.
CLUSTER_PORTS=(7001 7002 7003)
CLUSTER_DIR="${TMPDIR:-/tmp}/bharatauth-redis-cluster"
node_up() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }
cluster_ok() {
  for p in "${CLUSTER_PORTS[@]}"; do
    redis-cli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    [ "$(redis-cli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')" = "${#CLUSTER_PORTS[@]}" ] || return 1
  done
}
if ! cluster_ok; then
  echo "starting the Redis Cluster on 127.0.0.1:${CLUSTER_PORTS[0]}-${CLUSTER_PORTS[-1]}"
  for p in "${CLUSTER_PORTS[@]}"; do
    node_up "$p" && continue
    rm -rf "$CLUSTER_DIR/$p" && mkdir -p "$CLUSTER_DIR/$p"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$p" --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 2000 --save "" --appendonly no \
      --dir "$CLUSTER_DIR/$p" --logfile "$CLUSTER_DIR/$p/redis.log"
  done
  for i in $(seq 1 50); do
    all=1; for p in "${CLUSTER_PORTS[@]}"; do node_up "$p" || all=0; done
    [ "$all" = 1 ] && break
    sleep 0.2
  done
  addrs=()
  for p in "${CLUSTER_PORTS[@]}"; do
    node_up "$p" || { echo "FATAL: Redis Cluster node 127.0.0.1:$p did not start (see $CLUSTER_DIR/$p/redis.log)" >&2; exit 1; }
    redis-cli -h 127.0.0.1 -p "$p" flushall >/dev/null
    redis-cli -h 127.0.0.1 -p "$p" cluster reset hard >/dev/null
    addrs+=("127.0.0.1:$p")
  done
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1 ||
    { cat "$CLUSTER_DIR/create.log" >&2; echo "FATAL: redis-cli --cluster create failed" >&2; exit 1; }
  for i in $(seq 1 100); do
    cluster_ok && break
    sleep 0.2
  done
  cluster_ok || { echo "FATAL: the Redis Cluster on 127.0.0.1:${CLUSTER_PORTS[0]}-${CLUSTER_PORTS[-1]} is not ok" >&2; exit 1; }
fi

for i in $(seq 1 30); do
  if pg_up && redis_up; then
    echo "PostgreSQL, Redis and the Redis Cluster are up"
    exit 0
  fi
  sleep 1
done
pg_up || echo "FATAL: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
redis_up || echo "FATAL: Redis is not reachable on 127.0.0.1:6379" >&2
exit 1
