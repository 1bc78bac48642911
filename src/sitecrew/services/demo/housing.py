"""Apartment buildings from OpenStreetMap and their estimated apartments, with tenants.

Unit counts are estimated from the footprint's geodesic area and the number of levels: about
75 m² of gross floor area per flat, 80 % of it usable, as in Oslo's pre-war blocks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyproj import Geod
from sqlalchemy import insert

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.buildings import Apartment, Building, InstallationStatus, TenantContact
from sitecrew.services.demo.catalogue import FIRST_NAMES, LAST_NAMES

if TYPE_CHECKING:
    import random

    from shapely.geometry import Point
    from sqlalchemy.orm import Session

    from sitecrew.places.extract import OsmBuilding
    from sitecrew.services.demo.world import DemoWorld
    from sitecrew.services.progress import ProgressCallback

GROSS_M2_PER_FLAT = 75.0
USABLE_SHARE = 0.8
DEFAULT_LEVELS = 4
MAX_FLATS_PER_BUILDING = 120
_GEOD = Geod(ellps="WGS84")


def estimated_flats(building: OsmBuilding) -> int:
    """Estimate how many flats a building holds from its footprint and levels."""
    footprint_m2 = abs(_GEOD.geometry_area_perimeter(building.footprint)[0])
    floors = building.levels or DEFAULT_LEVELS
    flats = round(footprint_m2 * floors * USABLE_SHARE / GROSS_M2_PER_FLAT)
    return max(2, min(MAX_FLATS_PER_BUILDING, flats))


def choose_buildings(
    osm_buildings: list[OsmBuilding], *, target_flats: int, rng: random.Random
) -> list[tuple[OsmBuilding, int]]:
    """Pick buildings at random until ``target_flats`` flats are reached, with their flats."""
    chosen, total = [], 0
    for candidate in rng.sample(osm_buildings, len(osm_buildings)):
        if total >= target_flats:
            break
        flats = estimated_flats(candidate)
        chosen.append((candidate, flats))
        total += flats
    chosen.sort(key=lambda pair: pair[0].osm_id)
    return chosen


def home_locations(chosen: list[tuple[OsmBuilding, int]]) -> list[tuple[Point, int]]:
    """Return where each chosen building's homes are (its footprint's inner point) and how many."""
    return [(building.footprint.representative_point(), flats) for building, flats in chosen]


def create_housing(
    session: Session,
    world: DemoWorld,
    chosen: list[tuple[OsmBuilding, int]],
    *,
    rng: random.Random,
    progress: ProgressCallback,
) -> int:
    """Store the chosen buildings and their apartments with tenants; return the apartments made."""
    locations = [point for point, _ in home_locations(chosen)]
    districts = world.district_ids_for(locations)
    region_id = world.region.id or 0
    rows = []
    for (osm, _), location, district_id in zip(chosen, locations, districts, strict=True):
        building = Building(
            region_id,
            location,
            osm.footprint,
            osm.address,
            osm.levels,
            osm.entrances,
            district_id,
            osm.osm_id,
        )
        rows.append(_building_row(building))
    step = "Buildings and apartments"
    progress(step, 0, len(chosen))
    ids = dict(
        session.execute(insert(m.Building).returning(m.Building.osm_id, m.Building.id), rows).all()
    )
    progress(step, len(chosen) // 2, len(chosen))
    apartment_rows = []
    for (osm, flats), location, district_id in zip(chosen, locations, districts, strict=True):
        apartment_rows.extend(
            _apartment_rows(
                building_id=ids[osm.osm_id],
                flats=flats,
                floors=osm.levels or DEFAULT_LEVELS,
                location=location,
                district_id=district_id,
                rng=rng,
            )
        )
    session.execute(insert(m.Apartment), apartment_rows)
    progress(step, len(chosen), len(chosen))
    return len(apartment_rows)


def _building_row(building: Building) -> dict[str, object]:
    return {
        "region_id": building.region_id,
        "district_id": building.district_id,
        "osm_id": building.osm_id,
        "address": building.address,
        "levels": building.levels,
        "entrances": [[p.x, p.y] for p in building.entrances],
        "location": to_db_geometry(building.location),
        "footprint": to_db_geometry(building.footprint),
    }


def _apartment_rows(
    *,
    building_id: int,
    flats: int,
    floors: int,
    location: object,
    district_id: int | None,
    rng: random.Random,
) -> list[dict[str, object]]:
    per_floor = max(1, -(-flats // floors))
    rows = []
    for index in range(flats):
        floor, number = index // per_floor + 1, index % per_floor + 1
        tenant = TenantContact(
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            f"+47 {rng.randint(400, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)}",
        )
        apartment = Apartment(
            building_id,
            f"H{floor:02d}{number:02d}",
            floor,
            tenant,
            InstallationStatus.NOT_CONTACTED,
        )
        rows.append(
            {
                "building_id": building_id,
                "district_id": district_id,
                "unit": apartment.unit,
                "floor": apartment.floor,
                "tenant_name": tenant.name,
                "tenant_phone": tenant.phone,
                "installation_status": apartment.installation_status.value,
                "location": to_db_geometry(location),
            }
        )
    return rows
