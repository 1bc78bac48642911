#!/usr/bin/env bash
# Install what Sitecrew needs on a fresh Debian/Ubuntu machine: SpatiaLite, PostGIS (for the
# production backend and the tests), a virtualenv in .venv with the package and its tools, the
# browser console's files (pinned npm packages, checked, into src/sitecrew/web/static/vendor/)
# and Chromium for the browser test.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
dpkg -s libsqlite3-mod-spatialite >/dev/null 2>&1 || need_apt+=(libsqlite3-mod-spatialite)
if [ "${SITECREW_SKIP_POSTGIS:-}" != "1" ]; then
  dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || need_apt+=(postgresql-15 postgresql-15-postgis-3)
fi
# Node.js and npm fetch the browser console's files (GraphiQL, React) from the npm registry.
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
# The browser test drives Debian's Chromium (SITECREW_BROWSER_TESTS=0 skips it and the test).
if [ "${SITECREW_BROWSER_TESTS:-1}" != "0" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
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
# SITECREW_INSTALL_DEV=0 installs only what running needs (the demo); the default adds the
# development tools (pytest, mypy, ruff, ...) that the tests and CI use.
if [ "${SITECREW_INSTALL_DEV:-1}" = "0" ]; then
  echo "== installing sitecrew into .venv (no development tools)"
  package="."
else
  echo "== installing sitecrew and its development tools into .venv"
  package=".[dev]"
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e "$package"

# GraphiQL and React for the console at /console: pinned tarballs from the npm registry, checked
# against their SHA-512; nothing is fetched when the files are already there and intact.
# Without them the API still serves and /console says how to get them, so this never stops the
# install; the console tests fail instead.
echo "== console assets (GraphiQL, React)"
.venv/bin/python -m sitecrew.web.assets || echo "warning: console assets not fetched; /console will say how" >&2
