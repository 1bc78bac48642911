"""Planning a campaign's sweep, and confirming a home's window with its tenant.

A (re-)plan from a day keeps what tenants already know: a confirmed window stays exactly where
it is (unless the planner asks to move confirmed windows), and a visit that already became a job
(an open visit) always stays, because a crew may be on its way. Everything else that is not done
or escalated is placed again from that day: pending homes, proposed ones, and confirmed ones
whose day has passed without a visit. Homes the sweep cannot place go back to pending, with the
reason counted in the summary.

Each crew-day is packed up to its shift less the crews' lunch and the drive out and back, with a
few minutes per change of building, all learned from the campaign's published routes where
there are enough (see ``budget``); the re-visit share stays the campaign's (a planner's choice).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update

from sitecrew.campaigns.days import typical_day_minutes
from sitecrew.campaigns.service_time import EntranceVisit, LearnedServiceTime, learn_service_time
from sitecrew.campaigns.sweep import plan_sweep
from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.buildings import InstallationStatus
from sitecrew.domain.campaigns import (
    CampaignStatus,
    FixedVisit,
    HomeState,
    ServiceTimeModel,
    SweepCrew,
    SweepHome,
    SweepPlan,
    SweepSettings,
    SweepVisit,
    VisitOutcome,
    VisitRecord,
)
from sitecrew.domain.jobs import AppointmentStatus
from sitecrew.domain.notifications import NotificationKind
from sitecrew.errors import ConflictError, InvalidInputError
from sitecrew.services._persist import check_version, save
from sitecrew.services.campaigns.budget import DayBudget, learn_day_budget
from sitecrew.services.campaigns.commands import REPLAN_WITHIN_DAYS, PlanSummary
from sitecrew.services.campaigns.load import (
    HomeRow,
    entrance_numbers,
    home_rows,
    sweep_crews,
    sweep_home,
)
from sitecrew.services.campaigns.rows import home_info, service_model
from sitecrew.services.notifications.campaign_messages import tell_home_window
from sitecrew.services.scoping import get_campaign_row, get_changeable
from sitecrew.services.tenant_links import withdraw_calendar_windows

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Table
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.services.campaigns.commands import ConfirmVisitWindow, HomeInfo, PlanCampaign

#: Home states a plan may place (done and escalated homes need no more planning).
PLANNABLE = (HomeState.PENDING.value, HomeState.PROPOSED.value, HomeState.CONFIRMED.value)
_ALL_STATES = tuple(state.value for state in HomeState)
_ACTIVE = (CampaignStatus.DRAFT.value, CampaignStatus.ACTIVE.value)


def plan_campaign(session: Session, principal: Principal, command: PlanCampaign) -> PlanSummary:
    """Place every home not done, confirmed or visited on a day, crew and window from a day on.

    Synchronous, in the caller's transaction (scripts, benchmarks, tests): the API and the CLI
    queue a run instead (:func:`~sitecrew.services.campaigns.plan_run.queue_campaign_plan`),
    whose worker runs the same stages with progress.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region.
    InvalidInputError
        When ``from_day`` lies after the campaign's deadline.
    ConflictError
        When the campaign is completed or cancelled.
    """
    with transaction(session):
        campaign = get_campaign_row(
            session, principal, command.campaign_id, action="plan campaigns"
        )
        start = plan_start(campaign, command.from_day)
        homes = load_sweep_homes(session, campaign, start, move_confirmed=command.move_confirmed)
        model = learn_sweep_model(session, campaign, homes)
        return store_sweep(session, campaign, homes, model, sweep(campaign, homes, model))


@dataclass(frozen=True, eq=False)
class SweepHomes:
    """What a sweep starts from, read on one snapshot (the stage "load homes").

    ``fingerprint`` tells whether the campaign's homes and visits changed since (see
    :func:`campaign_fingerprint`): a run that read them outside the campaign's lock checks it
    under the lock before it stores anything.
    """

    start: date
    every: list[HomeRow]
    entrances: dict[int, int]
    rows: list[HomeRow]
    kept: dict[int, FixedVisit]
    left_out: set[int]
    crews: list[SweepCrew]
    tz: ZoneInfo
    fingerprint: tuple[int, ...]


@dataclass(frozen=True)
class SweepModel:
    """What the sweep learned from the campaign's own records (the stage "learn")."""

    learned: LearnedServiceTime
    model: ServiceTimeModel
    budget: DayBudget


def plan_start(campaign: m.Campaign, from_day: date) -> date:
    """Return the day an open campaign's plan starts on (its start at the earliest).

    Raises
    ------
    ConflictError
        When the campaign is completed or cancelled.
    InvalidInputError
        When that day lies after the campaign's deadline.
    """
    _require_open(campaign)
    start = max(from_day, campaign.start_on)
    if start > campaign.deadline_on:
        msg = f"plan from {start} lies after the campaign's deadline {campaign.deadline_on}"
        raise InvalidInputError(msg)
    return start


def load_sweep_homes(
    session: Session, campaign: m.Campaign, start: date, *, move_confirmed: bool
) -> SweepHomes:
    """Read the campaign's homes, the visits it keeps, and its crews' days from ``start``."""
    fingerprint = campaign_fingerprint(session, campaign)
    every = home_rows(session, campaign.id, _ALL_STATES)
    rows = [row for row in every if row.state in PLANNABLE]
    kept, left_out = _kept_homes(session, campaign, rows, start, move_confirmed=move_confirmed)
    days = [start + timedelta(days=n) for n in range((campaign.deadline_on - start).days + 1)]
    return SweepHomes(
        start=start,
        every=every,
        entrances=entrance_numbers(every),
        rows=rows,
        kept=kept,
        left_out=left_out,
        crews=sweep_crews(session, campaign, days),
        tz=_zone(session, campaign.region_id),
        fingerprint=fingerprint,
    )


def campaign_fingerprint(session: Session, campaign: m.Campaign) -> tuple[int, ...]:
    """Return counts that change whenever the campaign, its homes or its visits are written.

    Every write bumps a version (campaign, home, visit) or adds a visit, so equal fingerprints
    mean nothing a plan reads from them changed.
    """
    homes = select(
        func.count(m.CampaignHome.id), func.coalesce(func.sum(m.CampaignHome.version), 0)
    ).where(m.CampaignHome.campaign_id == campaign.id)
    visits = (
        select(func.count(m.CampaignVisit.id), func.coalesce(func.sum(m.CampaignVisit.version), 0))
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(m.CampaignHome.campaign_id == campaign.id)
    )
    version = session.scalar(select(m.Campaign.version).where(m.Campaign.id == campaign.id))
    home_count, home_versions = session.execute(homes).one()
    visit_count, visit_versions = session.execute(visits).one()
    return (int(version or 0), home_count, home_versions, visit_count, visit_versions)


def learn_sweep_model(session: Session, campaign: m.Campaign, homes: SweepHomes) -> SweepModel:
    """Learn the service time and the day budget the sweep packs by (nothing is written)."""
    learned = _learn_service_time(session, campaign, homes.every, homes.entrances)
    model = learned.model
    budget = learn_day_budget(session, campaign, before=homes.start)
    return SweepModel(learned, model, budget)


def sweep(campaign: m.Campaign, homes: SweepHomes, model: SweepModel) -> SweepPlan:
    """Return the sweep's plan (pure: no database)."""
    settings = sweep_settings(campaign, homes.start, model.budget, model.model)
    minutes = planned_minutes_per_visit(campaign, homes.crews, model)
    homes_in = _sweep_homes(homes.rows, homes.entrances, homes.kept, homes.left_out, minutes)
    return plan_sweep(homes_in, homes.crews, settings)


def store_sweep(
    session: Session, campaign: m.Campaign, homes: SweepHomes, model: SweepModel, plan: SweepPlan
) -> PlanSummary:
    """Write a sweep's plan and the learned model, activate a draft; return the summary.

    The caller holds the campaign's lock (:func:`~sitecrew.services.scoping.get_campaign_row`)
    and read ``homes`` under it, or checked its fingerprint under it.
    """
    if model.model != service_model(campaign):
        campaign.minutes_per_home = model.model.minutes_per_home
        campaign.setup_minutes_per_entrance = model.model.setup_minutes_per_entrance
        campaign.door_share = model.model.door_share
        campaign.door_minutes = model.model.door_minutes
        campaign.visit_minutes_sd = model.model.minutes_sd
        session.flush()
    by_apartment = {row.apartment_id: row for row in homes.rows}
    _store(
        session,
        visits=plan.visits,
        unplaced=plan.unplaced,
        rows=by_apartment,
        kept=homes.kept,
        tz=homes.tz,
    )
    _tell_moved(session, campaign.id, homes)
    if campaign.status == CampaignStatus.DRAFT.value:
        campaign.status = CampaignStatus.ACTIVE.value
        save(session, campaign)
    placed_days = [visit.day for visit in plan.visits]
    learned, budget = model.learned, model.budget
    return PlanSummary(
        campaign_id=campaign.id,
        placed=len(plan.visits),
        kept=sum(1 for visit in plan.visits if visit.apartment_id in homes.kept),
        unplaced=dict(Counter(plan.unplaced.values())),
        first_day=min(placed_days, default=None),
        last_day=max(placed_days, default=None),
        minutes_per_home=campaign.minutes_per_home,
        setup_minutes_per_entrance=campaign.setup_minutes_per_entrance,
        timed_visits=learned.home_observations + learned.setup_observations,
        minutes_off_per_day=budget.minutes_off_per_day,
        minutes_between_buildings=budget.minutes_between_buildings,
        routed_legs=budget.observations,
        door_share=campaign.door_share,
        planned_minutes_per_visit=round(planned_minutes_per_visit(campaign, homes.crews, model), 1),
    )


def planned_minutes_per_visit(
    campaign: m.Campaign, crews: Sequence[SweepCrew], model: SweepModel
) -> float:
    """Return the minutes the sweep gives each attempt: the campaign's on-time chance kept.

    A full crew-day of the campaign's crews (their usual shift less the minutes off the door)
    ends within its shift with the campaign's ``on_time_confidence`` (see
    ``ServiceTimeModel.planned_minutes``).
    """
    day_minutes = typical_day_minutes(crews, model.budget.minutes_off_per_day)
    return model.model.planned_minutes(campaign.on_time_confidence, day_minutes)


def _tell_moved(session: Session, campaign_id: int, homes: SweepHomes) -> None:
    """Tell tenants whose confirmed window the planner let this plan move.

    Their calendar entry is withdrawn (the ``.ics`` becomes a cancellation until they confirm
    the new window) and a proposal of the new window goes out with this transaction.
    """
    confirmed = {
        row.home_id: row.apartment_id
        for row in homes.rows
        if row.state == HomeState.CONFIRMED.value
        and row.apartment_id not in homes.kept
        and row.apartment_id not in homes.left_out
    }
    if not confirmed:
        return
    moved = list(
        session.scalars(
            select(m.CampaignHome).where(
                m.CampaignHome.id.in_(confirmed),
                m.CampaignHome.state != HomeState.CONFIRMED.value,
            )
        )
    )
    withdraw_calendar_windows(session, campaign_id, [home.apartment_id for home in moved])
    for home in moved:
        if home.state == HomeState.PROPOSED.value:
            tell_home_window(session, home, NotificationKind.PROPOSAL)


def _require_open(campaign: m.Campaign) -> None:
    if campaign.status not in _ACTIVE:
        raise ConflictError(f"campaign {campaign.id} is {campaign.status}; it plans nothing more")


def sweep_settings(
    campaign: m.Campaign,
    start: date,
    budget: DayBudget,
    model: ServiceTimeModel | None = None,
) -> SweepSettings:
    """Return what bounds the campaign's sweep from ``start``, with the day budget it learned.

    ``model``: the service time model learned for this plan (default: the campaign's own).
    """
    setup = (
        campaign.setup_minutes_per_entrance if model is None else model.setup_minutes_per_entrance
    )
    return SweepSettings(
        start=start,
        deadline=campaign.deadline_on,
        setup_minutes_per_entrance=setup,
        revisit_share=campaign.revisit_share,
        revisits_unknown_from=start + timedelta(days=REPLAN_WITHIN_DAYS),
        window_minutes=campaign.window_minutes,
        minutes_between_buildings=budget.minutes_between_buildings,
        minutes_off_per_day=budget.minutes_off_per_day,
    )


def _zone(session: Session, region_id: int) -> ZoneInfo:
    name = session.scalar(select(m.Region.timezone).where(m.Region.id == region_id))
    return ZoneInfo(name or "UTC")


def open_visit_homes(session: Session, campaign_id: int) -> set[int]:
    """Return the ids of the campaign's homes with a visit that became a job and has no outcome."""
    query = (
        select(m.CampaignVisit.campaign_home_id)
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(m.CampaignHome.campaign_id == campaign_id, m.CampaignVisit.outcome.is_(None))
    )
    return set(session.scalars(query))


def _kept_homes(
    session: Session,
    campaign: m.Campaign,
    rows: list[HomeRow],
    start: date,
    *,
    move_confirmed: bool,
) -> tuple[dict[int, FixedVisit], set[int]]:
    """Return the visits the plan must keep, by apartment, and the apartments it leaves out.

    Left out: homes whose open visit lies before ``start`` (they wait for their outcome). A
    confirmed window whose day passed without a visit is placed again like any other home.
    """
    visited = open_visit_homes(session, campaign.id)
    tz = _zone(session, campaign.region_id)
    fixed: dict[int, FixedVisit] = {}
    left_out: set[int] = set()
    for row in rows:
        has_visit = row.home_id in visited
        confirmed = row.state == HomeState.CONFIRMED.value and not move_confirmed
        if not (has_visit or confirmed):
            continue
        placed = row.crew_id is not None and row.window_start is not None
        if placed and row.day is not None and row.day >= start:
            fixed[row.apartment_id] = _fixed(row, tz)
        elif has_visit:
            left_out.add(row.apartment_id)
    return fixed, left_out


def _fixed(row: HomeRow, tz: ZoneInfo) -> FixedVisit:
    start, end = as_utc(row.window_start), as_utc(row.window_end)
    if start is None or end is None or row.day is None or row.crew_id is None:  # pragma: no cover
        raise ValueError("a kept home has a day, a crew and a window")
    return FixedVisit(row.day, row.crew_id, start.astimezone(tz).time(), end.astimezone(tz).time())


def _learn_service_time(
    session: Session, campaign: m.Campaign, rows: list[HomeRow], entrances: dict[int, int]
) -> LearnedServiceTime:
    """Learn the campaign's minutes per home and setup per entrance from its timed visits.

    Nothing is written here (:func:`store_sweep` keeps a learned model). Every visit with an
    outcome counts (DONE ones with their actual start and end teach the visit minutes; the
    others the share and minutes of attempts ending at the door), in its stairwell (numbered
    over all the campaign's homes, so a stairwell keeps its number as its flats get done).
    With too few observations the campaign keeps its numbers (see ``learn_service_time``).
    """
    prior = service_model(campaign)
    places = {row.home_id: row.building_id for row in rows}
    query = (
        select(
            m.CampaignVisit.campaign_home_id,
            m.CampaignVisit.day,
            m.CampaignVisit.crew_id,
            m.CampaignVisit.outcome,
            m.CampaignVisit.started_at,
            m.CampaignVisit.ended_at,
        )
        .join(m.CampaignHome, m.CampaignHome.id == m.CampaignVisit.campaign_home_id)
        .where(
            m.CampaignHome.campaign_id == campaign.id,
            m.CampaignVisit.outcome.is_not(None),
        )
    )
    visits = [
        EntranceVisit(
            places[home_id],
            entrances[home_id],
            VisitRecord(day, crew_id, VisitOutcome(outcome), as_utc(started), as_utc(ended)),
        )
        for home_id, day, crew_id, outcome, started, ended in session.execute(query)
        if home_id in places and outcome is not None
    ]
    return learn_service_time(visits, prior=prior)


def _sweep_homes(
    rows: list[HomeRow],
    entrances: dict[int, int],
    fixed: dict[int, FixedVisit],
    left_out: set[int],
    minutes_per_home: float,
) -> list[SweepHome]:
    homes = []
    for row in rows:
        if row.apartment_id in left_out:
            continue
        home = sweep_home(row, entrances[row.home_id], minutes_per_home, earliest=row.earliest_on)
        kept = fixed.get(row.apartment_id)
        homes.append(home if kept is None else replace(home, fixed=kept, earliest=None))
    return homes


def _window(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tz).astimezone(UTC)


def _store(
    session: Session,
    *,
    visits: tuple[SweepVisit, ...],
    unplaced: Any,
    rows: dict[int, HomeRow],
    kept: dict[int, FixedVisit],
    tz: ZoneInfo,
) -> None:
    """Write the plan: placed homes proposed (kept ones keep their state), unplaced pending."""
    changes = []
    for visit in visits:
        row = rows[visit.apartment_id]
        start = _window(visit.day, visit.window_start, tz)
        end = _window(visit.day, visit.window_end, tz)
        same = (row.day, row.crew_id, as_utc(row.window_start), as_utc(row.window_end)) == (
            visit.day,
            visit.crew_id,
            start,
            end,
        )
        # kept visits keep their state; so does a confirmed window the sweep put back unchanged
        keep_state = visit.apartment_id in kept or (same and row.state == HomeState.CONFIRMED.value)
        state = row.state if keep_state else HomeState.PROPOSED.value
        changes.append(
            _change(
                row.home_id,
                state,
                day=visit.day,
                crew=visit.crew_id,
                start=start,
                end=end,
                order=visit.order,
            )
        )
    for apartment_id in unplaced:
        row = rows[apartment_id]
        if apartment_id in kept:
            continue  # the planner decides what happens to a kept window the sweep cannot keep
        changes.append(_change(row.home_id, HomeState.PENDING.value))
    if changes:
        session.execute(_UPDATE_HOME, changes)
    # The rows changed beneath the ORM: homes it holds must be read afresh when next used.
    for held in list(session.identity_map.values()):
        if isinstance(held, m.CampaignHome):
            session.expire(held)


def _change(
    home_id: int,
    state: str,
    *,
    day: date | None = None,
    crew: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    order: int | None = None,
) -> dict[str, object]:
    return {
        "home_id": home_id,
        "new_state": state,
        "new_confirmed": state == HomeState.CONFIRMED.value,
        "new_day": day,
        "new_crew": crew,
        "new_start": start,
        "new_end": end,
        "new_order": order,
    }


_HOMES = cast("Table", m.CampaignHome.__table__)  # a mapped class's table
#: One statement for all homes of a plan (executemany); the campaign lock keeps it safe.
_UPDATE_HOME = (
    update(_HOMES)
    .where(_HOMES.c.id == bindparam("home_id"))
    .values(
        state=bindparam("new_state"),
        confirmed=bindparam("new_confirmed"),
        day=bindparam("new_day"),
        crew_id=bindparam("new_crew"),
        window_start=bindparam("new_start"),
        window_end=bindparam("new_end"),
        visit_order=bindparam("new_order"),
        version=_HOMES.c.version + 1,
    )
)


def confirm_visit_window(
    session: Session, principal: Principal, command: ConfirmVisitWindow
) -> HomeInfo:
    """Mark a home's proposed window as known to the tenant (again: no change).

    The apartment counts as booked, and an appointment already made for the window is confirmed.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners.
    NotFoundError
        When the home does not exist or lies outside the planner's region.
    ConflictError
        When ``command.version`` is stale, or the home has no proposed window (pending, done,
        escalated).
    """
    with transaction(session):
        home = get_changeable(
            session, principal, m.CampaignHome, command.home_id, action="confirm windows"
        )
        get_campaign_row(session, principal, home.campaign_id, action="confirm windows")
        session.refresh(home)
        if command.version is not None:
            check_version(home, command.version, what="campaign home")
        if home.state == HomeState.CONFIRMED.value:
            return home_info(home)
        if home.state != HomeState.PROPOSED.value or home.window_start is None:
            raise ConflictError(f"campaign home {home.id} is {home.state}: no window to confirm")
        home.state = HomeState.CONFIRMED.value
        home.confirmed = True
        _confirm_appointment(session, home.id)
        book_apartment(session, home.apartment_id)
        tell_home_window(session, home, NotificationKind.CONFIRMATION)  # sent once committed
        return home_info(save(session, home))


def _confirm_appointment(session: Session, home_id: int) -> None:
    job_ids = select(m.CampaignVisit.job_id).where(
        m.CampaignVisit.campaign_home_id == home_id, m.CampaignVisit.outcome.is_(None)
    )
    query = select(m.Appointment).where(
        m.Appointment.job_id.in_(job_ids),
        m.Appointment.status == AppointmentStatus.PROPOSED.value,
    )
    for appointment in session.scalars(query):
        appointment.status = AppointmentStatus.CONFIRMED.value
    session.flush()


def book_apartment(session: Session, apartment_id: int) -> None:
    """Mark the apartment booked once its tenant knows a time (not over a later status)."""
    apartment = session.get(m.Apartment, apartment_id)
    open_statuses = {InstallationStatus.NOT_CONTACTED.value, InstallationStatus.NO_ACCESS.value}
    if apartment is not None and apartment.installation_status in open_statuses:
        apartment.installation_status = InstallationStatus.BOOKED.value
        session.flush()
