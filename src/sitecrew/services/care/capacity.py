"""Team capacity (#17 item 7): the people a region's care team needs in each month of a year.

``team_capacity`` adds up the person-hours the year needs, month by month, and sets them against
the team's calendar (:mod:`sitecrew.domain.care_capacity` has the sums and the rules):

- **care**: every piece of the region and every plan in force for its model, each occurrence of
  the plan's action in the year (from its last time done, or installation; seasonal work moved
  into its season, as the due-work run does; forecasting a later year, what is overdue today is
  due today), one visit per site, action and month: setup once, each piece's minutes, times
  the people the plan needs;
- **backlog**: the region's open jobs that are not the plans' own care work (installation
  projects, repairs raised by inspections, jobs made by hand) and that some crew of the team
  can do, with their minutes and the planner's setup per site; one due in the year counts in
  its month, the rest (overdue or undated) is worked off evenly over the team's working days.
  A job takes the people its care row names (an installation: two), else
  :data:`BACKLOG_PEOPLE` by kind (installing furniture two, others one);
- **travel**: minutes per visit from routing sample weeks over the street graph
  (:mod:`.capacity_travel`), charged to each visit's people;
- **supply**: the team's calendar (:mod:`.capacity_team`).

It reads and writes nothing else: the sample days are solved in memory, not stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.care import next_action_on
from sitecrew.domain.care_capacity import (
    CapacityRow,
    WorkUnit,
    capacity_rows,
    group_visits,
    occurrences_in_year,
    peak,
    require_year,
    spread_over,
)
from sitecrew.domain.crews import parse_skills
from sitecrew.domain.jobs import JobKind
from sitecrew.domain.rules import require_range
from sitecrew.services.care.capacity_team import care_team, month_supply, team_working_days
from sitecrew.services.care.capacity_travel import TravelEstimate, TravelSample, estimate_travel
from sitecrew.services.care.reading import plans_in_force
from sitecrew.services.care.state import OPEN_STATUSES, read_region_care
from sitecrew.services.planning.load_jobs import SETUP_MINUTES, job_rows
from sitecrew.services.progress import no_progress
from sitecrew.services.scoping import require_region_planner

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal
    from sitecrew.domain.care import CarePlan
    from sitecrew.domain.crews import Skill
    from sitecrew.domain.routes import PlanOptions
    from sitecrew.services.care.capacity_team import Team
    from sitecrew.services.care.state import Piece, RegionCare
    from sitecrew.services.progress import ProgressCallback

#: People a backlog job takes, by kind (others: one). Installing furniture is a two-person lift.
BACKLOG_PEOPLE: dict[JobKind, int] = {JobKind.INSTALL_FURNITURE: 2}
#: Most sample weeks one forecast routes (each is five solver runs).
MAX_SAMPLE_WEEKS = 12
#: Setup minutes of a backlog job of a kind the planner has no setup for.
DEFAULT_SETUP_MINUTES = 5


@dataclass(frozen=True)
class TeamCapacity:
    """Forecast ``year`` in a region; route ``sample_weeks`` weeks to estimate travel (0: none).

    ``today``: the day the forecast is made (default: the region's today); work overdue then is
    due then, when that is before the year.
    """

    region_id: int
    year: int
    sample_weeks: int = 1
    today: date | None = None

    def __post_init__(self) -> None:
        require_year(self.year)
        require_range(self.sample_weeks, "sample weeks", low=0, high=MAX_SAMPLE_WEEKS)


@dataclass(frozen=True)
class CapacityReport:
    """The forecast: a row per month, the team it counted, travel, and what the demand held."""

    region_id: int
    region_name: str
    year: int
    rows: tuple[CapacityRow, ...]
    team: tuple[str, ...]
    travel: TravelEstimate
    pieces: int
    backlog_jobs: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def peak(self) -> CapacityRow | None:
        """The month needing the most people (``None``: no work in the year)."""
        return peak(self.rows)


def team_capacity(
    session: Session,
    principal: Principal,
    command: TeamCapacity,
    *,
    osm: OsmSettings | None = None,
    options: PlanOptions | None = None,
    progress: ProgressCallback = no_progress,
) -> CapacityReport:
    """Return the people the region's care team needs per month of the year (see the module).

    Travel is estimated only with ``osm`` and ``options`` (the street graph and the solver's
    limits) and at least one sample week; otherwise it counts as zero, and the report says so.

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and other regions' planners.
    NotFoundError
        When the region does not exist.
    StreetGraphError
        When the street graph cannot be read, or a depot lies off the streets.
    """
    require_region_planner(principal, command.region_id, action="forecast team capacity")
    region = get_or_raise(session, m.Region, command.region_id)
    country = region.country or "NO"
    progress("demand", 0, 2)
    plans = plans_in_force(session, region.id)
    team = care_team(session, region.id, [plan.required_skills for plan in plans])
    days = team_working_days(team, region_id=region.id, country=country, year=command.year)
    today = command.today or datetime.now(UTC).astimezone(ZoneInfo(region.timezone)).date()
    care_units, pieces = _care_units(session, region.id, plans, command.year, today)
    backlog_units = _backlog_units(session, region.id, team, days, command.year)
    visits = group_visits([*care_units, *backlog_units])
    progress("demand", 1, 2)
    supply = month_supply(session, team, region_id=region.id, country=country, year=command.year)
    progress("demand", 2, 2)
    travel = TravelEstimate(0.0, note="travel not estimated (no street graph settings)")
    if osm is not None and options is not None:
        sample = TravelSample(region.id, team, visits, days, command.sample_weeks)
        travel = estimate_travel(session, sample, osm=osm, options=options, progress=progress)
    rows = capacity_rows(visits, supply, travel_minutes_per_visit=travel.minutes_per_visit)
    notes = [] if team.crews else ["the region has no crew for the care plans' skills"]
    if travel.note:
        notes.append(travel.note)
    return CapacityReport(
        region_id=region.id,
        region_name=region.name,
        year=command.year,
        rows=tuple(rows),
        team=team.names,
        travel=travel,
        pieces=pieces,
        backlog_jobs=len(backlog_units),
        notes=tuple(notes),
    )


def _care_units(
    session: Session, region_id: int, plans: Sequence[CarePlan], year: int, today: date
) -> tuple[list[WorkUnit], int]:
    """Return one unit per piece, plan and occurrence in ``year``, and the pieces with a plan."""
    by_model: dict[int, list[CarePlan]] = defaultdict(list)
    for plan in plans:
        by_model[plan.model_id].append(plan)
    care = read_region_care(session, region_id, set(by_model))
    points = _site_points(session, region_id)
    units: list[WorkUnit] = []
    for piece in care.pieces:
        place, point = f"site:{piece.site_id}", points.get(piece.site_id)
        for plan in by_model.get(piece.model_id, ()):
            next_on = next_action_on(
                care.last_done(piece, plan), piece.installed_on, plan.interval_months
            )
            cycles = occurrences_in_year(
                next_on,
                interval_months=plan.interval_months,
                season=plan.season,
                year=year,
                today=today,
                skip_first=_in_backlog(care, piece, plan),
            )
            units.extend(
                WorkUnit(
                    place,
                    plan.action,
                    day.month,
                    plan.minutes_per_piece,
                    plan.setup_minutes,
                    plan.people,
                    point,
                )
                for day in cycles
            )
    return units, len(care.pieces)


def _backlog_units(
    session: Session, region_id: int, team: Team, days: Sequence[date], year: int
) -> list[WorkUnit]:
    """Return one unit per open backlog job the team can do (see the module text)."""
    plan_actions = {plan.action for plan in plans_in_force(session, region_id)}
    query = (
        select(m.Job.id, m.Job.due_on, m.CareJob.action, m.CareJob.people)
        .outerjoin(m.CareJob, m.CareJob.job_id == m.Job.id)
        .where(m.Job.region_id == region_id, m.Job.status.in_(OPEN_STATUSES))
    )
    due: dict[int, date | None] = {}
    people: dict[int, int] = {}
    for job_id, due_on, action, care_people in session.execute(query):
        if action is not None and action in plan_actions:
            continue  # the plans' own work, projected from the pieces
        due[job_id] = due_on
        if care_people is not None:
            people[job_id] = care_people
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = [
        row
        for row in job_rows(session, region_id=region_id, statuses=OPEN_STATUSES)
        if row.id in due and (due[row.id] or first) <= last and team.can_do(_skills(row.skills))
    ]
    # Due in the year: that month; overdue or undated: spread over the team's working days.
    dated: dict[int, date] = {}
    for row in rows:
        due_on = due[row.id]
        if due_on is not None and due_on >= first:
            dated[row.id] = due_on
    undated = [row.id for row in rows if row.id not in dated]
    on_day: dict[int, date] = {
        **dated,
        **dict(zip(undated, spread_over(len(undated), days), strict=True)),
    }
    return [
        WorkUnit(
            place=row.setup_group,
            action=row.kind.value,
            month=max(on_day[row.id], first).month,
            minutes=row.minutes,
            setup_minutes=SETUP_MINUTES.get(row.kind, DEFAULT_SETUP_MINUTES),
            people=people.get(row.id) or backlog_people(row.kind),
            point=row.point,
            backlog=True,
        )
        for row in rows
    ]


def _in_backlog(care: RegionCare, piece: Piece, plan: CarePlan) -> bool:
    """Tell whether an open job that is no care job covers the piece's next cycle of the plan.

    Such a job (made by hand, or by the demo's loader) is in the backlog already, so the
    plan's first cycle must not count a second time.
    """
    return (piece.id, plan.job_kind) in care.kinds_on_pieces or (
        piece.site_id,
        plan.job_kind,
    ) in care.kinds_on_sites


@lru_cache(maxsize=256)
def _skills(names: frozenset[str]) -> frozenset[Skill]:
    return parse_skills(list(names))


def backlog_people(kind: JobKind) -> int:
    """Return the people a backlog job of ``kind`` takes (the hook for per-job people)."""
    return BACKLOG_PEOPLE.get(kind, 1)


def _site_points(session: Session, region_id: int) -> dict[int, tuple[float, float]]:
    query = select(m.Site.id, m.Site.location).where(m.Site.region_id == region_id)
    found = {}
    for site_id, location in session.execute(query):
        shape = from_db_geometry(location)
        if shape is not None:
            found[site_id] = (float(shape.x), float(shape.y))
    return found
