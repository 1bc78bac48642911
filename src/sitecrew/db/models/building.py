"""Apartment buildings and apartments."""

from __future__ import annotations

from typing import Any

from shapely.geometry import Point
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import (
    area_column_type,
    enum_check,
    from_db_geometry,
    map_feature_column,
    point_column_type,
)
from sitecrew.domain import buildings as d


class Building(Base):
    """An apartment building; entrances are kept as a JSON list of [lon, lat]."""

    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    osm_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    address: Mapped[str | None] = mapped_column(String(300))
    levels: Mapped[int | None] = mapped_column(Integer)
    entrances: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    location: Mapped[Any] = mapped_column(point_column_type())
    footprint: Mapped[Any] = mapped_column(area_column_type(), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(12))
    city: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Building:
        """Return the domain object."""
        return d.Building(
            region_id=self.region_id,
            location=from_db_geometry(self.location),
            footprint=from_db_geometry(self.footprint),
            address=self.address,
            levels=self.levels,
            entrances=tuple(Point(lon, lat) for lon, lat in self.entrances or []),
            district_id=self.district_id,
            osm_id=self.osm_id,
            id=self.id,
            version=self.version,
        )


class Apartment(Base):
    """A dwelling; ``location`` repeats the building's point so map queries use one index."""

    __tablename__ = "apartments"
    __table_args__ = (
        UniqueConstraint("building_id", "unit"),
        enum_check("installation_status", d.InstallationStatus, "installation_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    unit: Mapped[str] = mapped_column(String(32))
    floor: Mapped[int | None] = mapped_column(Integer)
    tenant_name: Mapped[str | None] = mapped_column(String(200))
    tenant_phone: Mapped[str | None] = mapped_column(String(40))
    tenant_email: Mapped[str | None] = mapped_column(String(200))
    #: The language messages to the tenant are written in (sv, nb, en; None: the region's).
    tenant_language: Mapped[str | None] = mapped_column(String(2))
    #: The tenant asked for no text messages (e-mail still goes): see services.notifications.
    sms_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    installation_status: Mapped[str] = mapped_column(
        String(32), default=d.InstallationStatus.NOT_CONTACTED.value
    )
    access_notes: Mapped[str | None] = mapped_column(Text)
    location: Mapped[Any] = mapped_column(point_column_type())
    map_feature: Mapped[str | None] = map_feature_column()
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Apartment:
        """Return the domain object (tenant contact included: callers decide who sees it)."""
        tenant = (
            d.TenantContact(self.tenant_name, self.tenant_phone, self.tenant_email)
            if self.tenant_name
            else None
        )
        return d.Apartment(
            building_id=self.building_id,
            unit=self.unit,
            floor=self.floor,
            tenant=tenant,
            installation_status=d.InstallationStatus(self.installation_status),
            access_notes=self.access_notes,
            location=from_db_geometry(self.location),
            id=self.id,
            version=self.version,
            external_ref=self.external_ref,
        )
