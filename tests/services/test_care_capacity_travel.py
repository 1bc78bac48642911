"""Team capacity's travel (#17 item 7): sample weeks routed over a real street graph, both backends.

Region ``lokka`` of the import world (the small Grünerløkka clip): six yards with a bench each,
due for oiling in June 2026, and one care crew of two at a depot in the middle. Routing one
sample week gives travel minutes per visit, charged to June's visits; nothing is stored.
"""

from __future__ import annotations

from datetime import date, time

import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import func, select
from tests.services.import_world import (
    REGION,
    import_engine_fixture,  # noqa: F401 (fixture import_engine)
    import_session_fixture,  # noqa: F401 (fixture import_session)
)

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.care import CarePlan, Season
from sitecrew.domain.crews import Crew, CrewMember, Depot, Skill
from sitecrew.domain.jobs import JobKind, MaintenanceAction
from sitecrew.domain.routes import PlanOptions
from sitecrew.domain.sites import Furniture, FurnitureCategory, FurnitureModel, Site, SiteKind
from sitecrew.services import crews, furniture, sites
from sitecrew.services.care.capacity import TeamCapacity, team_capacity
from sitecrew.services.care.plans import add_care_plan
from sitecrew.services.regions import get_region_by_ref

ADMIN = Principal(Role.ADMIN)
YARDS = ((10.7575, 59.9230), (10.7620, 59.9265), (10.7700, 59.9250), (10.7530, 59.9280))


def _world(session) -> int:
    region_id = get_region_by_ref(session, REGION).id
    model = furniture.add_furniture_model(
        session, FurnitureModel("Capacity bench", FurnitureCategory.BENCH, "pine", 365)
    )
    add_care_plan(
        session,
        CarePlan(
            model.id,
            "oil",
            JobKind.OIL,
            interval_months=12,
            minutes_per_piece=25,
            setup_minutes=10,
            required_skills=frozenset({Skill.OILING}),
            season=Season(4, 9),
            counted_actions=frozenset({MaintenanceAction.OILED}),
        ),
    )
    for index, (x, y) in enumerate(YARDS):
        site = sites.add_site(
            session,
            Site(
                f"Capacity yard {index}",
                SiteKind.HOUSING_COOPERATIVE,
                Point(x, y),
                region_id,
                area=shapely.box(x - 0.0005, y - 0.0003, x + 0.0005, y + 0.0003),
            ),
        )
        piece = furniture.add_furniture(
            session, Furniture(site.id, model.id, f"CAP-{index}", Point(x, y), date(2025, 6, 10))
        )
        assert piece.id is not None
    depot = crews.create_depot(session, Depot("Løkka depot", region_id, Point(10.7610, 59.9250)))
    crew = crews.create_crew(
        session,
        Crew(
            "Løkka care",
            region_id,
            depot.id,
            time(7, 30),
            time(15, 30),
            skills=frozenset({Skill.OILING}),
        ),
    )
    for name in ("Ada", "Bo"):
        crews.add_crew_member(session, CrewMember(crew.id, name))
    return region_id


def test_a_sample_week_routed_over_the_streets_gives_travel_per_visit(import_session, planning_osm):
    """June is the only month with work: its week is routed; travel is charged to June alone."""
    region_id = _world(import_session)
    steps: list[str] = []
    routes_before = import_session.scalar(select(func.count()).select_from(m.Route))

    report = team_capacity(
        import_session,
        ADMIN,
        TeamCapacity(region_id, 2026, sample_weeks=1, today=date(2025, 12, 1)),
        osm=planning_osm,
        options=PlanOptions(seed=1, time_limit_s=None, max_iterations=30),
        progress=lambda step, _done, _total: steps.append(step),
    )

    travel = report.travel
    assert travel.note is None
    assert [day.month for day in travel.days] == [6] * 5  # a week of June's working days
    assert travel.visits_routed > 0
    assert 0 < travel.minutes_per_visit < 60  # Grünerløkka is a few streets across
    june = report.rows[5]
    assert june.visits == len(YARDS)
    assert june.travel_hours == pytest.approx(len(YARDS) * travel.minutes_per_visit / 60)
    assert all(row.travel_hours == 0 for row in report.rows if row.month != 6)
    assert "sample days" in steps
    assert "solve" in steps
    assert import_session.scalar(select(func.count()).select_from(m.Route)) == routes_before


def test_no_sample_weeks_routes_nothing_and_says_so(import_session, planning_osm):
    """--sample-weeks 0: travel counts as zero, with a note."""
    region_id = _world(import_session)
    report = team_capacity(
        import_session,
        ADMIN,
        TeamCapacity(region_id, 2026, sample_weeks=0, today=date(2025, 12, 1)),
        osm=planning_osm,
        options=PlanOptions(seed=1, time_limit_s=None, max_iterations=30),
    )
    assert report.travel.minutes_per_visit == 0
    assert report.notes == ("travel not estimated (no sample weeks)",)
