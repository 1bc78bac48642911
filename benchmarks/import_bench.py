"""Import speed: a 22,000-flat register from real Oslo addresses, on SpatiaLite and PostGIS.

Usage: ``python benchmarks/import_bench.py [--rows 22000] [--seed 13] [--backend both]``

For each backend it makes a fresh database (a SpatiaLite file in a temporary directory; a
PostGIS database ``sitecrew_import_bench_<pid>`` on ``SITECREW_BENCH_POSTGRES_URL``, default
``postgresql://postgres:postgres@127.0.0.1:5432/postgres``, created and dropped here), adds the
region ``oslo`` from ``oslo.osm.pbf`` through ``add_region_from_extract`` (the street graph is
built once into a cache shared by both), then imports the register in one transaction, and
imports it again (every row must come back unchanged, with no version moved).

The register repeats flats over the extract's real address points (read with Sitecrew's OSM
reader): 1 to 12 flats per address, tenants on most, and the noise real registers carry on a
share of rows (``gate`` -> ``gt.``, lower case, ``12B`` -> ``12 b``, postcode missing). Half a
percent of the rows carry a house number that does not exist (they must be rejected).

It prints a table (backend, rows, seconds, rows/s, re-import seconds, rejected), writes
``benchmarks/results/import_bench.json`` and ends with
``RESULT rows=<n> seconds=<s> rows_per_s=<r>`` for SpatiaLite, the backend the issue's bar
(22,000 rows in under 60 s) is set on; the PostGIS figures are in the table and the JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sitecrew.config import OsmSettings  # noqa: E402
from sitecrew.db import migrate  # noqa: E402
from sitecrew.db import models as m  # noqa: E402
from sitecrew.db.engine import engine_from_url, refresh_statistics, session_factory  # noqa: E402
from sitecrew.places.addresses import addresses_from_extract  # noqa: E402
from sitecrew.services.imports.runner import import_file  # noqa: E402
from sitecrew.services.region_setup import NewRegion, add_region_from_extract  # noqa: E402

HEADER = [
    "external_ref", "street", "housenumber", "postcode", "city", "unit", "floor",
    "tenant_name", "tenant_phone", "tenant_email",
]  # fmt: skip
NAMES = ("Kari", "Ola", "Ingrid", "Per", "Aisha", "Mohammed", "Nora", "Jonas", "Sara", "Emil")
SURNAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Ali", "Nguyen", "Dahl", "Moe")
NOISE_SHARE = 0.15
FAKE_SHARE = 0.005


def _noisy(street: str, number: str, rng: random.Random) -> tuple[str, str]:
    choice = rng.random()
    if choice < 0.3 and street.endswith("gate"):
        return street[: -len("gate")] + "gt.", number
    if choice < 0.6:
        return street.lower(), number.lower()
    if number[-1:].isalpha():
        return street, f"{number[:-1]} {number[-1].lower()}"
    return street.upper(), number


def write_register(path: Path, extract: Path, *, rows: int, seed: int) -> dict[str, int]:
    """Write the register; return how many rows are real and how many do not exist."""
    rng = random.Random(seed)
    points = [a for a in addresses_from_extract(extract).addresses if a.street and a.housenumber]
    rng.shuffle(points)
    written = fakes = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for index in range(rows):
            address = points[(index // 6) % len(points)]
            street, number = address.street, address.housenumber
            postcode = address.postcode or ""
            if rng.random() < NOISE_SHARE:
                street, number = _noisy(street, number, rng)
                postcode = "" if rng.random() < 0.5 else postcode
            if rng.random() < FAKE_SHARE:
                number, fakes = "9999", fakes + 1
            floor = index % 6 + 1
            tenant = rng.random() < 0.8
            name = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}" if tenant else ""
            phone = f"+47 9{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(100, 999)}"
            email = f"tenant{index}@example.no" if tenant and rng.random() < 0.5 else ""
            writer.writerow([
                f"FLAT-{index:06d}", street, number, postcode, address.city or "Oslo",
                f"H{floor:02d}{index % 97:02d}-{index}", floor, name, phone if tenant else "", email,
            ])  # fmt: skip
            written += 1
    return {"rows": written, "fakes": fakes}


def _postgres_admin() -> str:
    return os.environ.get(
        "SITECREW_BENCH_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
    )


def _postgres_database(name: str, *, create: bool) -> str:
    admin_url = make_url(_postgres_admin()).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(_postgres_admin()).set(database=name)
    if create:
        engine = create_engine(url.set(drivername="postgresql+psycopg"))
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
    return url.render_as_string(hide_password=False)


def run_backend(backend: str, url: str, register: Path, extract: Path, osm: OsmSettings) -> dict:
    """Add the region, import the register twice; return the figures."""
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    started = time.perf_counter()
    with sessions.begin() as session:
        add_region_from_extract(session, NewRegion("oslo", extract), osm=osm)
    region_s = time.perf_counter() - started
    refresh_statistics(engine)
    started = time.perf_counter()
    with sessions.begin() as session:
        first = import_file(session, "apartments", register, region="oslo", actor="bench")
    import_s = time.perf_counter() - started
    with sessions() as session:
        versions_before = session.scalar(select(func.sum(m.Apartment.version)))
    started = time.perf_counter()
    with sessions.begin() as session:
        again = import_file(session, "apartments", register, region="oslo", actor="bench")
    reimport_s = time.perf_counter() - started
    with sessions() as session:
        versions_after = session.scalar(select(func.sum(m.Apartment.version)))
        flats = session.scalar(select(func.count()).select_from(m.Apartment))
    engine.dispose()
    if again.created or again.updated or versions_before != versions_after:
        msg = f"{backend}: re-import changed rows: {again.counts()}"
        raise SystemExit(msg)
    return {
        "backend": backend,
        "rows": first.rows_read,
        "created": first.created,
        "rejected": first.rejected,
        "flats_stored": flats,
        "qualities": first.qualities,
        "buildings_created": first.extra.get("buildings created", 0),
        "region_add_s": round(region_s, 2),
        "import_s": round(import_s, 2),
        "rows_per_s": round(first.rows_read / import_s, 1),
        "reimport_s": round(reimport_s, 2),
        "reimport_unchanged": again.unchanged,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=22_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--backend", choices=("both", "spatialite", "postgis"), default="both")
    parser.add_argument("--extract", type=Path, default=None)
    args = parser.parse_args()
    osm_dir = Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm"))
    extract = args.extract or osm_dir / "oslo.osm.pbf"
    console = Console()
    backends = ("spatialite", "postgis") if args.backend == "both" else (args.backend,)
    results = []
    with tempfile.TemporaryDirectory(prefix="import-bench-") as workdir:
        work = Path(workdir)
        register = work / "register.csv"
        made = write_register(register, extract, rows=args.rows, seed=args.seed)
        console.print(f"register: {made['rows']} rows, {made['fakes']} non-existent addresses")
        osm = OsmSettings(directory=osm_dir, cache_directory=work / "graphs")
        for backend in backends:
            if backend == "spatialite":
                url = f"sqlite:///{work / 'bench.db'}"
            else:
                url = _postgres_database(f"sitecrew_import_bench_{os.getpid()}", create=True)
            try:
                with console.status(f"{backend}: region add, import, re-import"):
                    results.append(run_backend(backend, url, register, extract, osm))
            finally:
                if backend == "postgis":
                    _postgres_database(f"sitecrew_import_bench_{os.getpid()}", create=False)
    table = Table(title=f"Apartment import, {args.rows} rows from {extract.name}")
    for column in ("backend", "rows", "seconds", "rows/s", "re-import s", "rejected", "region add s"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for r in results:
        table.add_row(
            r["backend"], str(r["rows"]), f"{r['import_s']:.2f}", f"{r['rows_per_s']:.0f}",
            f"{r['reimport_s']:.2f}", str(r["rejected"]), f"{r['region_add_s']:.1f}",
        )  # fmt: skip
    console.print(table)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    payload = {"register": made, "seed": args.seed, "extract": extract.name, "results": results}
    (out / "import_bench.json").write_text(json.dumps(payload, indent=2))
    # The bar is set on SpatiaLite; with --backend postgis the PostGIS figure is reported.
    headline = next((r for r in results if r["backend"] == "spatialite"), results[0])
    print(
        f"RESULT rows={headline['rows']} seconds={headline['import_s']:.2f} "
        f"rows_per_s={headline['rows_per_s']:.0f}"
    )


if __name__ == "__main__":
    main()
