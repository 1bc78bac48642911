"""Sites from OpenStreetMap areas, furniture placed inside them, and years of maintenance."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from shapely.geometry import Point
from sqlalchemy import insert

from sitecrew.db import models as m
from sitecrew.domain.jobs import MaintenanceAction, MaintenanceRecord, WearType
from sitecrew.domain.sites import Furniture, FurnitureModel, Site, SiteKind
from sitecrew.services import furniture as furniture_service
from sitecrew.services import sites
from sitecrew.services.care.defaults import add_default_plans
from sitecrew.services.demo.catalogue import CATALOGUE, OILED_MATERIALS, ModelSpec

if TYPE_CHECKING:
    from shapely.geometry import MultiPolygon, Polygon
    from sqlalchemy.orm import Session

    from sitecrew.places.extract import OsmArea, Places
    from sitecrew.services.demo.world import DemoWorld
    from sitecrew.services.progress import ProgressCallback

#: (OSM kind, site kind, owner key, how many areas at most, furniture per site range)
SITE_SOURCES = (
    ("school", SiteKind.SCHOOLYARD, "schools", 100, (5, 12)),
    ("residential", SiteKind.HOUSING_COOPERATIVE, "cooperatives", 100, (4, 10)),
    ("park", SiteKind.PARK, "parks", 25, (3, 8)),
)
HISTORY_STARTS = date(2018, 4, 1)
SCHOOL_ACCESS = "Schoolyard: noisy work only outside school hours (before 08:00 or after 14:00)"
WEAR_BY_MATERIAL = {
    "pine": (WearType.WEATHERING, WearType.CRACKING, WearType.ROT, WearType.GRAFFITI),
    "larch": (WearType.WEATHERING, WearType.CRACKING, WearType.LOOSE_FIXINGS),
    "oak": (WearType.WEATHERING, WearType.CRACKING, WearType.VANDALISM),
}
METAL_WEAR = (WearType.RUST, WearType.LOOSE_FIXINGS, WearType.VANDALISM, WearType.GRAFFITI)


def create_models(session: Session, maker_id: int) -> dict[str, tuple[ModelSpec, int]]:
    """Store the catalogue with its default care plans; return model code -> (spec, id)."""
    stored = {}
    for spec in CATALOGUE:
        model = furniture_service.add_furniture_model(
            session,
            FurnitureModel(spec.name, spec.category, spec.material, spec.interval_days, maker_id),
        )
        stored[spec.code] = (spec, model.id or 0)
        add_default_plans(session, model.id or 0, spec.material, spec.interval_days)
    return stored


def create_sites_and_furniture(
    session: Session,
    world: DemoWorld,
    places: Places,
    models: dict[str, tuple[ModelSpec, int]],
    *,
    today: date,
    rng: random.Random,
    progress: ProgressCallback,
) -> tuple[int, int]:
    """Create sites with furniture and maintenance history; return (sites, furniture) counts."""
    site_count = furniture_count = 0
    total = site_area_count(places)
    for osm_kind, site_kind, owner, limit, (low, high) in SITE_SOURCES:
        areas = [a for a in places.areas_of(osm_kind) if site_kind is not SiteKind.PARK or a.name]
        for area in sorted(rng.sample(areas, min(limit, len(areas))), key=lambda a: a.osm_id):
            site = _create_site(session, world, area, site_kind, world.organisation_ids[owner])
            site_count += 1
            for _ in range(rng.randint(low, high)):
                _create_item(session, site, models, today=today, rng=rng, serial=furniture_count)
                furniture_count += 1
            progress("Sites, furniture and history", site_count, total)
    return site_count, furniture_count


def site_area_count(places: Places) -> int:
    """How many sites :func:`create_sites_and_furniture` will create (for progress bars)."""
    total = 0
    for osm_kind, site_kind, _, limit, _ in SITE_SOURCES:
        areas = [a for a in places.areas_of(osm_kind) if site_kind is not SiteKind.PARK or a.name]
        total += min(limit, len(areas))
    return total


def _create_site(
    session: Session, world: DemoWorld, area: OsmArea, kind: SiteKind, owner_id: int
) -> Site:
    location = area.area.representative_point()
    district = world.district_of(location)
    fallback = {SiteKind.SCHOOLYARD: "Schoolyard", SiteKind.PARK: "Park"}.get(kind, "Housing yard")
    site = Site(
        area.name or f"{fallback} {area.address or area.osm_id}",
        kind,
        location,
        world.region.id or 0,
        area=area.area,
        address=area.address,
        owner_id=owner_id,
        district_id=district.id if district else None,
        access_notes=SCHOOL_ACCESS if kind is SiteKind.SCHOOLYARD else None,
        osm_id=area.osm_id,
    )
    return sites.add_site(session, site)


def _create_item(
    session: Session,
    site: Site,
    models: dict[str, tuple[ModelSpec, int]],
    *,
    today: date,
    rng: random.Random,
    serial: int,
) -> None:
    specs = [spec for spec, _ in models.values()]
    spec = rng.choices(specs, weights=[s.weight for s in specs])[0]
    installed = (
        HISTORY_STARTS
        - timedelta(days=rng.randint(0, 5 * 365))
        + timedelta(days=rng.randint(0, 7 * 365))
    )
    installed = min(installed, today - timedelta(days=30))
    # The history has its own stream, seeded by one draw: how many visits it holds depends on
    # ``today``, and drawing them from ``rng`` made the rest of the register (the next pieces'
    # models, sites and counts) depend on the day the demo was loaded for.
    history = _history(spec, installed, today, random.Random(rng.getrandbits(64)))  # noqa: S311
    last = max((record.performed_on for record in history), default=None)
    grade = history[-1].severity if history else 0
    item = Furniture(
        site.id or 0,
        models[spec.code][1],
        f"{spec.code}-{installed.year}-{serial:05d}",
        _point_inside(site.area, site.location, rng),
        installed,
        grade,
        last,
    )
    furniture = furniture_service.add_furniture(session, item)
    if history:
        session.execute(
            insert(m.MaintenanceRecord),
            [_record_row(record, furniture.id or 0) for record in history],
        )


def _history(
    spec: ModelSpec, installed: date, today: date, rng: random.Random
) -> list[MaintenanceRecord]:
    """Yearly visits since installation (oiling or inspection), with wear getting worse."""
    records = []
    visit = installed + timedelta(days=spec.interval_days + rng.randint(-40, 60))
    severity = 0
    oiled = spec.material in OILED_MATERIALS
    wear_kinds = WEAR_BY_MATERIAL.get(spec.material, METAL_WEAR)
    while visit < today - timedelta(days=20):
        severity = min(3, max(0, severity + rng.choice((-1, 0, 0, 1))))
        wear = rng.choice(wear_kinds) if severity else WearType.NONE
        action = MaintenanceAction.OILED if oiled else MaintenanceAction.INSPECTED
        if severity >= 2 and rng.random() < 0.5:  # noqa: PLR2004 (half of bad wear is repaired)
            action, severity = MaintenanceAction.REPAIRED, 1
        records.append(
            MaintenanceRecord(
                0,
                visit,
                action,
                wear if severity else WearType.NONE,
                severity,
                _note(wear, severity),
            )
        )
        visit += timedelta(days=spec.interval_days + rng.randint(-30, 90))
    return records


def _note(wear: WearType, severity: int) -> str | None:
    if severity == 0 or wear is WearType.NONE:
        return None
    level = ("", "slight", "clear", "severe")[severity]
    return f"{level.capitalize()} {wear.value.replace('_', ' ')}"


def _record_row(record: MaintenanceRecord, furniture_id: int) -> dict[str, object]:
    return {
        "furniture_id": furniture_id,
        "performed_on": record.performed_on,
        "action": record.action.value,
        "wear_type": record.wear_type.value,
        "severity": record.severity,
        "notes": record.notes,
    }


def _point_inside(
    area: Polygon | MultiPolygon | None, fallback: Point, rng: random.Random
) -> Point:
    """Draw a point uniformly inside ``area`` (rejection sampling in its bounding box)."""
    if area is None:
        return fallback
    west, south, east, north = area.bounds
    for _ in range(100):
        point = Point(rng.uniform(west, east), rng.uniform(south, north))
        if area.contains(point):
            return point
    return fallback
