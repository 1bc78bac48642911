"""Time of the street basemap layer per tile (``services.tiles.streets``), after warm-up.

Usage: ``python benchmarks/street_tiles_bench.py [--region oslo] [--tiles 60] [--repeat 5]``

Loads the region's street layer once (building its graph into ``SITECREW_CACHE_DIR`` first if
needed: that time is the first line), then for zooms 12 to 16 asks for up to ``--tiles`` tiles
covering the region's manifest bbox, each ``--repeat`` times, and prints per zoom the mean and
p95 time per tile and the mean number of features. Feature building only: the MVT encoding of
the endpoint is not timed here. Ends with ``RESULT region=<r> mean_ms_z12..z16=<a>/<b>/...``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import mercantile

from sitecrew.config import Settings
from sitecrew.services.tiles.streets import street_layer, street_tile_features
from sitecrew.streets.regions import get_region_or_raise

ZOOMS = range(12, 17)


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="oslo")
    parser.add_argument("--tiles", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    osm = Settings.from_env().osm
    started = time.perf_counter()
    layer = street_layer(osm, args.region)
    print(f"load {args.region}: {time.perf_counter() - started:.2f} s, {len(layer.lines)} streets")
    west, south, east, north = get_region_or_raise(args.region, directory=osm.directory).bbox
    means = []
    for z in ZOOMS:
        tiles = list(mercantile.tiles(west, south, east, north, [z]))
        step = max(1, len(tiles) // args.tiles)
        tiles = tiles[::step][: args.tiles]
        for tile in tiles:  # warm-up
            street_tile_features(osm, args.region, z, tile.x, tile.y)
        times, counts = [], []
        for _ in range(args.repeat):
            for tile in tiles:
                t0 = time.perf_counter()
                counts.append(len(street_tile_features(osm, args.region, z, tile.x, tile.y)))
                times.append((time.perf_counter() - t0) * 1000)
        means.append(statistics.fmean(times))
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(
            f"z{z}: {len(tiles):3d} tiles  mean {means[-1]:6.2f} ms  p95 {p95:6.2f} ms  "
            f"features {statistics.fmean(counts):7.1f}"
        )
    print(f"RESULT region={args.region} mean_ms_z12..z16=" + "/".join(f"{m:.2f}" for m in means))


if __name__ == "__main__":
    main()
