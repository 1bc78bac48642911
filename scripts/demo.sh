#!/usr/bin/env bash
# The demo: install what running needs, create the embedded SpatiaLite database, load the
# central-Oslo demo world from OpenStreetMap (only into an empty database: running this again
# keeps every token, route and edit), print a fresh planner token and the URL to open, then
# serve on http://127.0.0.1:8000/ (Ctrl-C stops it).
#
# Options go to `sitecrew demo start`, e.g. `bash scripts/demo.sh --date 2026-06-02` (the
# demo's plan day; default: the next working day). To start over from scratch:
#   .venv/bin/sitecrew demo load --replace   (destroys everything in the database)
set -euo pipefail
cd "$(dirname "$0")/.."

SITECREW_SKIP_POSTGIS=1 SITECREW_INSTALL_DEV=0 SITECREW_BROWSER_TESTS=0 bash scripts/install.sh

if [ -z "${SITECREW_OSM_DIR:-}" ]; then
  if [ -f data/osm/oslo.osm.pbf ]; then SITECREW_OSM_DIR=data/osm
  elif [ -f ../shared/osm/oslo.osm.pbf ]; then SITECREW_OSM_DIR=../shared/osm
  else
    echo "No oslo.osm.pbf found: put it in data/osm/ (see data/osm/README.md) or set SITECREW_OSM_DIR" >&2
    exit 1
  fi
fi
export SITECREW_OSM_DIR

.venv/bin/sitecrew demo start "$@"
echo "Serving; next time, serve without reinstalling: .venv/bin/sitecrew serve"
exec .venv/bin/sitecrew serve
