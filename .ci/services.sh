#!/usr/bin/env bash
# Starts PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) when they are not
# running, and fails loudly when they cannot be reached afterwards.
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
for i in $(seq 1 30); do
  if pg_up && redis_up; then
    echo "PostgreSQL and Redis are up"
    exit 0
  fi
  sleep 1
done
pg_up || echo "FATAL: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
redis_up || echo "FATAL: Redis is not reachable on 127.0.0.1:6379" >&2
exit 1
