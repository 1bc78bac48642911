#!/usr/bin/env bash
# The demo: install, create the embedded SpatiaLite database, load the central-Oslo demo world
# from OpenStreetMap, then serve the API on http://127.0.0.1:8000 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."

SITECREW_SKIP_POSTGIS=1 bash scripts/install.sh

if [ -z "${SITECREW_OSM_DIR:-}" ]; then
  if [ -f data/osm/oslo.osm.pbf ]; then SITECREW_OSM_DIR=data/osm
  elif [ -f ../shared/osm/oslo.osm.pbf ]; then SITECREW_OSM_DIR=../shared/osm
  else
    echo "No oslo.osm.pbf found: put it in data/osm/ (see data/osm/README.md) or set SITECREW_OSM_DIR" >&2
    exit 1
  fi
fi
export SITECREW_OSM_DIR

.venv/bin/sitecrew db upgrade
.venv/bin/sitecrew demo load --replace
exec .venv/bin/sitecrew serve
