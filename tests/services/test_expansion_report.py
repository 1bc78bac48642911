"""The expansion report on both backends: finished scenarios only, seen as the scoping rule says.

Scenarios are computed on the Grünerløkka clip (k=2) through the same service calls as
tests/services/test_expansion_scenarios.py.
"""

from __future__ import annotations

import re

import pytest
import shapely
from sqlalchemy.orm import sessionmaker

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.organisations import Region
from sitecrew.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services import organisations
from sitecrew.services.expansion.report import ScenarioNotFinishedError, expansion_report
from sitecrew.services.expansion.report_html import OSM_COPYRIGHT
from sitecrew.services.expansion.scenario_input import ScenarioInput
from sitecrew.services.expansion.scenario_run import execute_scenario
from sitecrew.services.expansion.scenarios import cancel_scenario, create_scenario

ADMIN = Principal(Role.ADMIN)
FAST = {"sample_days": 1, "solver_seconds": 0.3}
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(https?:[^"'\s>]*)""", re.IGNORECASE)


def external_addresses(html: str) -> list[str]:
    """Return every http(s) address the page would load or link to, and any CSS url()."""
    found = OUTSIDE.findall(html)
    found += re.findall(r"url\(\s*['\"]?https?:[^)]*\)", html, re.IGNORECASE)
    found += re.findall(r"@import", html)
    return found


@pytest.fixture
def region_id(session) -> int:
    """A database region over the Grünerløkka clip's street graph."""
    region = organisations.create_region(
        session,
        Region(
            "Report Løkka",
            shapely.box(10.745, 59.917, 10.778, 59.936),
            street_region="oslo-grunerlokka",
            slug="report-lokka",
        ),
    )
    return region.id


def _question(**changes) -> ScenarioInput:
    values = {"name": "two depots", "region": "report-lokka", "k": 2, "rates": FAST}
    values |= {"candidates": 8, "site_kinds": ("school", "residential")}
    return ScenarioInput(**(values | changes))


@pytest.fixture
def finished(session, region_id, planning_osm) -> int:
    """A k=2 scenario computed and kept."""
    created = create_scenario(session, ADMIN, _question(), osm=planning_osm)
    writes = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    execute_scenario(writes, created.id, planning_osm)
    return created.id


def test_the_report_compares_and_maps_a_finished_scenario(session, finished, planning_osm):
    """A comparison row, a map with streets, two depots, their isochrones and the OSM credit."""
    html = expansion_report(session, ADMIN, [finished], osm=planning_osm)
    comparison = re.search(r'<table id="comparison">.*?</table>', html, re.DOTALL)
    assert comparison is not None
    assert f"#{finished} two depots" in comparison.group(0)
    assert "D1 " in comparison.group(0)
    assert "D2 " in comparison.group(0)
    figure = re.search(rf'<figure class="map" id="map-{finished}">.*?</figure>', html, re.DOTALL)
    assert figure is not None
    svg = figure.group(0)
    assert len(re.findall(r'<g class="streets"[^>]*>(<path d="M[^"]{100,}"/>)+', svg)) == 1
    assert svg.count('<g class="depot"') == 2
    assert set(re.findall(r'class="isochrone" data-depot="\d" data-minutes="(\d+)"', svg)) == {
        "10",
        "20",
    }
    assert "sample days planned per depot" in html
    assert "OpenStreetMap contributors" in html
    assert "Open Database Licence (ODbL)" in html
    assert external_addresses(html) == [OSM_COPYRIGHT]
    assert expansion_report(session, ADMIN, [finished], osm=planning_osm) == html


def test_unfinished_scenarios_are_refused_before_anything_is_drawn(
    session, region_id, planning_osm
):
    queued = create_scenario(session, ADMIN, _question(name="queued"), osm=planning_osm)
    with pytest.raises(ScenarioNotFinishedError, match=f"scenario {queued.id} is queued"):
        expansion_report(session, ADMIN, [queued.id], osm=planning_osm)
    cancel_scenario(session, ADMIN, queued.id)
    with pytest.raises(ScenarioNotFinishedError, match="is cancelled"):
        expansion_report(session, ADMIN, [queued.id], osm=planning_osm)
    assert issubclass(ScenarioNotFinishedError, InvalidInputError)


def test_bad_id_lists_and_unknown_ids_are_typed_errors(session, region_id, planning_osm):
    with pytest.raises(InvalidInputError):
        expansion_report(session, ADMIN, [], osm=planning_osm)
    with pytest.raises(InvalidInputError):
        expansion_report(session, ADMIN, [7, 7], osm=planning_osm)
    with pytest.raises(InvalidInputError):
        expansion_report(session, ADMIN, list(range(1, 12)), osm=planning_osm)
    with pytest.raises(NotFoundError):
        expansion_report(session, ADMIN, [987654], osm=planning_osm)


def test_the_scoping_rule_of_scenarios_decides_who_reads_the_report(
    session, region_id, finished, planning_osm
):
    """The region's planner reads it; another region's does not see it; crews are refused."""
    own = Principal(Role.PLANNER, region_id=region_id)
    assert f"#{finished} two depots" in expansion_report(session, own, [finished], osm=planning_osm)
    with pytest.raises(NotFoundError):
        expansion_report(
            session,
            Principal(Role.PLANNER, region_id=region_id + 1000),
            [finished],
            osm=planning_osm,
        )
    with pytest.raises(PermissionDeniedError):
        expansion_report(session, Principal(Role.CREW, crew_id=1), [finished], osm=planning_osm)
