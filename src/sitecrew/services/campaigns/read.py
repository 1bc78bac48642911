"""Reading campaigns: one, a page of them, a page of homes, a crew's visits of a day, the report.

Each use case is ``verb_noun(session, principal, query)`` and reads one snapshot; who may read
what is asked of :mod:`sitecrew.services.scoping` (admins and the campaign region's planners
read campaigns; a crew reads its own visits). The burn-down, forecast, buildings at risk, the
learned service time and the chart are computed by the pure functions of
:mod:`sitecrew.campaigns` from the facts :func:`campaign_progress` reads.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from sitecrew.campaigns.burndown import Burndown, burndown
from sitecrew.campaigns.chart import burndown_chart
from sitecrew.campaigns.forecast import (
    BuildingRisk,
    CapacityDay,
    Forecast,
    ForecastBasis,
    ForecastPoint,
    buildings_at_risk,
    forecast_completion,
    observed_rates,
)
from sitecrew.campaigns.service_time import EntranceVisit, LearnedServiceTime, learn_service_time
from sitecrew.db import models as m
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.domain.rules import require_plausible_date, require_range
from sitecrew.errors import InvalidInputError
from sitecrew.services.campaigns.commands import CampaignInfo, HomeInfo, VisitInfo
from sitecrew.services.campaigns.load import entrance_numbers, home_rows, working_days
from sitecrew.services.campaigns.progress import CampaignProgress, campaign_progress
from sitecrew.services.campaigns.rows import campaign_infos, home_info, service_model, visit_info
from sitecrew.services.regions import RegionRef, get_region_by_ref
from sitecrew.services.scoping import (
    get_readable_campaign,
    readable_campaigns,
    readable_crew_visits,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.campaigns import VisitRecord

#: The most visits one crew-day can hold (a crew does at most 500 jobs a day).
MAX_DAY_VISITS = 500
#: How far past the deadline (or today) the forecast counts crews' working days.
FORECAST_HORIZON_DAYS = 366
#: Trials of the forecast's simulation (fewer than the library's default: a request waits).
FORECAST_TRIALS = 500
ChartFormat = Literal["png", "svg"]
CHART_MEDIA_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}


# --- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListCampaigns:
    """A page of campaigns (keyset: ids after ``after_id``), optionally of one region."""

    region: RegionRef | None = None
    after_id: int | None = None
    limit: int = 50

    def __post_init__(self) -> None:
        require_range(self.limit, "page size", low=1, high=10_000)


@dataclass(frozen=True)
class ListCampaignHomes:
    """A page of a campaign's homes, filtered by state, day, crew and district (all optional)."""

    campaign_id: int
    state: HomeState | None = None
    day: date | None = None
    crew_id: int | None = None
    district_id: int | None = None
    after_id: int | None = None
    limit: int = 50

    def __post_init__(self) -> None:
        require_range(self.limit, "page size", low=1, high=10_000)
        if self.day is not None:
            require_plausible_date(self.day, "day")


@dataclass(frozen=True)
class CrewCampaignVisits:
    """A crew's campaign visits of one day (of every campaign, or of one)."""

    crew_id: int
    day: date
    campaign_id: int | None = None

    def __post_init__(self) -> None:
        require_plausible_date(self.day, "day")


@dataclass(frozen=True)
class ForecastCampaign:
    """Forecast a campaign's finish as of a day (None: today in the campaign region's zone)."""

    campaign_id: int
    as_of: date | None = None
    trials: int = FORECAST_TRIALS
    seed: int = 0

    def __post_init__(self) -> None:
        if self.as_of is not None:
            require_plausible_date(self.as_of, "forecast as of")
        require_range(self.trials, "forecast trials", low=10, high=5000)


@dataclass(frozen=True)
class CampaignChart:
    """The burn-down chart of a campaign as PNG or SVG, with the forecast's band."""

    campaign_id: int
    fmt: str = "png"
    as_of: date | None = None

    def __post_init__(self) -> None:
        if self.fmt not in CHART_MEDIA_TYPES:
            raise InvalidInputError(f"unknown chart format {self.fmt[:20]!r}: use png or svg")
        if self.as_of is not None:
            require_plausible_date(self.as_of, "chart as of")


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignReport:
    """Where a campaign stands: homes by state, the burn-down and the buildings at risk."""

    campaign: CampaignInfo
    homes_by_state: dict[HomeState, int]
    burndown: Burndown
    buildings_at_risk: tuple[BuildingRisk, ...]


@dataclass(frozen=True)
class CampaignForecast:
    """The forecast of a campaign as of a day, and the crew-days it spent."""

    campaign: CampaignInfo
    as_of: date
    forecast: Forecast
    crew_days: int


@dataclass(frozen=True)
class ChartFile:
    """A drawn chart: its bytes, media type and a file name."""

    data: bytes
    media_type: str
    filename: str


# --- use cases -----------------------------------------------------------------------------------


def get_campaign(session: Session, principal: Principal, campaign_id: int) -> CampaignInfo:
    """Return one campaign with its crews and number of homes.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When it does not exist or lies outside the planner's region.
    """
    row = get_readable_campaign(session, principal, campaign_id, action="read campaigns")
    return campaign_infos(session, [row])[0]


def list_campaigns(
    session: Session, principal: Principal, query: ListCampaigns
) -> tuple[list[CampaignInfo], bool]:
    """Return a page of the campaigns the caller may read (by id) and whether more follow.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When ``query.region`` names no region the caller may see.
    """
    clause = readable_campaigns(principal, action="list campaigns")
    statement = select(m.Campaign).where(clause)
    if query.region is not None:
        region = get_region_by_ref(session, query.region, principal=principal)
        statement = statement.where(m.Campaign.region_id == region.id)
    if query.after_id is not None:
        statement = statement.where(m.Campaign.id > query.after_id)
    rows = list(session.scalars(statement.order_by(m.Campaign.id).limit(query.limit + 1)))
    return campaign_infos(session, rows[: query.limit]), len(rows) > query.limit


def list_campaign_homes(
    session: Session, principal: Principal, query: ListCampaignHomes
) -> tuple[list[HomeInfo], bool]:
    """Return a page of a campaign's homes (by id) and whether more follow.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    """
    campaign = get_readable_campaign(
        session, principal, query.campaign_id, action="read campaign homes"
    )
    statement = select(m.CampaignHome).where(m.CampaignHome.campaign_id == campaign.id)
    if query.state is not None:
        statement = statement.where(m.CampaignHome.state == query.state.value)
    if query.day is not None:
        statement = statement.where(m.CampaignHome.day == query.day)
    if query.crew_id is not None:
        statement = statement.where(m.CampaignHome.crew_id == query.crew_id)
    if query.district_id is not None:
        statement = statement.where(m.CampaignHome.apartment_id.in_(_district_flats(query)))
    if query.after_id is not None:
        statement = statement.where(m.CampaignHome.id > query.after_id)
    rows = list(session.scalars(statement.order_by(m.CampaignHome.id).limit(query.limit + 1)))
    return [home_info(row) for row in rows[: query.limit]], len(rows) > query.limit


def _district_flats(query: ListCampaignHomes) -> Select[int]:
    district = func.coalesce(m.Apartment.district_id, m.Building.district_id)
    return (
        select(m.Apartment.id)
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .where(district == query.district_id)
    )


def list_crew_campaign_visits(
    session: Session, principal: Principal, query: CrewCampaignVisits
) -> list[VisitInfo]:
    """Return a crew's campaign visits of a day, by window (at most :data:`MAX_DAY_VISITS`).

    Raises
    ------
    PermissionDeniedError
        For contractors.
    NotFoundError
        When the crew does not exist, lies outside the planner's region or is another crew's.
    """
    clause = readable_crew_visits(session, principal, query.crew_id, action="read crew visits")
    statement = select(m.CampaignVisit).where(clause, m.CampaignVisit.day == query.day)
    if query.campaign_id is not None:
        homes = select(m.CampaignHome.id).where(m.CampaignHome.campaign_id == query.campaign_id)
        statement = statement.where(m.CampaignVisit.campaign_home_id.in_(homes))
    statement = statement.order_by(m.CampaignVisit.window_start, m.CampaignVisit.id)
    return [visit_info(row) for row in session.scalars(statement.limit(MAX_DAY_VISITS))]


def campaign_report(session: Session, principal: Principal, campaign_id: int) -> CampaignReport:
    """Return the campaign's homes by state, its burn-down and its buildings at risk.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    """
    progress = campaign_progress(session, principal, campaign_id)
    info = progress.campaign
    states = Counter(home.state for home in progress.homes)
    return CampaignReport(
        campaign=info,
        homes_by_state={state: states.get(state, 0) for state in HomeState},
        burndown=burndown(progress.homes, progress.visits, name=info.name),
        buildings_at_risk=buildings_at_risk(
            progress.homes, deadline=info.deadline_on, max_failed_attempts=info.max_failed_attempts
        ),
    )


def forecast_campaign(
    session: Session, principal: Principal, query: ForecastCampaign
) -> CampaignForecast:
    """Forecast the campaign's finish from its observed visits and its crews' future days.

    Capacity is every working day of each campaign crew after ``as_of`` (calendars, public
    holidays, absences and training, as the sweep plans them) up to a year past the deadline,
    so that a late campaign still gets a P90. Homes in a contractor's districts are forecast
    over that contractor's crews alone, the others over the own crews (as the sweep gives them
    out), and the campaign finishes when the last of them does (:func:`_combined`).

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    """
    progress = campaign_progress(session, principal, query.campaign_id)
    info = progress.campaign
    as_of = query.as_of or _today(session, info.region_id)
    capacity = _capacity(session, info, as_of)
    home_owner = _home_owners(session, progress)
    crew_owner = _crew_owners(session, info.crew_ids)
    parts = []
    for owner in sorted(set(home_owner.values()) | set(crew_owner.values()), key=_owner_key):
        remaining = sum(
            1
            for home in progress.homes
            if home.remaining and home_owner[home.apartment_id] == owner
        )
        history = [v.record for v in progress.visits if crew_owner.get(v.record.crew_id) == owner]
        if remaining == 0 and not history:
            continue
        days = [day for day in capacity if crew_owner.get(day.crew_id) == owner]
        forecast = forecast_completion(
            remaining,
            history,
            days,
            planned_visits_per_crew_day=info.visits_per_crew_day,
            deadline=info.deadline_on,
            trials=query.trials,
            seed=query.seed,
        )
        parts.append((_owner_label(owner), forecast))
    history = [visit.record for visit in progress.visits]
    return CampaignForecast(info, as_of, _combined(parts, history), len(capacity))


def learned_service_time(
    session: Session, principal: Principal, campaign_id: int
) -> LearnedServiceTime:
    """Learn minutes per home and setup per entrance from the campaign's timed DONE visits.

    The campaign's own numbers are the prior, kept while too few visits were timed.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    """
    progress = campaign_progress(session, principal, campaign_id)
    info = progress.campaign
    return learn_service_time(_entrance_visits(session, progress), prior=service_model(info))


def campaign_chart(session: Session, principal: Principal, query: CampaignChart) -> ChartFile:
    """Draw the campaign's burn-down against its deadline, with the forecast's P50/P90 band.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    """
    report = campaign_report(session, principal, query.campaign_id)
    forecast = forecast_campaign(
        session, principal, ForecastCampaign(query.campaign_id, as_of=query.as_of)
    )
    info = report.campaign
    data = burndown_chart(
        report.burndown.weeks,
        total_homes=info.homes,
        deadline=info.deadline_on,
        as_of=forecast.as_of,
        forecast=forecast.forecast,
        title=f"{info.name}: burn-down",
        fmt="svg" if query.fmt == "svg" else "png",
    )
    filename = f"campaign{info.id}-burndown.{query.fmt}"
    return ChartFile(data, CHART_MEDIA_TYPES[query.fmt], filename)


# --- helpers -------------------------------------------------------------------------------------


def _today(session: Session, region_id: int) -> date:
    zone = session.scalar(select(m.Region.timezone).where(m.Region.id == region_id))
    return datetime.now(UTC).astimezone(ZoneInfo(zone or "UTC")).date()


def _capacity(session: Session, info: CampaignInfo, as_of: date) -> list[CapacityDay]:
    """Return each campaign crew's working days after ``as_of`` (the forecast's capacity)."""
    first = max(as_of + timedelta(days=1), info.start_on)
    last = max(info.deadline_on, as_of) + timedelta(days=FORECAST_HORIZON_DAYS)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    crews = list(session.scalars(select(m.Crew).where(m.Crew.id.in_(info.crew_ids))))
    shifts = working_days(session, crews, days)
    return sorted(CapacityDay(day, crew_id) for crew_id, worked in shifts.items() for day in worked)


def _home_owners(session: Session, progress: CampaignProgress) -> dict[int, int | None]:
    """Return, per apartment, the contractor that owns its district (None: the own crews').

    The sweep gives a contractor's districts only to that contractor's crews, so its homes are
    forecast with its crews' days alone.
    """
    districts = {home.district_id for home in progress.homes if home.district_id is not None}
    owners = dict(
        session.execute(
            select(m.District.id, m.District.contractor_id).where(m.District.id.in_(districts))
        ).all()
    )
    return {
        home.apartment_id: owners.get(home.district_id) if home.district_id else None
        for home in progress.homes
    }


def _crew_owners(session: Session, crew_ids: Sequence[int]) -> dict[int, int | None]:
    """Return, per crew, its contractor organisation (None: a crew of the own organisation)."""
    query = (
        select(m.Crew.id, m.Crew.organisation_id, m.Organisation.kind)
        .outerjoin(m.Organisation, m.Organisation.id == m.Crew.organisation_id)
        .where(m.Crew.id.in_(crew_ids))
    )
    return {
        crew: organisation if kind == OrganisationKind.CONTRACTOR.value else None
        for crew, organisation, kind in session.execute(query)
    }


def _owner_key(owner: int | None) -> int:
    return -1 if owner is None else owner


def _owner_label(owner: int | None) -> str:
    return "own crews" if owner is None else f"contractor {owner}"


def _combined(parts: Sequence[tuple[str, Forecast]], history: Sequence[VisitRecord]) -> Forecast:
    """Combine the forecasts of each owner's homes over its own crews' days.

    The campaign finishes when its last owner does: P50 and P90 are the latest of the parts'
    (a part that does not finish within its capacity makes the campaign's None), the share by
    the deadline is the product of the parts' (their trials are independent), and the band adds
    the parts' remaining homes day by day.
    """
    if len(parts) == 1:
        return parts[0][1]
    forecasts = [forecast for _, forecast in parts]
    live = [f for f in forecasts if f.basis is not ForecastBasis.DONE]
    shares = [f.share_by_deadline for f in forecasts]
    share = None if any(x is None for x in shares) else math.prod(x or 0.0 for x in shares)
    first = forecasts[0]
    return Forecast(
        basis=_basis(live),
        remaining=sum(f.remaining for f in forecasts),
        p50=_latest([f.p50 for f in live]) if live else _latest([f.p50 for f in forecasts]),
        p90=_latest([f.p90 for f in live]) if live else _latest([f.p90 for f in forecasts]),
        deadline=first.deadline,
        share_by_deadline=share,
        rates=observed_rates(history),
        trials=first.trials,
        seed=first.seed,
        band=_summed_band(forecasts),
        note="; ".join(_part_note(label, forecast) for label, forecast in parts),
    )


def _part_note(label: str, forecast: Forecast) -> str:
    def day(value: date | None) -> str:
        return "beyond the horizon" if value is None else value.isoformat()

    return (
        f"{label}: {forecast.remaining} homes, P50 {day(forecast.p50)}, P90 {day(forecast.p90)} "
        f"({forecast.note})"
    )


def _basis(live: Sequence[Forecast]) -> ForecastBasis:
    """Return the weakest basis among the parts still running (the planned rate's, if any)."""
    bases = {forecast.basis for forecast in live}
    if not bases:
        return ForecastBasis.DONE
    return ForecastBasis.PLANNED if ForecastBasis.PLANNED in bases else ForecastBasis.HISTORY


def _latest(days: Sequence[date | None]) -> date | None:
    """Return the latest day, or None when any is None (a part not finishing in its horizon)."""
    if any(day is None for day in days):
        return None
    return max((day for day in days if day is not None), default=None)


def _summed_band(forecasts: Sequence[Forecast]) -> tuple[ForecastPoint, ...]:
    """Add the parts' remaining homes per day (a part's last value holds on days it skips)."""
    days = sorted({point.day for f in forecasts for point in f.band})
    totals: list[tuple[int, int]] = [(0, 0)] * len(days)
    for forecast in forecasts:
        points = {point.day: point for point in forecast.band}
        last = (forecast.remaining, forecast.remaining)
        end = max(points, default=None)
        for index, day in enumerate(days):
            if day in points:
                last = (points[day].p50_remaining, points[day].p90_remaining)
            elif end is not None and day > end:
                last = (0, 0)
            totals[index] = (totals[index][0] + last[0], totals[index][1] + last[1])
    return tuple(ForecastPoint(day, p50, p90) for day, (p50, p90) in zip(days, totals, strict=True))


def _entrance_visits(session: Session, progress: CampaignProgress) -> list[EntranceVisit]:
    """Return the ended visits with the building and stairwell of their home."""
    if not progress.visits:
        return []
    rows = home_rows(session, progress.campaign.id, [state.value for state in HomeState])
    entrances = entrance_numbers(rows)
    where = {row.apartment_id: (row.building_id, entrances[row.home_id]) for row in rows}
    return [
        EntranceVisit(*where[visit.apartment_id], visit.record)
        for visit in progress.visits
        if visit.apartment_id in where
    ]
