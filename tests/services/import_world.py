"""A region to import registers into, per backend: Grünerløkka read from its real OSM clip.

``import_engine`` is a database of its own (one per backend and test session) holding region
``lokka`` (``oslo-grunerlokka.osm.pbf`` through ``add_region_from_extract``, with two districts
West and East split at 10.76 E), three organisations and one furniture model; region ``roads``
(``uppsala-central-roads.osm.pbf``, roads only: no address points) sits beside it. Tests import
through a rolled-back session, so they never see each other's rows.
"""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sitecrew.db import models as m

REGION = "lokka"
ROADS_REGION = "roads"
#: Where the districts meet (degrees east).
DISTRICT_SPLIT = 10.76
CONTRACTOR = "Løkka Bygg AS"
MAKER = "Oslo Benk AS"
OWNER = "Birkelunden Borettslag"
MODEL = "Park bench classic"
ACTOR = "cli:tester@test"

_ENGINES: dict[str, object] = {}


def _districts_file(directory: Path) -> Path:
    def box(west: float, east: float) -> dict[str, object]:
        ring = [[west, 59.917], [east, 59.917], [east, 59.936], [west, 59.936], [west, 59.917]]
        return {"type": "Polygon", "coordinates": [ring]}

    features = [
        {"type": "Feature", "properties": {"name": name}, "geometry": box(west, east)}
        for name, west, east in (("West", 10.745, DISTRICT_SPLIT), ("East", DISTRICT_SPLIT, 10.778))
    ]
    path = directory / "lokka-districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _build(backend: str, url_factory, osm_dir: Path, workdir: Path):
    from sitecrew.config import OsmSettings
    from sitecrew.db import migrate
    from sitecrew.db.engine import engine_from_url, session_factory
    from sitecrew.domain.organisations import Organisation, OrganisationKind
    from sitecrew.domain.sites import FurnitureCategory, FurnitureModel
    from sitecrew.services import furniture, organisations
    from sitecrew.services.region_setup import NewRegion, add_region_from_extract

    engine = engine_from_url(url_factory(backend, "sitecrew_imports"))
    migrate.upgrade(engine)
    osm = OsmSettings(directory=osm_dir, cache_directory=workdir / "graphs")
    with session_factory(engine).begin() as session:
        lokka = NewRegion(
            REGION,
            osm_dir / "oslo-grunerlokka.osm.pbf",
            districts_file=_districts_file(workdir),
        )
        add_region_from_extract(session, lokka, osm=osm)
        roads = NewRegion(ROADS_REGION, osm_dir / "uppsala-central-roads.osm.pbf", country="SE")
        add_region_from_extract(session, roads, osm=osm)
        for name, kind in (
            (CONTRACTOR, OrganisationKind.CONTRACTOR),
            (MAKER, OrganisationKind.FURNITURE_MAKER),
            (OWNER, OrganisationKind.OWNER),
        ):
            organisations.create_organisation(session, Organisation(name, kind))
        furniture.add_furniture_model(
            session, FurnitureModel(MODEL, FurnitureCategory.BENCH, "pine", 365)
        )
    return engine


@pytest.fixture(name="import_engine", scope="session")
def import_engine_fixture(backend: str, database_url_factory, osm_dir: Path, tmp_path_factory):
    """The import world of ``backend`` (built once per test session; see the module)."""
    if backend not in _ENGINES:
        workdir = tmp_path_factory.mktemp(f"imports-{backend}")
        _ENGINES[backend] = _build(backend, database_url_factory, osm_dir, workdir)
    return _ENGINES[backend]


@pytest.fixture(name="import_session")
def import_session_fixture(import_engine):
    """A session on the import world whose writes are rolled back after the test."""
    from tests.conftest import rolled_back_session

    with rolled_back_session(import_engine) as session:
        yield session


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ";", bom: bool = True
) -> Path:
    """Write a register as Excel does (BOM, CRLF, quotes where needed)."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """Write a register as a workbook (first sheet, header on row 1)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run_import(session, kind: str, path: Path, **options):
    """Import ``path`` and check that no row was lost (every row read has one outcome)."""
    from sitecrew.services.imports.runner import import_file

    options.setdefault("region", REGION)
    report = import_file(session, kind, path, actor=ACTOR, **options)
    outcomes = report.created + report.updated + report.unchanged + report.rejected
    assert outcomes == report.rows_read
    assert len(report.rejections) == report.rejected
    return report


def reasons(report) -> dict[int, str]:
    """The rejected rows of a report: line -> reason."""
    return {rejection.line: rejection.reason for rejection in report.rejections}


def count(session, model) -> int:
    """How many rows a table holds."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def log_lines(session) -> list[m.PersonalDataEvent]:
    """The personal-data log, oldest first."""
    return list(session.scalars(select(m.PersonalDataEvent).order_by(m.PersonalDataEvent.id)))


@contextmanager
def unchanged_tables(session, *models):
    """Assert that the tables hold as many rows after the block as before."""
    before = {model.__tablename__: count(session, model) for model in models}
    yield
    assert {model.__tablename__: count(session, model) for model in models} == before
