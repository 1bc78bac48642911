#!/usr/bin/env bash
# Make sure a local Redis answers on 127.0.0.1:6379 (the task queue and live-update tests use
# it): install Debian's redis-server when it is missing, start it when it is down. It keeps
# nothing on disk; tests use their own key prefixes and delete only their keys.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "== installing redis-server"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
echo "== starting Redis on 127.0.0.1:6379"
mkdir -p /tmp/sitecrew-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /tmp/sitecrew-redis --logfile /tmp/sitecrew-redis/redis.log
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && exit 0
  sleep 0.5
done
echo "error: Redis did not start (see /tmp/sitecrew-redis/redis.log)" >&2
exit 1
