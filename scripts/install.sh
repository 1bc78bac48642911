#!/usr/bin/env bash
# Install what Sitecrew needs on a fresh Debian/Ubuntu machine: SpatiaLite, PostGIS (for the
# production backend and the tests), and a virtualenv in .venv with the package and its tools.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
dpkg -s libsqlite3-mod-spatialite >/dev/null 2>&1 || need_apt+=(libsqlite3-mod-spatialite)
if [ "${SITECREW_SKIP_POSTGIS:-}" != "1" ]; then
  dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || need_apt+=(postgresql-15 postgresql-15-postgis-3)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "== installing sitecrew and its tools into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
