"""Organisations, regions and districts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sitecrew.db.base import Base
from sitecrew.db.models._columns import area_column_type, enum_check, from_db_geometry
from sitecrew.domain import organisations as d

if TYPE_CHECKING:
    from sqlalchemy.engine.default import DefaultExecutionContext


class Organisation(Base):
    """An owner, furniture maker, contractor or service provider."""

    __tablename__ = "organisations"
    __table_args__ = (enum_check("kind", d.OrganisationKind, "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Organisation:
        """Return the domain object."""
        return d.Organisation(
            name=self.name, kind=d.OrganisationKind(self.kind), id=self.id, version=self.version
        )


def _slug_from_title(context: DefaultExecutionContext) -> str:
    """Give a row inserted without a slug (scripts, fixtures) the one its title suggests."""
    parameters = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return d.slug_from_title(str(parameters["name"]))


class Region(Base):
    """An operating area: ``slug`` is its one name for commands and the API, ``name`` its title.

    Slugs are stored lower-case (``normalise_slug``), so the unique index also makes lookups
    that ignore case unambiguous.
    """

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(
        String(d.SLUG_MAX), index=True, unique=True, default=_slug_from_title
    )
    name: Mapped[str] = mapped_column(String(200), unique=True)
    street_region: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), server_default="Europe/Oslo")
    area: Mapped[Any] = mapped_column(area_column_type())
    country: Mapped[str] = mapped_column(String(2), server_default="NO")
    extract_path: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.Region:
        """Return the domain object."""
        return d.Region(
            name=self.name,
            slug=self.slug,
            area=from_db_geometry(self.area),
            street_region=self.street_region,
            timezone=self.timezone,
            id=self.id,
            country=self.country,
            extract_path=self.extract_path,
        )


class District(Base):
    """A part of a region, optionally bound to one contractor."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    area: Mapped[Any] = mapped_column(area_column_type())
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)

    def to_domain(self) -> d.District:
        """Return the domain object."""
        return d.District(
            name=self.name,
            region_id=self.region_id,
            area=from_db_geometry(self.area),
            contractor_id=self.contractor_id,
            id=self.id,
            version=self.version,
        )
