"""Isochrones and depot reach (#18 item 1) on the real Grünerløkka street graph, both backends.

The isochrone holds a point a minute's drive away and not one beyond the streets; it grows with
the budget. The reach counts exactly the sites, pieces, buildings and apartments whose planner
travel time (the street matrix, whole seconds) is within the budget. Crews, contractors, tenants
and other regions' planners are refused; bad input is INVALID_INPUT or NOT_FOUND.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import numpy as np
import pytest
import shapely
from tests.services.reach_world import FAR_AWAY, ORIGIN, build_reach_world, lokka_network

from sitecrew.domain.access import Principal, Role
from sitecrew.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services.expansion.reach import ReachQuery, depot_reach, isochrone_area

ADMIN = Principal(Role.ADMIN)
DEPARTURE = datetime(2026, 6, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def world(session, planning_osm):
    return build_reach_world(session, planning_osm)


def _query(world, minutes: float, point=ORIGIN, **changes) -> ReachQuery:
    values = {"region": world.slug, "departure": DEPARTURE, **changes}
    return ReachQuery(point[0], point[1], minutes, **values)


def test_the_five_minute_isochrone_holds_a_point_one_minute_away_and_not_one_beyond(
    session, world, planning_osm
):
    area = isochrone_area(session, world.planner, _query(world, 5), osm=planning_osm)
    assert isinstance(area.area, shapely.Polygon | shapely.MultiPolygon)
    assert area.area.is_valid
    assert area.area.contains(shapely.Point(*world.one_minute))
    assert not area.area.contains(shapely.Point(*FAR_AWAY))
    assert (area.region_id, area.region_slug, area.minutes, area.departure) == (
        world.region_id,
        world.slug,
        5,
        DEPARTURE,
    )
    assert 0 < area.area_km2 < 10  # the whole clip is about 4 km2


def test_a_one_minute_isochrone_leaves_out_a_point_four_minutes_away(session, world, planning_osm):
    area = isochrone_area(session, world.planner, _query(world, 1), osm=planning_osm).area
    assert area.contains(shapely.Point(*ORIGIN))
    assert not area.contains(shapely.Point(*world.four_minutes))


def test_the_isochrone_grows_with_the_budget(session, world, planning_osm):
    areas = [
        isochrone_area(session, ADMIN, _query(world, minutes), osm=planning_osm)
        for minutes in (1, 2, 4)
    ]
    for smaller, larger in pairwise(areas):
        assert larger.area_km2 > smaller.area_km2
        assert smaller.area.difference(larger.area).area < 0.01 * smaller.area.area


def test_without_a_region_the_smallest_routable_region_holding_the_point_is_used(
    session, world, planning_osm
):
    area = isochrone_area(session, ADMIN, _query(world, 2, region=None), osm=planning_osm)
    assert area.region_id == world.region_id


@pytest.mark.parametrize("minutes", [2, 3.5])
def test_depot_reach_counts_exactly_the_sites_the_street_matrix_puts_within_the_budget(
    session, world, planning_osm, minutes
):
    reach = depot_reach(session, world.planner, _query(world, minutes), osm=planning_osm)
    network = lokka_network(planning_osm)
    seconds = network.matrices(network.snap([ORIGIN]), network.snap(world.site_points)).seconds[0]
    within = [i for i, s in enumerate(seconds) if s <= minutes * 60]
    assert 0 < len(within) < len(world.site_ids)  # the budgets split the sites
    assert [site.id for site in reach.sites] == [world.site_ids[i] for i in within]
    assert [site.minutes for site in reach.sites] == [round(seconds[i] / 60, 2) for i in within]
    assert reach.site_count == len(within)
    assert reach.piece_count == sum(i + 1 for i in within)  # site i holds i + 1 pieces
    assert reach.building_count == len(within)  # a building stands at each site
    assert reach.apartment_count == sum(i + 1 for i in within)
    assert (reach.unroutable_sites, reach.unroutable_buildings) == (1, 1)  # the one far away
    assert reach.sites[0].kind == "schoolyard"
    assert reach.sites[0].pieces == 1


def test_the_farthest_site_is_reached_with_the_largest_budget(session, world, planning_osm):
    reach = depot_reach(session, ADMIN, _query(world, 120), osm=planning_osm)
    assert [site.id for site in reach.sites] == list(world.site_ids)
    assert reach.site_count == 4
    assert np.all(np.diff([site.minutes for site in reach.sites]) >= 0)


@pytest.mark.parametrize(
    "principal",
    [
        Principal(Role.CREW, crew_id=1),
        Principal(Role.CONTRACTOR, organisation_id=1),
        Principal(Role.TENANT, apartment_id=1, campaign_id=1),
    ],
    ids=["crew", "contractor", "tenant"],
)
def test_crews_contractors_and_tenants_may_not_ask(session, world, planning_osm, principal):
    with pytest.raises(PermissionDeniedError):
        isochrone_area(session, principal, _query(world, 5), osm=planning_osm)
    with pytest.raises(PermissionDeniedError):
        depot_reach(session, principal, _query(world, 5), osm=planning_osm)


def test_another_regions_planner_does_not_see_the_region(session, world, planning_osm):
    with pytest.raises(NotFoundError, match="unknown region"):
        depot_reach(session, world.other_planner, _query(world, 5), osm=planning_osm)
    with pytest.raises(InvalidInputError, match="outside every region you may see"):
        isochrone_area(
            session, world.other_planner, _query(world, 5, region=None), osm=planning_osm
        )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"minutes": 0.5}, (InvalidInputError, "minutes must be between 1 and 120")),
        ({"minutes": 121}, (InvalidInputError, "minutes must be between 1 and 120")),
        ({"minutes": float("nan")}, (InvalidInputError, "minutes must be between")),
        ({"point": (190.0, 59.9)}, (InvalidInputError, "longitude 190.0 is outside")),
        ({"point": (10.76, float("inf"))}, (InvalidInputError, "finite")),
        ({"region": "atlantis"}, (NotFoundError, "unknown region 'atlantis'")),
        ({"region": "reach-bergen"}, (InvalidInputError, "has no street graph")),
        ({"point": FAR_AWAY}, (InvalidInputError, "outside the region's street graph")),
        ({"point": FAR_AWAY, "region": None}, (InvalidInputError, "outside every region")),
    ],
)
def test_bad_input_is_a_typed_error(session, world, planning_osm, changes, expected):
    error, message = expected
    values = {"minutes": 5, "point": ORIGIN, **changes}
    query = _query(world, values.pop("minutes"), values.pop("point"), **values)
    with pytest.raises(error, match=message):
        isochrone_area(session, ADMIN, query, osm=planning_osm)
    with pytest.raises(error, match=message):
        depot_reach(session, ADMIN, query, osm=planning_osm)
