"""The steering side's acceptance run of issue 13, repeated here: a noisy register, end to end.

Usage: ``python benchmarks/register_check.py [--extract oslo.osm.pbf] [--rows 3000] [--seed 7]``

It reads the real address points of an extract with pyosmium (not with Sitecrew's own reader,
so a bug there cannot hide itself), writes a register of apartments at those addresses with the
noise real registers carry, and a few dozen addresses that do not exist; then it runs, as a user
would, ``sitecrew region add`` and ``sitecrew import apartments`` on a fresh SpatiaLite file and
compares every imported apartment's point with the address point its row was made from.

The noise model is this script's own, written apart from the matcher's tests: case, spacing,
abbreviations (``gate``/``gt.``, ``veien``/``v.``, ``gata``/``g.``, ``Gamle``/``G.``), folded
Norwegian letters (``ø``/``o``/``oe``, ``å``/``aa``, ``æ``/``ae``), house letters written
``12B``, ``12 b`` and ``12-b``, missing or wrong postcodes and city names, and a dropped or
doubled letter in a long street name.

A row counts as matched right when its apartment stands on the source point or on a point with
the same street, number and letter within 150 m (OSM maps some addresses twice). It prints a
table, writes ``benchmarks/results/register_check.json`` and ends with
``RESULT rows=<n> real_matched_right_pct=<p> fakes_rejected=<k>/<f> lost=<l>``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import osmium
from pyproj import Geod
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
_GEOD = Geod(ellps="WGS84")
SAME_ADDRESS_M = 150.0
FAKE_STREETS = (
    "Blåbærstien",
    "Kongleveien",
    "Fjellbekkveien",
    "Solsikkegata",
    "Trollhaugen terrasse",
    "Måkeskrikgata",
    "Nordlysveien",
    "Gamle Sjøbodvei",
)
ABBREVIATIONS = (
    (" gate", (" gt.", " gt", " g.")),
    ("gata", ("g.", "gt.")),
    ("veien", ("v.", "vn.", "vn")),
    ("vei", ("v.",)),
    ("Gamle ", ("G. ", "Gml. ")),
    ("Sankt ", ("St. ",)),
    (" plass", (" pl.",)),
)
FOLDS = (("ø", ("o", "oe")), ("å", ("aa", "a")), ("æ", ("ae",)), ("é", ("e",)), ("ü", ("u",)))


@dataclass(frozen=True)
class Address:
    street: str
    number: str
    postcode: str | None
    city: str | None
    lon: float
    lat: float


def read_addresses(path: Path) -> list[Address]:
    """Every node with ``addr:street`` and ``addr:housenumber`` (one number, no lists)."""
    found = []
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        tags = node.tags
        street, number = tags.get("addr:street"), tags.get("addr:housenumber")
        if not street or not number or any(c in number for c in ",;-/"):
            continue
        found.append(
            Address(
                street,
                number,
                tags.get("addr:postcode"),
                tags.get("addr:city"),
                node.location.lon,
                node.location.lat,
            )
        )
    return found


def noisy_street(street: str, rng: random.Random) -> str:
    """Apply zero to three kinds of street-name noise."""
    text = street
    if rng.random() < 0.35:
        for long, shorts in ABBREVIATIONS:
            if long in text:
                text = text.replace(long, rng.choice(shorts), 1)
                break
    if rng.random() < 0.3:
        for letter, folds in FOLDS:
            if letter in text.lower():
                fold = rng.choice(folds)
                text = text.replace(letter, fold).replace(letter.upper(), fold.capitalize())
    if rng.random() < 0.05 and len(text) > 10:
        at = rng.randrange(3, len(text) - 2)
        text = (
            text[:at] + text[at + 1 :] if rng.random() < 0.5 else text[:at] + text[at] + text[at:]
        )
    case = rng.random()
    if case < 0.15:
        text = text.upper()
    elif case < 0.3:
        text = text.lower()
    if rng.random() < 0.1:
        text = f"  {text.replace(' ', '  ')} "
    return text


def noisy_number(number: str, rng: random.Random) -> str:
    """Write the house letter as registers do: ``12B``, ``12 b``, ``12-b``, ``12 B``."""
    digits = "".join(c for c in number if c.isdigit())
    letter = number[len(digits) :].strip()
    if not letter or not number.startswith(digits):
        return number
    style = rng.random()
    if style < 0.4:
        return f"{digits}{letter}"
    if style < 0.6:
        return f"{digits} {letter.lower()}"
    if style < 0.8:
        return f"{digits}{letter.lower()}"
    return f"{digits} {letter}"


def noisy_postcode(postcode: str | None, rng: random.Random, known: list[str]) -> str:
    roll = rng.random()
    if roll < 0.15 or postcode is None:
        return ""
    if roll < 0.25:
        return rng.choice(known)
    return postcode


def fakes(addresses: list[Address], rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Addresses that do not exist: made-up streets, impossible numbers, letters never mapped."""
    by_street: dict[str, set[str]] = {}
    for address in addresses:
        by_street.setdefault(address.street, set()).add(address.number.upper())
    streets = sorted(by_street)
    made: list[tuple[str, str]] = []
    while len(made) < count:
        kind = len(made) % 3
        if kind == 0:
            made.append((FAKE_STREETS[len(made) % len(FAKE_STREETS)], str(rng.randint(1, 40))))
            continue
        street = rng.choice(streets)
        numbers = by_street[street]
        digits = [int("".join(c for c in n if c.isdigit()) or 0) for n in numbers]
        if kind == 1:
            made.append((street, str(max(digits) + rng.randint(150, 400))))
        else:
            base = str(rng.choice(digits))
            letter = next((c for c in "QXZW" if f"{base}{c}" not in numbers), None)
            if letter:
                made.append((street, f"{base}{letter}"))
    return made


def write_register(
    path: Path, addresses: list[Address], rows: int, rng: random.Random, fake_count: int
) -> tuple[dict[str, Address], set[str]]:
    """Write the register; return the source address of each real row and the fake refs."""
    postcodes = sorted({a.postcode for a in addresses if a.postcode})
    sample = [rng.choice(addresses) for _ in range(rows)]
    truth: dict[str, Address] = {}
    fake_refs: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "external_ref",
                "street",
                "housenumber",
                "postcode",
                "city",
                "unit",
                "floor",
                "tenant_name",
                "tenant_phone",
                "tenant_email",
            ]
        )
        for index, address in enumerate(sample, start=1):
            ref = f"R{index:06d}"
            truth[ref] = address
            floor = rng.randint(1, 6)
            writer.writerow(
                [
                    ref,
                    noisy_street(address.street, rng),
                    noisy_number(address.number, rng),
                    noisy_postcode(address.postcode, rng, postcodes),
                    rng.choice(["Oslo", "OSLO", "", "oslo"]),
                    f"H{floor}{index % 90 + 1:02d}",
                    floor,
                    f"Tenant {index}",
                    f"+47 9{index:07d}",
                    f"t{index}@example.no",
                ]
            )
        for index, (street, number) in enumerate(fakes(addresses, rng, fake_count), start=1):
            ref = f"F{index:04d}"
            fake_refs.add(ref)
            writer.writerow([ref, street, number, "", "Oslo", "H0101", 1, "", "", ""])
    return truth, fake_refs


def key(street: str, number: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFC", street).casefold()
    return folded, number.replace(" ", "").upper()


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own command, arguments from this script)
        [sys.executable, "-m", "sitecrew", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def imported_points(url: str) -> dict[str, tuple[float, float]]:
    sys.path.insert(0, str(ROOT / "src"))
    from sqlalchemy import select  # noqa: PLC0415

    from sitecrew.db import models as m  # noqa: PLC0415
    from sitecrew.db.engine import engine_from_url, session_factory  # noqa: PLC0415
    from sitecrew.db.models._columns import from_db_geometry  # noqa: PLC0415

    engine = engine_from_url(url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(select(m.Apartment.external_ref, m.Apartment.location))
            return {
                ref: (point.x, point.y)
                for ref, location in rows
                if ref and (point := from_db_geometry(location)) is not None
            }
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", default="oslo.osm.pbf")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--fakes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    osm_dir = Path(os.environ.get("SITECREW_OSM_DIR", ROOT.parent / "shared" / "osm"))
    extract = osm_dir / options.extract
    rng = random.Random(options.seed)
    addresses = read_addresses(extract)
    index: dict[tuple[str, str], list[Address]] = {}
    for address in addresses:
        index.setdefault(key(address.street, address.number), []).append(address)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        register = work / "register.csv"
        truth, fake_refs = write_register(register, addresses, options.rows, rng, options.fakes)
        url = f"sqlite:///{work / 'check.db'}"
        env = {
            "DATABASE_URL": url,
            "SITECREW_OSM_DIR": str(osm_dir),
            "SITECREW_CACHE_DIR": str(work / "cache"),
        }
        steps = {}
        for name, args in (
            ("db upgrade", ("db", "upgrade")),
            ("region add", ("region", "add", "check", "--extract", str(extract))),
            ("import", ("import", "apartments", str(register), "--region", "check")),
        ):
            started = time.perf_counter()
            done = run(*args, env=env)
            steps[name] = round(time.perf_counter() - started, 1)
            if done.returncode != 0 and name != "import":
                sys.exit(f"{name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        print(done.stdout[-3000:])
        points = imported_points(url)
        rejects_file = register.with_name(register.name + ".rejects.csv")
        rejected = set()
        if rejects_file.is_file():
            with rejects_file.open(encoding="utf-8") as handle:
                rejected = {
                    row.get("external_ref", "") for row in csv.DictReader(handle, delimiter=";")
                }
                if not rejected - {""}:
                    handle.seek(0)
                    rejected = {row.get("external_ref", "") for row in csv.DictReader(handle)}
    right = wrong = missing = 0
    wrong_examples = []
    for ref, source in truth.items():
        point = points.get(ref)
        if point is None:
            missing += 1
            continue
        _, _, metres = _GEOD.inv(source.lon, source.lat, *point)
        same = any(
            _GEOD.inv(twin.lon, twin.lat, *point)[2] < 1.0
            for twin in index[key(source.street, source.number)]
        )
        if metres < 1.0 or (same and metres < SAME_ADDRESS_M):
            right += 1
        else:
            wrong += 1
            wrong_examples.append((ref, source.street, source.number, round(metres)))
    fakes_rejected = sum(ref not in points for ref in fake_refs)
    accounted = len(points) + len(rejected - {""})
    lost = len(truth) + len(fake_refs) - accounted
    pct = 100.0 * right / len(truth)
    table = Table(
        title=f"Register check: {options.extract}, {len(truth)} real + {len(fake_refs)} fake rows"
    )
    for column in ("measure", "value"):
        table.add_column(column)
    for name, value in (
        ("address points read", len(addresses)),
        ("real rows matched right", f"{right} ({pct:.2f} %)"),
        ("real rows matched wrong", wrong),
        ("real rows refused", missing),
        ("fake rows refused", f"{fakes_rejected}/{len(fake_refs)}"),
        ("rows lost (neither imported nor in rejects)", lost),
        *((f"seconds: {step}", seconds) for step, seconds in steps.items()),
    ):
        table.add_row(name, str(value))
    Console().print(table)
    if wrong_examples:
        print("wrong:", wrong_examples[:10])
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "rows": len(truth),
        "right": right,
        "wrong": wrong,
        "refused": missing,
        "fakes": len(fake_refs),
        "fakes_rejected": fakes_rejected,
        "lost": lost,
        "seconds": steps,
        "extract": options.extract,
        "seed": options.seed,
    }
    (RESULTS / "register_check.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(
        f"RESULT rows={len(truth) + len(fake_refs)} real_matched_right_pct={pct:.2f} "
        f"fakes_rejected={fakes_rejected}/{len(fake_refs)} lost={lost}"
    )


if __name__ == "__main__":
    main()
