"""A reach world on the real Grünerløkka clip: a region with its own street graph, sites timed out.

Sites and buildings stand on street nodes picked by their planner travel time from the origin
(about 1, 2.5, 4 minutes and the farthest node), plus one site far beyond the clip. Each site
holds one more piece than the one before; each building one more apartment. A second region has
no street graph, for refusals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import Point

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.buildings import Apartment, Building
from sitecrew.domain.organisations import Region
from sitecrew.domain.sites import Furniture, FurnitureCategory, FurnitureModel, Site, SiteKind
from sitecrew.services import buildings, organisations, sites
from sitecrew.services import furniture as furniture_service
from sitecrew.services.graphs import get_network

if TYPE_CHECKING:
    from sitecrew.config import OsmSettings
    from sitecrew.streets import StreetNetwork

#: The Grünerløkka clip's bounds (``oslo-grunerlokka.osm.pbf``).
LOKKA_BOX = shapely.box(10.745, 59.917, 10.778, 59.936)
#: The depot: a street corner in the middle of the clip.
ORIGIN = (10.7600, 59.9250)
#: Well beyond the clip (Bryn, ~5 km east): far more than 5 minutes by any street, and off the graph.
FAR_AWAY = (10.8200, 59.9100)
#: The manifest region of the clip (``oslo-grunerlokka.osm.pbf``).
STREET_REGION = "oslo-grunerlokka"
#: Travel seconds wanted from the origin to the sites' nodes (the farthest node is added).
WANTED_S = (60, 150, 240)


@dataclass(frozen=True)
class ReachWorld:
    """Ids and points of the reach world."""

    region_id: int
    slug: str
    bare_region_id: int
    site_ids: tuple[int, ...]
    site_points: tuple[tuple[float, float], ...]
    far_site_id: int
    building_ids: tuple[int, ...]
    #: A street node about one minute from the origin, and one about four minutes away.
    one_minute: tuple[float, float]
    four_minutes: tuple[float, float]

    @property
    def planner(self) -> Principal:
        """A planner of the world's region."""
        return Principal(Role.PLANNER, region_id=self.region_id)

    @property
    def other_planner(self) -> Principal:
        """A planner of the region without streets."""
        return Principal(Role.PLANNER, region_id=self.bare_region_id)


def lokka_network(osm: OsmSettings) -> StreetNetwork:
    """The street graph of the manifest's Grünerløkka region (cached per process)."""
    return get_network(STREET_REGION, settings=osm)


def _timed_nodes(network: StreetNetwork) -> list[tuple[float, float]]:
    """Nodes nearest to each wanted travel time from the origin, then the farthest node."""
    arrays = network.arrays
    nodes = np.column_stack([arrays.node_lon, arrays.node_lat])
    snapped = network.snap(nodes)
    seconds = network.matrices(network.snap([ORIGIN]), snapped).seconds[0].astype(float)
    seconds[seconds > 3600] = -1  # unreachable (one-way dead ends)
    picked = [int(np.argmin(np.abs(seconds - wanted))) for wanted in WANTED_S]
    picked.append(int(np.argmax(seconds)))
    return [(float(nodes[i, 0]), float(nodes[i, 1])) for i in picked]


def build_reach_world(session, osm: OsmSettings, *, name: str = "Reach") -> ReachWorld:
    """Create the region, its sites, pieces, buildings and apartments, and a bare region."""
    slug = f"{name.lower()}-lokka"
    region = organisations.create_region(
        session,
        Region(f"{name} Grünerløkka", LOKKA_BOX, street_region=STREET_REGION, slug=slug),
    )
    bare = organisations.create_region(
        session,
        Region(
            f"{name} Bergen", shapely.box(5.30, 60.36, 5.36, 60.41), slug=f"{name.lower()}-bergen"
        ),
    )
    points = _timed_nodes(lokka_network(osm))
    model = furniture_service.add_furniture_model(
        session, FurnitureModel(f"{name} bench", FurnitureCategory.BENCH, "pine", 365)
    )
    site_ids, building_ids = [], []
    for index, (lon, lat) in enumerate([*points, FAR_AWAY]):
        site = sites.add_site(
            session, Site(f"{name} yard {index}", SiteKind.SCHOOLYARD, Point(lon, lat), region.id)
        )
        site_ids.append(site.id)
        for piece in range(index + 1):
            furniture_service.add_furniture(
                session,
                Furniture(
                    site.id,
                    model.id,
                    f"{name}-{index}-{piece}",
                    Point(lon, lat),
                    date(2024, 5, 1),
                    0,
                ),
            )
        building = buildings.create_building(session, Building(region.id, Point(lon, lat)))
        building_ids.append(building.id)
        for flat in range(index + 1):
            buildings.create_apartment(session, Apartment(building.id, f"H0{flat + 1}01"))
    return ReachWorld(
        region_id=region.id,
        slug=slug,
        bare_region_id=bare.id,
        site_ids=tuple(site_ids[:-1]),
        site_points=tuple(points),
        far_site_id=site_ids[-1],
        building_ids=tuple(building_ids),
        one_minute=points[0],
        four_minutes=points[2],
    )
