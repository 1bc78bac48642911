#!/usr/bin/env bash
# Make sure a local PostgreSQL 15 cluster runs and that the postgres user can log in over TCP
# with a password (works whether pg_hba says trust or scram-sha-256).
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! pg_lsclusters -h 2>/dev/null | grep -q '^15 \+main'; then
  echo "== creating PostgreSQL cluster 15/main"
  as_root pg_createcluster 15 main >/dev/null
fi
if ! pg_lsclusters -h | grep '^15 \+main' | grep -q online; then
  echo "== starting PostgreSQL 15/main"
  as_root pg_ctlcluster --skip-systemctl-redirect 15 main start 2>/dev/null \
    || as_root pg_ctlcluster 15 main start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
