"""Spatial searches: correct in metres, identical on both backends, and index-assisted."""

from __future__ import annotations

import random

import pytest
import shapely
from pyproj import Geod
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sitecrew.db import models as m
from sitecrew.db.dialects.common import spatial_dialect_for
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.db.repositories import spatial
from sitecrew.domain.geo import BBox, LonLat
from sitecrew.errors import InvalidInputError

GEOD = Geod(ellps="WGS84")
SEARCHED = (m.Apartment, m.Furniture, m.Site, m.Building)


def _random_queries(seed: int, count: int):
    """Boxes, radii, polygons and k-nearest queries scattered over central Oslo."""
    rng = random.Random(seed)
    for _ in range(count):
        lon, lat = rng.uniform(10.72, 10.78), rng.uniform(59.90, 59.94)
        centre = LonLat(lon, lat)
        half_w, half_h = rng.uniform(0.001, 0.01), rng.uniform(0.0005, 0.005)
        yield "bbox", BBox(lon - half_w, lat - half_h, lon + half_w, lat + half_h)
        yield "radius", (centre, rng.uniform(80.0, 1500.0))
        hull = shapely.MultiPoint(
            [(lon + rng.uniform(-0.01, 0.01), lat + rng.uniform(-0.005, 0.005)) for _ in range(7)]
        ).convex_hull
        yield "polygon", hull
        yield "nearest", (centre, rng.randint(1, 25))


def _answer(session: Session, model, kind: str, query):
    if kind == "bbox":
        return spatial.ids_in_bbox(session, model, query)
    if kind == "radius":
        return spatial.ids_within_distance(session, model, *query)
    if kind == "polygon":
        return spatial.ids_within_area(session, model, query)
    return [
        (row_id, round(metres, 3)) for row_id, metres in spatial.nearest(session, model, *query)
    ]


def test_spatial_queries_return_identical_ids_on_both_backends(demo_engines):
    """Forty random searches of each kind over four entity types agree row for row."""
    with Session(demo_engines["spatialite"]) as lite, Session(demo_engines["postgis"]) as pg:
        non_empty = 0
        for kind, query in _random_queries(seed=7, count=40):
            for model in SEARCHED:
                expected = _answer(pg, model, kind, query)
                assert _answer(lite, model, kind, query) == expected, (kind, model.__name__)
                non_empty += bool(expected)
    assert non_empty > 300  # the searches really hit data


def test_radius_search_equals_a_geodesic_brute_force(demo_session):
    """Within-distance returns exactly the items whose WGS 84 geodesic distance is ≤ r."""
    points = {
        row_id: from_db_geometry(location)
        for row_id, location in demo_session.execute(select(m.Furniture.id, m.Furniture.location))
    }
    rng = random.Random(11)
    for _ in range(15):
        centre = LonLat(rng.uniform(10.73, 10.77), rng.uniform(59.905, 59.935))
        metres = rng.uniform(100.0, 1200.0)
        expected = sorted(
            row_id
            for row_id, point in points.items()
            if GEOD.inv(centre.lon, centre.lat, point.x, point.y)[2] <= metres
        )
        assert spatial.ids_within_distance(demo_session, m.Furniture, centre, metres) == expected


def test_nearest_returns_k_rows_in_order_of_distance(demo_session):
    """k nearest apartments come nearest first and none outside is nearer than the last."""
    centre = LonLat(10.7522, 59.9139)
    rows = spatial.nearest(demo_session, m.Building, centre, 10)
    assert len(rows) == 10
    distances = [metres for _, metres in rows]
    assert distances == sorted(distances)
    farther = spatial.ids_within_distance(demo_session, m.Building, centre, distances[-1] - 0.01)
    assert set(farther) <= {row_id for row_id, _ in rows}


def test_nonsense_search_parameters_are_typed_errors(demo_session):
    """A negative radius, k of zero and a bow-tie polygon are refused with clear messages."""
    with pytest.raises(InvalidInputError, match="positive"):
        spatial.ids_within_distance(demo_session, m.Site, LonLat(10.75, 59.91), -5)
    with pytest.raises(InvalidInputError, match="k must be"):
        spatial.nearest(demo_session, m.Site, LonLat(10.75, 59.91), 0)
    bowtie = shapely.Polygon([(10.74, 59.91), (10.75, 59.92), (10.75, 59.91), (10.74, 59.92)])
    with pytest.raises(InvalidInputError, match="not valid"):
        spatial.ids_within_area(demo_session, m.Site, bowtie)


def _plan(session: Session, statement) -> str:
    compiled = statement.compile(dialect=session.get_bind().dialect)
    prefix = (
        "EXPLAIN " if session.get_bind().dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    )
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    rows = session.connection().exec_driver_sql(prefix + str(compiled), params)
    return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.postgis_only  # EXPLAIN output and GiST are PostGIS's
def test_postgis_answers_bbox_and_radius_from_the_gist_index(demo_session):
    """EXPLAIN shows the apartments' GiST index behind both the box and the radius search."""
    demo_session.execute(text("ANALYZE apartments"))
    dialect = spatial_dialect_for(demo_session)
    column = m.Apartment.location
    box = select(m.Apartment.id).where(
        dialect.intersects_bbox(column, BBox(10.750, 59.915, 10.755, 59.918))
    )
    radius = select(m.Apartment.id).where(
        dialect.within_distance(column, LonLat(10.752, 59.916), 300)
    )
    for statement in (box, radius):
        plan = _plan(demo_session, statement)
        assert "idx_apartments_location" in plan, plan
        assert "Seq Scan" not in plan, plan


@pytest.mark.spatialite_only  # the R*Tree virtual table is SpatiaLite's
def test_spatialite_answers_bbox_and_radius_from_the_rtree(demo_session):
    """EXPLAIN QUERY PLAN shows the R*Tree virtual table behind both searches."""
    dialect = spatial_dialect_for(demo_session)
    column = m.Apartment.location
    box = select(m.Apartment.id).where(
        dialect.intersects_bbox(column, BBox(10.750, 59.915, 10.755, 59.918))
    )
    radius = select(m.Apartment.id).where(
        dialect.within_distance(column, LonLat(10.752, 59.916), 300)
    )
    for statement in (box, radius):
        plan = _plan(demo_session, statement)
        assert "idx_apartments_location VIRTUAL TABLE" in plan, plan


def test_points_in_bbox_selects_exactly_what_intersects_bbox_does(demo_session):
    """The viewport's cheaper point test agrees with ST_Intersects, at the box's edges too.

    A box whose edge passes through a point keeps it; a box that stops 1e-7 degrees short of a
    point (closer than the index's float boxes can tell) leaves it out.
    """
    dialect = spatial_dialect_for(demo_session)

    def ids(predicate) -> set[int]:
        return set(demo_session.scalars(select(m.Apartment.id).where(predicate)))

    for _kind, box in (q for q in _random_queries(seed=11, count=30) if q[0] == "bbox"):
        expected = ids(dialect.intersects_bbox(m.Apartment.location, box))
        assert ids(dialect.points_in_bbox(m.Apartment.location, box)) == expected
    row = demo_session.scalars(select(m.Apartment).order_by(m.Apartment.id).limit(1)).one()
    point = from_db_geometry(row.location)
    through = BBox(point.x - 0.001, point.y - 0.001, point.x, point.y)
    short = BBox(point.x - 0.001, point.y - 0.001, point.x - 1e-7, point.y)
    assert row.id in ids(dialect.points_in_bbox(m.Apartment.location, through))
    assert row.id not in ids(dialect.points_in_bbox(m.Apartment.location, short))
    assert row.id not in ids(dialect.intersects_bbox(m.Apartment.location, short))
