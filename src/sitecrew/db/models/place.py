"""What a region's OpenStreetMap extract says is there: address points and named areas.

Registers hold addresses, not coordinates; these rows are what ``sitecrew region add`` read
from the extract so that imports can match addresses and find buildings and sites offline.
They are reference data of the region and go with it (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import area_column_type, point_column_type


class AddressPoint(Base):
    """One OSM address: an ``addr:*`` node (often the entrance) or a building outline's tags."""

    __tablename__ = "address_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), index=True
    )
    #: ``node/123`` or ``way/456``: where the address was mapped.
    osm_ref: Mapped[str] = mapped_column(String(40))
    street: Mapped[str] = mapped_column(String(200))
    housenumber: Mapped[str] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(12))
    city: Mapped[str | None] = mapped_column(String(100))
    #: The OSM building (``way/456``) the point lies in, when there is one.
    building_ref: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[Any] = mapped_column(point_column_type())


class PlaceArea(Base):
    """An OSM building, school, residential area, park or playground of a region."""

    __tablename__ = "place_areas"
    __table_args__ = (UniqueConstraint("region_id", "osm_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), index=True
    )
    osm_ref: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    levels: Mapped[int | None] = mapped_column(Integer)
    area: Mapped[Any] = mapped_column(area_column_type())
