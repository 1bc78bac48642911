#!/usr/bin/env bash
# The whole test suite, as CI runs it: install, start PostGIS, lint, type-check, layer contracts,
# then every test (database tests on both PostGIS and SpatiaLite; a missing backend fails).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
bash scripts/postgres.sh
bash scripts/redis.sh  # the task queue and live updates are tested against a real Redis

export SITECREW_TEST_POSTGRES_URL="${SITECREW_TEST_POSTGRES_URL:-postgresql://postgres:postgres@127.0.0.1:5432/sitecrew_test}"
export SITECREW_TEST_REDIS_URL="${SITECREW_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export SITECREW_OSM_DIR="${SITECREW_OSM_DIR:-$(cd .. && pwd)/shared/osm}"

echo "== ruff";          .venv/bin/ruff check src tests benchmarks
echo "== mypy";          .venv/bin/mypy
echo "== import layers"; .venv/bin/lint-imports
echo "== pytest (backends: postgis, spatialite)"
.venv/bin/python -m pytest --require-all-backends -v -p no:cacheprovider "$@"
