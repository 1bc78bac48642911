"""Spatial searches over any geolocated model, written once for both backends.

Every model with a ``location`` point (sites, furniture, buildings, apartments, depots) can be
searched by box, radius, polygon and nearest neighbours. Results are ordered by id (by
distance, then id, for nearest) so both backends return identical lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sitecrew.db.dialects.common import spatial_dialect_for
from sitecrew.domain.geo import validate_area
from sitecrew.errors import InvalidInputError

if TYPE_CHECKING:
    from shapely.geometry import MultiPolygon, Polygon
    from sqlalchemy.orm import Session

    from sitecrew.domain.geo import BBox, LonLat

#: The radius the nearest-neighbour search starts with, and the farthest it looks.
FIRST_RADIUS_M = 250.0
MAX_RADIUS_M = 200_000.0
MAX_NEIGHBOURS = 1000


def ids_in_bbox(session: Session, model: Any, bbox: BBox) -> list[int]:
    """Return the ids of rows whose location lies in ``bbox`` (boundary included)."""
    clause = spatial_dialect_for(session).intersects_bbox(model.location, bbox)
    return list(session.scalars(select(model.id).where(clause).order_by(model.id)))


def ids_within_distance(session: Session, model: Any, centre: LonLat, metres: float) -> list[int]:
    """Return the ids of rows within ``metres`` (geodesic) of ``centre``."""
    if metres <= 0:
        raise InvalidInputError(f"distance must be positive, got {metres} m")
    clause = spatial_dialect_for(session).within_distance(model.location, centre, metres)
    return list(session.scalars(select(model.id).where(clause).order_by(model.id)))


def ids_within_area(session: Session, model: Any, area: Polygon | MultiPolygon) -> list[int]:
    """Return the ids of rows whose location lies in ``area`` (boundary included)."""
    validate_area(area, what="search area")
    clause = spatial_dialect_for(session).intersects_area(model.location, area)
    return list(session.scalars(select(model.id).where(clause).order_by(model.id)))


def nearest(
    session: Session, model: Any, centre: LonLat, k: int, *, max_metres: float = MAX_RADIUS_M
) -> list[tuple[int, float]]:
    """Return up to ``k`` (id, metres) pairs nearest to ``centre``, nearest first.

    Planar ``<->`` ordering on lon/lat is wrong at Nordic latitudes, so this searches within a
    radius that doubles until it holds ``k`` rows, then orders by geodesic distance and id.
    """
    if not 1 <= k <= MAX_NEIGHBOURS:
        raise InvalidInputError(f"k must be between 1 and 1000, got {k}")
    dialect = spatial_dialect_for(session)
    radius = FIRST_RADIUS_M
    while True:
        distance = dialect.distance_metres(model.location, centre).label("metres")
        query = (
            select(model.id, distance)
            .where(dialect.within_distance(model.location, centre, radius))
            .order_by(distance, model.id)
        )
        rows = [(row_id, float(metres)) for row_id, metres in session.execute(query)]
        if len(rows) >= k or radius >= max_metres:
            return rows[:k]
        radius = min(radius * 2, max_metres)
