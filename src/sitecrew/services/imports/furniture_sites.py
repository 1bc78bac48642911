"""The site a furniture row belongs to: named, or the OSM area around its point.

Sites are found in this order: by the name in the ``site`` column (the region's sites, any
case); else the site already made from the OSM area around the point; else a new site from that
area (school, then playground, park, residential area; the smallest area of a kind first);
else, when a name was given, a new site of that name at the point. New sites are planned in
memory and created only when the import writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point
from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain import limits
from sitecrew.domain.sites import SiteKind
from sitecrew.services.imports import fields
from sitecrew.services.imports.places import AreaFinder, load_areas_of_kinds

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.services.imports.places import Area, DistrictLocator

#: OSM area kinds that hold furniture, in order of preference, with the site kind they make.
AREA_SITE_KINDS = {
    "school": SiteKind.SCHOOLYARD,
    "playground": SiteKind.PARK,
    "park": SiteKind.PARK,
    "residential": SiteKind.HOUSING_COOPERATIVE,
}
_FALLBACK_NAMES = {SiteKind.SCHOOLYARD: "Schoolyard", SiteKind.PARK: "Park"}


@dataclass(frozen=True, eq=False)
class NewSite:
    """A site the import will create (one object per site: rows share it)."""

    name: str
    kind: SiteKind
    lon: float
    lat: float
    district_id: int | None
    area: Any = None
    address: str | None = None
    osm_id: str | None = None


class SiteFinder:
    """The region's sites and OSM areas, for placing furniture rows on sites."""

    def __init__(self, session: Session, region_id: int, districts: DistrictLocator) -> None:
        self.region_id = region_id
        self._districts = districts
        rows = session.execute(
            select(m.Site.id, m.Site.name, m.Site.osm_id).where(m.Site.region_id == region_id)
        ).all()
        self.region_site_ids = {site_id for site_id, _, _ in rows}
        self._by_name = {name.casefold(): site_id for site_id, name, _ in sorted(rows)}
        self._by_osm = {osm_id: site_id for site_id, _, osm_id in rows if osm_id}
        self._taken_osm = set(
            session.scalars(select(m.Site.osm_id).where(m.Site.osm_id.isnot(None)))
        )
        self._areas = AreaFinder(load_areas_of_kinds(session, region_id, tuple(AREA_SITE_KINDS)))
        self._new_by_name: dict[str, NewSite] = {}
        self._new_by_osm: dict[str, NewSite] = {}
        self.new_sites: list[NewSite] = []

    def site_for(self, name: str, lon: float, lat: float) -> int | NewSite:
        """Return the stored site (its id) or the new site a row at ``lon, lat`` belongs to.

        Raises
        ------
        FieldError
            When no site is named and no OSM area lies around the point.
        """
        name = fields.text(name, "site")
        if name:
            found = self._by_name.get(name.casefold()) or self._new_by_name.get(name.casefold())
            if found is not None:
                return found
        area = self._area_at(lon, lat)
        if area is not None:
            return self._from_area(area, name)
        if not name:
            raise fields.FieldError(
                f"{lon:.6f}, {lat:.6f} lies in no school, playground, park or residential area "
                "of the region; name its site in a 'site' column"
            )
        return self._remember(
            NewSite(name, SiteKind.OTHER, lon, lat, self._districts.district_of(lon, lat))
        )

    def _area_at(self, lon: float, lat: float) -> tuple[Area, Any] | None:
        covering = self._areas.covering(lon, lat)
        if not covering:
            return None
        rank = list(AREA_SITE_KINDS)
        return min(covering, key=lambda pair: (rank.index(pair[0].kind), pair[1].area))

    def _from_area(self, found: tuple[Area, Any], name: str) -> int | NewSite:
        area, shape = found
        stored = self._by_osm.get(area.osm_ref)
        if stored is not None:
            return stored
        if area.osm_ref in self._new_by_osm:
            return self._new_by_osm[area.osm_ref]
        kind = AREA_SITE_KINDS[area.kind]
        fallback = f"{_FALLBACK_NAMES.get(kind, 'Housing yard')} {area.address or area.osm_ref}"
        location = shape.representative_point()
        site = NewSite(
            (name or area.name or fallback)[: limits.NAME_MAX],
            kind,
            location.x,
            location.y,
            self._districts.district_of(location.x, location.y),
            area=area.stored,
            address=area.address,
            osm_id=None if area.osm_ref in self._taken_osm else area.osm_ref,
        )
        self._new_by_osm[area.osm_ref] = site
        return self._remember(site)

    def _remember(self, site: NewSite) -> NewSite:
        self._new_by_name.setdefault(site.name.casefold(), site)
        self.new_sites.append(site)
        return site


def create_sites(session: Session, sites: list[NewSite], region_id: int) -> dict[NewSite, int]:
    """Create the planned sites; return each one's id."""
    rows = {
        site: m.Site(
            region_id=region_id,
            district_id=site.district_id,
            name=site.name,
            kind=site.kind.value,
            address=(site.address or None) and site.address[: limits.ADDRESS_MAX],
            osm_id=site.osm_id,
            location=to_db_geometry(Point(site.lon, site.lat)),
            area=site.area,
        )
        for site in sites
    }
    session.add_all(rows.values())
    session.flush()
    return {site: row.id for site, row in rows.items()}
