"""Sites, the furniture catalogue and installed furniture."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import (
    area_column_type,
    enum_check,
    from_db_geometry,
    map_feature_column,
    point_column_type,
)
from sitecrew.domain import sites as d


class Site(Base):
    """A yard, schoolyard, park or street with furniture."""

    __tablename__ = "sites"
    __table_args__ = (enum_check("kind", d.SiteKind, "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    access_notes: Mapped[str | None] = mapped_column(Text)
    osm_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    location: Mapped[Any] = mapped_column(point_column_type())
    area: Mapped[Any] = mapped_column(area_column_type(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    map_feature: Mapped[str | None] = map_feature_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Site:
        """Return the domain object."""
        return d.Site(
            name=self.name,
            kind=d.SiteKind(self.kind),
            location=from_db_geometry(self.location),
            region_id=self.region_id,
            area=from_db_geometry(self.area),
            address=self.address,
            owner_id=self.owner_id,
            district_id=self.district_id,
            access_notes=self.access_notes,
            osm_id=self.osm_id,
            id=self.id,
            version=self.version,
        )


class FurnitureModel(Base):
    """A catalogue product."""

    __tablename__ = "furniture_models"
    __table_args__ = (
        enum_check("category", d.FurnitureCategory, "category"),
        CheckConstraint("maintenance_interval_days > 0", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    material: Mapped[str] = mapped_column(String(100))
    maintenance_interval_days: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.FurnitureModel:
        """Return the domain object."""
        return d.FurnitureModel(
            name=self.name,
            category=d.FurnitureCategory(self.category),
            material=self.material,
            maintenance_interval_days=self.maintenance_interval_days,
            maker_id=self.maker_id,
            id=self.id,
            version=self.version,
        )


class Furniture(Base):
    """One installed item."""

    __tablename__ = "furniture"
    __table_args__ = (
        CheckConstraint("condition_grade BETWEEN 0 AND 3", name="condition_grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("furniture_models.id"), index=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    installed_on: Mapped[date | None] = mapped_column(Date)
    condition_grade: Mapped[int] = mapped_column(Integer, default=0)
    last_maintained_on: Mapped[date | None] = mapped_column(Date)
    location: Mapped[Any] = mapped_column(point_column_type())
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    map_feature: Mapped[str | None] = map_feature_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Furniture:
        """Return the domain object."""
        return d.Furniture(
            site_id=self.site_id,
            model_id=self.model_id,
            serial=self.serial,
            location=from_db_geometry(self.location),
            installed_on=self.installed_on,
            condition_grade=self.condition_grade,
            last_maintained_on=self.last_maintained_on,
            id=self.id,
            version=self.version,
        )
