"""Import installed furniture by serial: where it stands, which model, which site.

A row gives the item's place as an address (matched like a flat's) or as ``lon``/``lat``.
Its site is the one the ``site`` column names in the region; otherwise the site made from the
OSM school, playground, park or residential area around the point (found, or created on first
use, in that order of preference, the smallest area of a kind first). A point in no such area
with no site named is refused: an item must belong to a place a crew can be sent to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from shapely.geometry import Point
from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain import limits
from sitecrew.domain.organisations import Region
from sitecrew.places.matching import RegisterAddress
from sitecrew.services.imports import fields
from sitecrew.services.imports.furniture_sites import NewSite, SiteFinder, create_sites
from sitecrew.services.imports.places import (
    CHUNK,
    DistrictLocator,
    RegionAddresses,
    load_region_addresses,
)
from sitecrew.services.imports.reading import Column
from sitecrew.services.imports.report import LONLAT, Outcome, Plan, Tally, stored_region

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.services.imports.reading import RegisterFile, SourceRow
    from sitecrew.services.progress import ProgressCallback

COLUMNS = (
    Column("serial", ("serial_number", "serienummer", "serienr", "id"), required=True),
    Column("model", ("product", "produkt", "modell", "model_name"), required=True),
    Column(
        "installed_on",
        ("installed", "installation_date", "installert", "montert", "installerad", "monterad"),
    ),
    Column("street", ("gate", "gatenavn", "adresse", "address", "gata", "gatuadress", "adress")),
    Column("housenumber", ("house_number", "husnummer", "husnr", "nr", "number")),
    Column("postcode", ("postal_code", "zip", "postnummer", "postnr")),
    Column("lon", ("longitude", "lng", "x", "lengdegrad")),
    Column("lat", ("latitude", "y", "breddegrad")),
    Column("site", ("site_name", "sted", "plass", "anlegg", "anlaggning")),
)
ONE_OF = (("street", "housenumber"), ("lon", "lat"))
#: Points closer than this (degrees, about a millimetre) are the same point.
SAME_POINT = 1e-8


@dataclass(frozen=True)
class Item:
    """An accepted row: the item as the register has it, where it stands, on which site."""

    serial: str
    model_id: int
    installed_on: date | None
    lon: float
    lat: float
    #: A stored site's id, or the new site it goes to.
    site: int | NewSite
    #: How the place was found: ``lonlat``, or the address match's quality.
    quality: str


def plan(
    session: Session, register: RegisterFile, target: Region | None, progress: ProgressCallback
) -> Plan:
    """Decide every row's outcome (read-only) and return the writes that carry it out."""
    region = stored_region(target)
    region_id = region.id or 0
    serials = {row.get("serial") for row in register.rows} - {""}
    planner = _Planner(
        region=region,
        addresses=load_region_addresses(session, region) if "street" in register.columns else None,
        models={
            name.casefold(): (model_id, name)
            for model_id, name in session.execute(
                select(m.FurnitureModel.id, m.FurnitureModel.name)
            )
        },
        sites=SiteFinder(session, region_id, DistrictLocator(session, region_id)),
        stored=_stored_furniture(session, serials),
    )
    for done, row in enumerate(register.rows, start=1):
        planner.add(row)
        if done % 200 == 0 or done == len(register.rows):
            progress("Placing furniture", done, len(register.rows))
    planner.tally.extra["sites created"] = len(planner.sites.new_sites)

    def apply() -> None:
        site_ids = create_sites(session, planner.sites.new_sites, region_id)
        for item, stored in planner.writes:
            _write(session, item, stored, site_ids)
        session.flush()

    return Plan(planner.tally, apply)


@dataclass
class _Planner:
    region: Region
    addresses: RegionAddresses | None
    models: dict[str, tuple[int, str]]
    sites: SiteFinder
    stored: dict[str, StoredItem]
    tally: Tally = field(default_factory=Tally)
    writes: list[tuple[Item, StoredItem | None]] = field(default_factory=list)
    _serials: dict[str, int] = field(default_factory=dict)

    def add(self, row: SourceRow) -> None:
        try:
            item = self._item(row)
        except fields.FieldError as error:
            self.tally.reject(row, str(error))
            return
        self.tally.qualities[item.quality] += 1
        stored = self.stored.get(item.serial)
        if stored is None:
            self.writes.append((item, None))
            self.tally.record(row, Outcome.CREATED)
        elif stored.same_as(item):
            self.tally.record(row, Outcome.UNCHANGED)
        else:
            self.writes.append((item, stored))
            self.tally.record(row, Outcome.UPDATED)

    def _item(self, row: SourceRow) -> Item:
        if row.problem:
            raise fields.FieldError(row.problem)
        serial = fields.required(row.get("serial"), "serial", max_length=limits.SERIAL_MAX)
        first = self._serials.setdefault(serial, row.line)
        if first != row.line:
            raise fields.FieldError(f"duplicate serial {serial!r}, first on line {first}")
        stored = self.stored.get(serial)
        if stored is not None and stored.row.site_id not in self.sites.region_site_ids:
            raise fields.FieldError(f"serial {serial!r} is an item of another region")
        model_id = self._model(row.get("model"))
        installed_on = fields.optional_date(row.get("installed_on"), "installed_on")
        lon, lat, quality = self._place(row)
        site = self.sites.site_for(row.get("site"), lon, lat)
        return Item(serial, model_id, installed_on, lon, lat, site, quality)

    def _model(self, name: str) -> int:
        found = self.models.get(fields.required(name, "model").casefold())
        if found is None:
            names = sorted(name for _, name in self.models.values())
            known = ", ".join(names[:30]) or "none (add models first)"
            raise fields.FieldError(f"unknown model {name[:60]!r}; known models: {known}")
        return found[0]

    def _place(self, row: SourceRow) -> tuple[float, float, str]:
        if row.get("lon") or row.get("lat"):
            lon = fields.coordinate(row.get("lon"), "lon", limit=180)
            lat = fields.coordinate(row.get("lat"), "lat", limit=90)
            quality = "lonlat"
            self.tally.note(row, LONLAT)
        elif row.get("street"):
            lon, lat, quality = self._address(row)
        else:
            raise fields.FieldError("no place given: fill street and housenumber, or lon and lat")
        if not self.region.area.covers(Point(lon, lat)):
            raise fields.FieldError(
                f"{lon:.6f}, {lat:.6f} lies outside region {self.region.slug!r}"
            )
        return lon, lat, quality

    def _address(self, row: SourceRow) -> tuple[float, float, str]:
        assert self.addresses is not None  # noqa: S101 (loaded when the file has streets)
        address = RegisterAddress(
            fields.text(row.get("street"), "street", max_length=limits.ADDRESS_MAX),
            fields.text(row.get("housenumber"), "housenumber", max_length=20),
            postcode=row.get("postcode") or None,
        )
        matched = self.addresses.match(address)
        if isinstance(matched, str):
            raise fields.FieldError(matched)
        self.tally.note(row, matched.note)
        return matched.point.lon, matched.point.lat, matched.quality.value


@dataclass(frozen=True)
class StoredItem:
    """An item already in the database under the serial, with its point."""

    row: m.Furniture
    lon: float
    lat: float

    def same_as(self, item: Item) -> bool:
        """Tell whether importing ``item`` would change nothing."""
        return (
            self.row.site_id == item.site
            and self.row.model_id == item.model_id
            and self.row.installed_on == item.installed_on
            and abs(self.lon - item.lon) < SAME_POINT
            and abs(self.lat - item.lat) < SAME_POINT
        )


def _write(
    session: Session, item: Item, stored: StoredItem | None, site_ids: dict[NewSite, int]
) -> None:
    site_id = item.site if isinstance(item.site, int) else site_ids[item.site]
    values = {
        "site_id": site_id,
        "model_id": item.model_id,
        "installed_on": item.installed_on,
        "location": to_db_geometry(Point(item.lon, item.lat)),
    }
    if stored is None:
        session.add(m.Furniture(serial=item.serial, condition_grade=0, **values))
        return
    for name, value in values.items():
        setattr(stored.row, name, value)


def _stored_furniture(session: Session, serials: set[str]) -> dict[str, StoredItem]:
    found: dict[str, StoredItem] = {}
    ordered = sorted(serials)
    for start in range(0, len(ordered), CHUNK):
        query = select(
            m.Furniture, func.ST_X(m.Furniture.location), func.ST_Y(m.Furniture.location)
        ).where(m.Furniture.serial.in_(ordered[start : start + CHUNK]))
        for row, lon, lat in session.execute(query):
            found[row.serial] = StoredItem(row, lon, lat)
    return found
