"""Expansion scenarios on both backends: create -> run -> result kept; cancel; refusals; compare."""

from __future__ import annotations

import pytest
import shapely
from sqlalchemy.orm import sessionmaker

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.organisations import Region
from sitecrew.domain.routes import RunState
from sitecrew.errors import (
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from sitecrew.services import organisations
from sitecrew.services.expansion.files import SiteFileError
from sitecrew.services.expansion.scenario_input import ScenarioInput
from sitecrew.services.expansion.scenario_run import execute_scenario
from sitecrew.services.expansion.scenarios import (
    cancel_scenario,
    compare_scenarios,
    create_scenario,
    get_scenario,
    list_scenarios,
)

ADMIN = Principal(Role.ADMIN)
FAST = {"sample_days": 1, "solver_seconds": 0.3}
SITES = "name,lon,lat,pieces\nA,10.7520,59.9230,6\nB,10.7700,59.9300,8\nC,10.7600,59.9200,4\n"
DEPOT = (10.7600, 59.9250)


@pytest.fixture
def region_id(session) -> int:
    """A database region over the Grünerløkka clip's street graph."""
    region = organisations.create_region(
        session,
        Region(
            "Scenario Løkka",
            shapely.box(10.745, 59.917, 10.778, 59.936),
            street_region="oslo-grunerlokka",
            slug="scenario-lokka",
        ),
    )
    return region.id


def _run(session, scenario_id: int, osm) -> None:
    writes = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    execute_scenario(writes, scenario_id, osm)


def _question(**changes) -> ScenarioInput:
    values = {"name": "two depots", "region": "scenario-lokka", "k": 2, "rates": FAST}
    values |= {"candidates": 8, "site_kinds": ("school", "residential")}
    return ScenarioInput(**(values | changes))


def test_a_scenario_runs_and_keeps_its_result(session, region_id, planning_osm):
    """Queued, then run by a worker: the siting, crews, costs and each site's depot are kept."""
    created = create_scenario(session, ADMIN, _question(), osm=planning_osm)
    assert created.state is RunState.QUEUED
    assert created.region_id == region_id
    _run(session, created.id, planning_osm)
    done = get_scenario(session, ADMIN, created.id)
    assert done.state is RunState.SUCCEEDED, done.error
    result = done.result
    assert result is not None
    assert len(result["depots"]) == 2
    assert result["siting"]["gap_pct"] <= 0.5
    assert result["crews"] >= 2
    assert result["cost_per_piece_year"] > 0
    assert {p[2] for p in result["site_points"]} <= {-1, 0, 1}
    assert len(result["site_points"]) == result["sites"]
    assert [s.id for s in list_scenarios(session, ADMIN, region_id)] == [created.id]


def test_serving_from_a_given_depot_and_comparing(session, region_id, planning_osm):
    """The existing depot (given lon/lat) serves every site; compare puts both side by side."""
    one = create_scenario(
        session,
        ADMIN,
        _question(name="existing depot", depots=(DEPOT,), sites_csv=SITES),
        osm=planning_osm,
    )
    two = create_scenario(session, ADMIN, _question(sites_csv=SITES), osm=planning_osm)
    for scenario in (one, two):
        _run(session, scenario.id, planning_osm)
    found, rows = compare_scenarios(session, ADMIN, [one.id, two.id])
    assert [f.name for f in found] == ["existing depot", "two depots"]
    figures = {row.key: row.values for row in rows}
    assert figures["k"] == ("1", "2")
    assert figures["sites"] == ("3", "3")
    assert all(value is not None for value in figures["cost_per_year"])


def test_a_cancelled_scenario_is_never_run(session, region_id, planning_osm):
    """Cancelled while queued, the worker leaves it; cancelling again is an illegal transition."""
    created = create_scenario(session, ADMIN, _question(), osm=planning_osm)
    cancelled = cancel_scenario(session, ADMIN, created.id)
    assert cancelled.state is RunState.CANCELLED
    _run(session, created.id, planning_osm)
    assert get_scenario(session, ADMIN, created.id).result is None
    with pytest.raises(IllegalTransitionError):
        cancel_scenario(session, ADMIN, created.id)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"k": 0}, InvalidInputError),
        ({"objective": "cheapest"}, InvalidInputError),
        ({"objective": "coverage"}, InvalidInputError),
        ({"depots": ((200.0, 59.0),)}, InvalidInputError),
        ({"rates": {"wage": 1}}, InvalidInputError),
        ({"sites_csv": "name,lon,lat,pieces\nA,x,59,3\n"}, SiteFileError),
        ({"region": "atlantis"}, NotFoundError),
        ({"name": " "}, InvalidInputError),
    ],
)
def test_bad_input_is_a_typed_error_and_writes_nothing(
    session, region_id, planning_osm, changes, error
):
    """Each bad input is refused with its typed error before anything is stored."""
    with pytest.raises(error):
        create_scenario(session, ADMIN, _question(**changes), osm=planning_osm)
    assert list_scenarios(session, ADMIN) == []


def test_crews_tenants_and_other_regions_planners_are_refused(session, region_id, planning_osm):
    """Only admins and the region's planners plan expansions and read scenarios."""
    created = create_scenario(
        session, Principal(Role.PLANNER, region_id=region_id), _question(), osm=planning_osm
    )
    for principal in (
        Principal(Role.CREW, crew_id=1),
        Principal(Role.TENANT, apartment_id=1, campaign_id=1),
    ):
        with pytest.raises(PermissionDeniedError):
            create_scenario(session, principal, _question(), osm=planning_osm)
        with pytest.raises(PermissionDeniedError):
            get_scenario(session, principal, created.id)
    other = Principal(Role.PLANNER, region_id=region_id + 1000)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        create_scenario(session, other, _question(), osm=planning_osm)
    with pytest.raises(NotFoundError):
        get_scenario(session, other, created.id)
