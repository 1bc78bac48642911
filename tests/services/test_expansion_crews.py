"""Crews needed for a siting: sample days planned by the day planner over Grünerløkka's streets."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

import sitecrew.services.expansion.crews as crews_module
from sitecrew.errors import InvalidInputError
from sitecrew.services.expansion.candidates import CandidateDepot
from sitecrew.services.expansion.crews import CrewRates, estimate_crews
from sitecrew.services.expansion.demand import demand_from_extract
from sitecrew.services.expansion.siting import site_depots
from sitecrew.services.graphs import get_network

if TYPE_CHECKING:
    from pathlib import Path

    from sitecrew.config import OsmSettings

REGION = "oslo-grunerlokka"
DEPOT = CandidateDepot("Depot", 10.7590, 59.9250, "test")
RATES = CrewRates(sample_days=2, solver_seconds=0.5, working_days=200)


@pytest.fixture(scope="module")
def lokka(osm_dir: Path, planning_osm: OsmSettings) -> tuple:
    """The clip's network and its schools and residential areas, sited on one depot."""
    network = get_network(REGION, settings=planning_osm)
    sites = demand_from_extract(osm_dir / f"{REGION}.osm.pbf", kinds=("school", "residential"))
    return network, sites


def _siting(lokka: tuple, factor: float):
    network, sites = lokka
    heavier = [replace(s, minutes_per_year=s.minutes_per_year * factor) for s in sites]
    return site_depots(network, heavier, [DEPOT], 1)


def test_crews_come_from_routes_the_planner_solved(lokka, planning_osm, monkeypatch):
    """Every sample day is solved by the day planner; its routes' travel and km are counted."""
    solved = []
    real = crews_module.solve_day

    def spy(*args, **kwargs):
        day = real(*args, **kwargs)
        solved.append(day)
        return day

    monkeypatch.setattr(crews_module, "solve_day", spy)
    estimate = estimate_crews(
        _siting(lokka, 1.0), street_region=REGION, osm=planning_osm, rates=RATES
    )
    (depot,) = estimate.depots
    assert len(solved) >= RATES.sample_days
    last_per_day = solved[-1]
    assert last_per_day.plan.routes
    assert last_per_day.legs  # road legs laid over the streets
    planned_m = sum(r.distance_m for r in last_per_day.plan.routes if r.job_ids)
    assert planned_m > 0
    assert depot.visits_routed == depot.visits_sampled > 0
    assert depot.crews >= 1
    assert depot.km_per_year > 0
    assert depot.cost_per_piece_year is not None
    assert depot.cost_per_piece_year > 0
    assert estimate.cost_per_year == pytest.approx(depot.cost_per_year)


def test_doubling_the_demand_needs_more_crew_days(lokka, planning_osm):
    """Twice the work at the same sites: more crew-days, more crews, cheaper depot per piece."""
    single = estimate_crews(
        _siting(lokka, 1.0), street_region=REGION, osm=planning_osm, rates=RATES
    )
    double = estimate_crews(
        _siting(lokka, 2.0), street_region=REGION, osm=planning_osm, rates=RATES
    )
    assert double.crew_days_per_year > single.crew_days_per_year
    assert double.depots[0].visits_per_year > single.depots[0].visits_per_year


def test_cost_adds_crews_km_and_the_depot(lokka, planning_osm):
    """Cost a year = crew-days x shift hours x hourly rate + km x rate + the depot's rent."""
    rates = replace(RATES, crew_hour_rate=100.0, cost_per_km=2.0, depot_cost_per_year=1000.0)
    (depot,) = estimate_crews(
        _siting(lokka, 1.0), street_region=REGION, osm=planning_osm, rates=rates
    ).depots
    expected = depot.crew_days_per_year * 8 * 100 + depot.km_per_year * 2 + 1000
    assert depot.cost_per_year == pytest.approx(expected, abs=5.0)
    assert depot.cost_per_piece_year == pytest.approx(depot.cost_per_year / depot.pieces, rel=1e-3)


def test_rates_out_of_range_or_unknown_are_refused():
    """Rates are inputs: a negative rate, zero working days or an unknown key is a typed error."""
    with pytest.raises(InvalidInputError, match="crew_hour_rate"):
        CrewRates(crew_hour_rate=-1)
    with pytest.raises(InvalidInputError, match="working_days"):
        CrewRates.from_json({"working_days": 0})
    with pytest.raises(InvalidInputError, match="unknown rate"):
        CrewRates.from_json({"wage": 3})
    with pytest.raises(InvalidInputError, match="must be a number"):
        CrewRates.from_json({"cost_per_km": "cheap"})
    assert CrewRates.from_json({"cost_per_km": "3.5"}).cost_per_km == 3.5
