"""Vector tile latency (issue 19): a fixed set of tiles of every database layer through the app.

Loads the demo (Oslo sentrum) and plans and publishes a day like ``api_bench`` (its world),
then picks, per layer and zoom 12-16, tiles that hold the demo's data (every tile with a site,
a flat or a district outline; the street basemap where the sites are, thinned evenly to a fixed count, so the set is the same on every
run), and requests each through the ASGI app (Starlette's TestClient, one process, no network)
with an admin token: ``routes`` with the planned day's ``date``. One warm-up pass, then
``--rounds`` measured passes. Prints a table per layer and writes
``benchmarks/results/tiles_<backend>.json``; the last line is
``RESULT backend=<b> tile_p95_ms=<ms> tiles=<n>``.

    .venv/bin/python benchmarks/tiles_bench.py --backend postgis|spatialite
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import mercantile
from sqlalchemy import func, select
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_bench_world import DAY, database_url, prepare_world  # noqa: E402
from sitecrew.config import DatabaseSettings, OsmSettings, Settings  # noqa: E402
from sitecrew.db import models as m  # noqa: E402
from sitecrew.db.engine import engine_from_url, session_factory  # noqa: E402
from sitecrew.web.app import create_app  # noqa: E402

ZOOMS = (12, 13, 14, 15, 16)
#: Tiles per layer and zoom at most (fewer where the data covers fewer tiles).
PER_ZOOM = 4
LAYERS = ("sites", "furniture", "apartments", "districts", "routes", "streets")


def _points(url: str) -> dict[str, list[tuple[float, float]]]:
    """Return where each layer has data (points; districts by their outlines' centroids)."""
    engine = engine_from_url(url)
    with session_factory(engine)() as session:

        def xy(column: object, *where: object) -> list[tuple[float, float]]:
            query = select(func.ST_X(column), func.ST_Y(column)).where(*where)  # type: ignore[arg-type]
            return [(float(x), float(y)) for x, y in session.execute(query)]

        found = {
            "sites": xy(m.Site.location),
            "furniture": xy(m.Furniture.location),
            "apartments": xy(m.Apartment.location),
            "routes": xy(
                m.RouteStop.location,
                m.RouteStop.location.is_not(None),
                m.RouteStop.route_id.in_(select(m.Route.id).where(m.Route.service_date == DAY)),
            ),
        }
        found["districts"] = xy(func.ST_Centroid(m.District.area))
        found["streets"] = found["sites"]  # the basemap where the work is
    engine.dispose()
    return found


def pick_tiles(points: dict[str, list[tuple[float, float]]]) -> list[tuple[str, int, int, int]]:
    """Return (layer, z, x, y) for tiles holding each layer's data, thinned evenly per zoom."""
    chosen = []
    for layer in LAYERS:
        for z in ZOOMS:
            tiles = sorted({tuple(mercantile.tile(lon, lat, z))[:2] for lon, lat in points[layer]})
            if not tiles:
                continue
            step = max(1, len(tiles) // PER_ZOOM)
            chosen += [(layer, z, x, y) for x, y in tiles[::step][:PER_ZOOM]]
    return chosen


def _measure(client: TestClient, token: str, tiles: list, rounds: int) -> dict[str, list]:
    headers = {"Authorization": f"Bearer {token}"}
    samples: dict[str, list] = {layer: [] for layer in LAYERS}
    for round_number in range(rounds + 1):  # the first pass warms caches and is not kept
        for layer, z, x, y in tiles:
            query = {"routes": f"?date={DAY.isoformat()}", "streets": "?region=oslo"}.get(layer, "")
            started = time.perf_counter()
            response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt{query}", headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code not in {200, 204}:
                raise SystemExit(f"{layer} {z}/{x}/{y}: {response.status_code} {response.text}")
            if round_number:
                samples[layer].append((elapsed, len(response.content)))
    return samples


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _report(backend: str, tiles: list, samples: dict[str, list], setup: dict) -> float:
    print(f"\n{'layer':<11} {'tiles':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'avg KiB':>8}")
    rows = {}
    everything = []
    for layer, found in samples.items():
        times = [t for t, _ in found]
        everything += times
        count = sum(1 for tile in tiles if tile[0] == layer)
        rows[layer] = {
            "tiles": count,
            "p50_ms": statistics.median(times),
            "p95_ms": _p95(times),
            "max_ms": max(times),
            "avg_bytes": statistics.mean(size for _, size in found),
        }
        row = rows[layer]
        print(
            f"{layer:<11} {count:>5} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['max_ms']:>8.1f} {row['avg_bytes'] / 1024:>8.1f}"
        )
    p95 = _p95(everything)
    result = {
        "backend": backend,
        "day": DAY.isoformat(),
        "tiles": len(tiles),
        "requests": len(everything),
        "tile_p50_ms": statistics.median(everything),
        "tile_p95_ms": p95,
        "layers": rows,
        "tile_set": [list(tile) for tile in tiles],
        "setup_s": setup,
    }
    out = ROOT / "benchmarks" / "results" / f"tiles_{backend}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgis", "spatialite"), default="postgis")
    parser.add_argument("--rounds", type=int, default=3, help="measured passes over the tiles")
    parser.add_argument("--reuse", type=Path, default=None, help="keep the database here")
    parser.add_argument(
        "--osm-dir",
        type=Path,
        default=Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm")),
    )
    parser.add_argument("--graph-cache", type=Path, default=ROOT / "var" / "cache" / "graphs")
    parser.add_argument("--plan-seconds", type=float, default=5.0, help="solver time in setup")
    args = parser.parse_args()
    osm = OsmSettings(directory=args.osm_dir, cache_directory=args.graph_cache)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.reuse or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        url = database_url(args.backend, workdir, reuse=args.reuse is not None)
        print(f"preparing the demo world on {args.backend} …", flush=True)
        world = prepare_world(url, osm, plan_seconds=args.plan_seconds)
        tiles = pick_tiles(_points(url))
        settings = Settings(database=DatabaseSettings(url=url), osm=osm)
        with TestClient(create_app(settings)) as client:
            samples = _measure(client, world.admin, tiles, args.rounds)
    p95 = _report(args.backend, tiles, samples, world.setup_s)
    print(f"RESULT backend={args.backend} tile_p95_ms={p95:.1f} tiles={len(tiles)}")


if __name__ == "__main__":
    main()
