"""Who may see and who may change which rows: the one home of every access rule.

Reads and writes ask the same module. Each rule is a SQL clause added to the query itself, so a
forbidden row is never loaded, counted or paginated over, and a use case that loads the row it
is about to change through :func:`get_changeable` checks access on the same snapshot it writes
in (convention 16 of DESIGN.md). Rules, by role:

- admin: everything.
- planner: everything in the token's region (every region when the token names none).
- contractor: apartments, buildings, jobs and appointments in the districts bound to its
  organisation; it may book and move appointments and report job progress there.
- crew: its published routes of today and later (in its region's time zone) and what they
  visit; it may report progress on those jobs and record maintenance on what they target.
- reference data (regions, districts, organisations, furniture models, depots) may be followed
  from a row the caller sees, but only listed by the roles that may list it.
- private details (tenant contacts, access notes and door codes): admins, the region's planners,
  and the crew whose published route visits the place today.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, false, or_, select, true

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.routes import RouteState
from sitecrew.errors import InvalidInputError, NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

ModelT = TypeVar("ModelT")

#: Kinds that rows point at (a job's region, an item's model): safe to follow for anyone who
#: sees the row that points at them.
REFERENCE_MODELS = frozenset(
    {m.Region, m.District, m.Organisation, m.FurnitureModel, m.Depot, m.Building}
)

#: Statuses a crew may set on its own jobs.
CREW_JOB_STATUSES = frozenset({"in_progress", "done", "blocked"})


def crew_today(principal: Principal, *, now: datetime | None = None) -> date:
    """Return today's date for a crew, in its region's time zone.

    A token whose time zone is unknown gets the earliest date on Earth at this moment, so a crew
    never sees yesterday's routes a moment longer than the region's clock allows.
    """
    moment = now or datetime.now(UTC)
    try:
        return moment.astimezone(ZoneInfo(principal.timezone or "")).date()
    except (ZoneInfoNotFoundError, ValueError):
        return (moment.astimezone(UTC) - timedelta(hours=12)).date()


def with_local_clock(session: Session, principal: Principal) -> Principal:
    """Return ``principal`` knowing its region's time zone, which sets a crew's "today"."""
    if principal.crew_id is None:
        return principal
    timezone = session.scalar(
        select(m.Region.timezone)
        .join(m.Crew, m.Crew.region_id == m.Region.id)
        .where(m.Crew.id == principal.crew_id)
    )
    return replace(principal, timezone=timezone)


def _contractor_districts(principal: Principal) -> Any:
    return select(m.District.id).where(m.District.contractor_id == principal.organisation_id)


def crew_route_ids(
    principal: Principal, *, today_only: bool = False, today: date | None = None
) -> Any:
    """Return the ids of the crew's published routes of today and later (or of today only).

    ``today`` is the crew's today (:func:`crew_today`) when the caller already knows it.
    """
    today = crew_today(principal) if today is None else today
    on_day = m.Route.service_date == today if today_only else m.Route.service_date >= today
    return select(m.Route.id).where(
        m.Route.crew_id == principal.crew_id,
        m.Route.status == RouteState.PUBLISHED.value,
        on_day,
    )


def crew_job_ids(
    principal: Principal, *, today_only: bool = False, today: date | None = None
) -> Any:
    """Return the ids of the jobs on the crew's published routes (today and later)."""
    routes = crew_route_ids(principal, today_only=today_only, today=today)
    return select(m.RouteStop.job_id).where(
        m.RouteStop.route_id.in_(routes), m.RouteStop.job_id.is_not(None)
    )


#: Rows without a region of their own belong to the region of their parent row.
_REGION_PARENTS: dict[Any, tuple[Any, Any]] = {
    m.Furniture: (m.Furniture.site_id, m.Site),
    m.MaintenanceRecord: (m.MaintenanceRecord.furniture_id, m.Furniture),
    m.Apartment: (m.Apartment.building_id, m.Building),
    m.Route: (m.Route.crew_id, m.Crew),
    m.CrewMember: (m.CrewMember.crew_id, m.Crew),
    m.Appointment: (m.Appointment.job_id, m.Job),
}


def _region_clause(model: Any, region_id: int) -> ColumnElement[bool]:
    if model is m.Region:
        return m.Region.id == region_id
    if hasattr(model, "region_id"):
        return model.region_id == region_id  # type: ignore[no-any-return]
    if model not in _REGION_PARENTS:
        return true()
    column, parent = _REGION_PARENTS[model]
    return column.in_(select(parent.id).where(_region_clause(parent, region_id)))  # type: ignore[no-any-return]


def _contractor_clause(model: Any, principal: Principal) -> ColumnElement[bool]:
    districts = _contractor_districts(principal)
    if model in {m.Apartment, m.Building}:
        return model.district_id.in_(districts)  # type: ignore[no-any-return]
    if model is m.District:
        return m.District.contractor_id == principal.organisation_id
    if model is m.Job:
        apartments = select(m.Apartment.id).where(m.Apartment.district_id.in_(districts))
        sites = select(m.Site.id).where(m.Site.district_id.in_(districts))
        return or_(m.Job.apartment_id.in_(apartments), m.Job.site_id.in_(sites))
    if model is m.Appointment:
        return m.Appointment.job_id.in_(
            select(m.Job.id).where(_contractor_clause(m.Job, principal))
        )
    raise PermissionDeniedError(f"a contractor token may not list {model.__tablename__}")


def _crew_target_clause(model: Any, jobs: Any) -> ColumnElement[bool] | None:
    if model is m.Site:
        furniture_sites = select(m.Furniture.site_id).where(
            m.Furniture.id.in_(select(m.Job.furniture_id).where(m.Job.id.in_(jobs)))
        )
        direct = select(m.Job.site_id).where(m.Job.id.in_(jobs))
        return or_(m.Site.id.in_(direct), m.Site.id.in_(furniture_sites))
    target = {m.Apartment: m.Job.apartment_id, m.Furniture: m.Job.furniture_id}
    if model in target:
        return model.id.in_(select(target[model]).where(m.Job.id.in_(jobs)))  # type: ignore[no-any-return]
    if model is m.MaintenanceRecord:  # the history of what the crew is sent to maintain
        items = select(m.Job.furniture_id).where(m.Job.id.in_(jobs))
        return m.MaintenanceRecord.furniture_id.in_(items)
    return None


def _crew_clause(model: Any, principal: Principal, today: date) -> ColumnElement[bool]:
    jobs = crew_job_ids(principal, today=today)
    if model is m.Route:
        return m.Route.id.in_(crew_route_ids(principal, today=today))
    if model is m.CrewMember:
        return m.CrewMember.crew_id == principal.crew_id
    if model is m.Crew:
        return m.Crew.id == principal.crew_id
    if model is m.Job:
        return m.Job.id.in_(jobs)
    if model is m.Appointment:
        return m.Appointment.job_id.in_(jobs)
    clause = _crew_target_clause(model, jobs)
    if clause is None:
        raise PermissionDeniedError(f"a crew token may not list {model.__tablename__}")
    return clause


def visible(model: Any, principal: Principal) -> ColumnElement[bool]:
    """Return the clause that limits ``model``'s rows to what ``principal`` may see.

    Raises
    ------
    PermissionDeniedError
        When the role may not see this kind of entity at all.
    """
    today = crew_today(principal) if principal.role is Role.CREW else None
    return _visible(model, principal, today)


@lru_cache(maxsize=1024)
def _visible(model: Any, principal: Principal, today: date | None) -> ColumnElement[bool]:
    """Return :func:`visible` for a crew's ``today`` (``None`` for other roles), kept.

    A clause depends on nothing else, and SQL clauses are immutable, so each is built once per
    token, kind and day instead of once per read: a crew's route reads six kinds, and putting
    their nested subqueries together again for each request was a visible share of its time.
    """
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.PLANNER:
        return true() if principal.region_id is None else _region_clause(model, principal.region_id)
    if principal.role is Role.CONTRACTOR:
        return _contractor_clause(model, principal)
    if principal.role is Role.TENANT:
        return tenant_clause(model, principal)
    return _crew_clause(model, principal, today or crew_today(principal))


def referable(model: Any, principal: Principal) -> ColumnElement[bool]:
    """Return the clause for rows reached by following a reference (DataLoaders by id).

    Reference data is open to anyone who sees the row pointing at it; everything else follows
    :func:`visible`. A kind the role may not see at all yields a clause that matches nothing.
    """
    if model in REFERENCE_MODELS and principal.role is not Role.TENANT:
        return true()
    try:
        return visible(model, principal)
    except PermissionDeniedError:
        return model.id.is_(None)  # type: ignore[no-any-return]


def _label(model: Any) -> str:
    return str(model.__tablename__).removesuffix("s").replace("_", " ")


def get_visible(
    session: Session, principal: Principal, model: type[ModelT], row_id: int, *, lock: bool = False
) -> ModelT:
    """Return the row if the caller may see it.

    With ``lock`` the row is locked until the transaction ends (``SELECT … FOR UPDATE`` on
    PostgreSQL, and read afresh): a use case that checks other rows before writing (no
    overlapping appointments per job) then cannot race a second writer. SQLite needs no row
    lock: its write transactions are serialised by ``BEGIN IMMEDIATE``.

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's scope (not told apart, so ids of
        other tenants' rows cannot be probed).
    PermissionDeniedError
        When the role may not see this kind of entity at all.
    """
    entity: Any = model
    query = select(entity).where(entity.id == row_id, visible(entity, principal))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"no {_label(model)} with id {row_id}")
    return row  # type: ignore[no-any-return]


#: Who may change rows of each kind (always within what they see: see :func:`visible`).
CHANGERS: dict[Any, frozenset[Role]] = {
    m.Site: frozenset({Role.ADMIN, Role.PLANNER}),
    m.Furniture: frozenset({Role.ADMIN, Role.PLANNER}),
    m.Job: frozenset({Role.ADMIN, Role.PLANNER, Role.CONTRACTOR, Role.CREW}),
    m.Appointment: frozenset({Role.ADMIN, Role.PLANNER, Role.CONTRACTOR}),
    m.Route: frozenset({Role.ADMIN, Role.PLANNER}),
    m.PlanningRun: frozenset({Role.ADMIN, Role.PLANNER}),
    m.Installation: frozenset({Role.ADMIN, Role.PLANNER}),  # new furniture (issue 17 item 6)
    # Registers (issue 13): a region's own rows are its planners'; shared reference data
    # (organisations, the furniture catalogue) is the admins' alone, planners only read it.
    m.Building: frozenset({Role.ADMIN, Role.PLANNER}),
    m.Apartment: frozenset({Role.ADMIN, Role.PLANNER}),
    m.District: frozenset({Role.ADMIN, Role.PLANNER}),
    m.Depot: frozenset({Role.ADMIN, Role.PLANNER}),
    m.Crew: frozenset({Role.ADMIN, Role.PLANNER}),
    m.CrewMember: frozenset({Role.ADMIN, Role.PLANNER}),
    m.Organisation: frozenset({Role.ADMIN}),
    m.FurnitureModel: frozenset({Role.ADMIN}),
}


def require_changer(principal: Principal, model: Any, *, action: str) -> None:
    """Raise unless the caller's role may change rows of ``model`` at all (see CHANGERS).

    Raises
    ------
    PermissionDeniedError
        Naming the action and the roles that may do it.
    """
    principal.require(*sorted(CHANGERS.get(model, frozenset({Role.ADMIN}))), action=action)


def get_changeable(
    session: Session,
    principal: Principal,
    model: type[ModelT],
    row_id: int,
    *,
    action: str,
    lock: bool = False,
) -> ModelT:
    """Return the row the caller is about to change, checking it may.

    Call it inside the use case's transaction and change the row it returns: the check and the
    write then see one snapshot. ``lock`` as in :func:`get_visible`.

    Raises
    ------
    PermissionDeniedError
        When the caller's role may not change this kind of row (before anything is read).
    NotFoundError
        When the row does not exist or is outside the caller's scope.
    """
    require_changer(principal, model, action=action)
    return get_visible(session, principal, model, row_id, lock=lock)


def get_in_region(
    session: Session,
    principal: Principal,
    model: type[ModelT],
    row_id: int,
    region_id: int,
    *,
    what: str,
) -> ModelT:
    """Return a row that a register row refers to (a crew's depot, a building's district).

    The row must be one the caller sees (else NotFound, so a planner cannot probe another
    region's depots) and belong to ``region_id``: nothing points across regions, not even for
    admins, who see every region.

    Raises
    ------
    NotFoundError
        When it does not exist or is outside the caller's scope.
    InvalidInputError
        When it belongs to another region than the row referring to it.
    """
    row = get_visible(session, principal, model, row_id)
    if getattr(row, "region_id", None) != region_id:
        msg = f"{what} {row_id} belongs to another region; choose one of region {region_id}"
        raise InvalidInputError(msg)
    return row


def require_region_planner(principal: Principal, region_id: int | None, *, action: str) -> None:
    """Allow admins, and planners whose token covers ``region_id``.

    Raises
    ------
    PermissionDeniedError
        For other roles, or a planner of another region.
    """
    principal.require(Role.ADMIN, Role.PLANNER, action=action)
    if principal.role is Role.PLANNER and principal.region_id not in {None, region_id}:
        raise PermissionDeniedError(f"this planner token may not {action} outside its region")


def require_personal_data_controller(principal: Principal, *, action: str) -> None:
    """Allow only admins to erase personal data or read who handled it.

    Raises
    ------
    PermissionDeniedError
        For every other role (planners edit tenants' contacts but do not erase or audit them).
    """
    principal.require(Role.ADMIN, action=action)


def require_job_status_setter(principal: Principal, status: str) -> None:
    """Let crews and contractors report progress only; planning statuses are the planners'.

    Raises
    ------
    PermissionDeniedError
        When a crew or contractor sets a status outside :data:`CREW_JOB_STATUSES`.
    """
    if principal.role in {Role.CREW, Role.CONTRACTOR} and status not in CREW_JOB_STATUSES:
        allowed = ", ".join(sorted(CREW_JOB_STATUSES))
        raise PermissionDeniedError(f"a {principal.role.value} token may only set {allowed}")


def private_details_visible(
    session: Session, principal: Principal, model: Any, row_ids: Sequence[int]
) -> list[bool]:
    """Tell, per apartment or site, whether the caller may see its private details.

    Private details are tenant contacts and access notes (door codes): admins and the region's
    planners see them; a crew only for places its published route visits today; nobody else.
    """
    if principal.role is Role.ADMIN:
        return [True] * len(row_ids)
    if principal.role is Role.PLANNER:
        query = select(model.id).where(model.id.in_(set(row_ids)), visible(model, principal))
    elif principal.role is Role.CREW:
        visited = _crew_visits_today(model, principal, crew_today(principal))
        if visited is None:
            return [False] * len(row_ids)
        query = select(model.id).where(model.id.in_(set(row_ids)), visited)
    else:
        return [False] * len(row_ids)
    allowed = set(session.scalars(query))
    return [row_id in allowed for row_id in row_ids]


@lru_cache(maxsize=256)
def _crew_visits_today(model: Any, principal: Principal, today: date) -> ColumnElement[bool] | None:
    """Return the clause for the ``model`` rows the crew's published route of ``today`` visits.

    Kept per token, kind and day, like :func:`visible`'s clauses.
    """
    return _crew_target_clause(model, crew_job_ids(principal, today_only=True, today=today))


# --- Crew calendars (issue 13, item 5) ---------------------------------------------------------
# Absences tell who is sick or on leave: personal data of the workforce. Admins and the region's
# planners read and change them and the crews' calendars; a crew's availability (whether it
# works a day, and why not) is read with the crew's own visibility, never showing absences.
_REGION_PARENTS[m.MemberAbsence] = (m.MemberAbsence.member_id, m.CrewMember)
CHANGERS[m.MemberAbsence] = frozenset({Role.ADMIN, Role.PLANNER})
#: Who may change a crew's calendar or a member's absences, and read absences.
CALENDAR_KEEPERS = (Role.ADMIN, Role.PLANNER)


def require_calendar_keeper(principal: Principal, *, action: str) -> None:
    """Allow admins and planners (a planner only in its region: the queries add that).

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    """
    principal.require(*CALENDAR_KEEPERS, action=action)


def get_calendar_row(
    session: Session, principal: Principal, model: type[ModelT], row_id: int, *, action: str
) -> ModelT:
    """Return a crew or member whose calendar the caller changes, locked until the commit.

    The lock makes the overlap check of a member's absences and the write one step on
    PostgreSQL (SQLite serialises write transactions anyway).

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and planners (before anything is read).
    NotFoundError
        When the row does not exist or lies in another region than the planner's.
    """
    require_calendar_keeper(principal, action=action)
    return get_visible(session, principal, model, row_id, lock=True)


# --- Live updates (issue 14, item 2) -----------------------------------------------------------
# Following a region's job changes is a read of its jobs, so what a follower gets is filtered by
# visible(m.Job) row by row. Which regions may be followed at all is a rule of its own, so that a
# planner cannot sit on another region's stream (even an empty one) and contractors and crews,
# who may not list regions, can still follow the one they work in.


def followable_regions(principal: Principal) -> ColumnElement[bool]:
    """Return the clause for the regions whose job changes ``principal`` may follow.

    Admins: every region; planners: their token's region (every region when it names none);
    contractors: the regions of the districts bound to their organisation; crews: their crew's.
    """
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.PLANNER:
        return true() if principal.region_id is None else m.Region.id == principal.region_id
    if principal.role is Role.CONTRACTOR:
        regions = select(m.District.region_id).where(
            m.District.contractor_id == principal.organisation_id
        )
        return m.Region.id.in_(regions)
    if principal.role is Role.TENANT:
        return false()
    return m.Region.id.in_(select(m.Crew.region_id).where(m.Crew.id == principal.crew_id))


# --- Installation campaigns (issue 15) ---------------------------------------------------------
# A campaign belongs to its region: admins, and planners of that region, create, plan and
# materialise it and read its progress. Its homes and visits belong to the campaign's region. A
# crew records the outcome of its own visits (any day: a visit is often recorded the day after);
# contractors and crews neither list nor change campaigns.
_REGION_PARENTS[m.CampaignHome] = (m.CampaignHome.campaign_id, m.Campaign)
_REGION_PARENTS[m.CampaignVisit] = (m.CampaignVisit.campaign_home_id, m.CampaignHome)
CHANGERS[m.Campaign] = frozenset({Role.ADMIN, Role.PLANNER})
CHANGERS[m.CampaignHome] = frozenset({Role.ADMIN, Role.PLANNER})
#: Who may record how a campaign visit ended (a crew only for its own visits).
CAMPAIGN_VISIT_RECORDERS = (Role.ADMIN, Role.PLANNER, Role.CREW)


def get_campaign_row(
    session: Session, principal: Principal, row_id: int, *, action: str
) -> m.Campaign:
    """Return a campaign the caller plans, locked until the commit.

    Every write to a campaign's homes takes this lock first, so planning, materialising a day
    and recording outcomes of one campaign take turns on PostgreSQL (SQLite serialises write
    transactions anyway) and never overwrite each other's home rows.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews (before anything is read).
    NotFoundError
        When the campaign does not exist or lies in another region than the planner's.
    """
    return get_changeable(session, principal, m.Campaign, row_id, action=action, lock=True)


def get_recordable_visit(
    session: Session, principal: Principal, visit_id: int, *, action: str
) -> m.CampaignVisit:
    """Return a campaign visit whose outcome the caller may record, locked until the commit.

    Raises
    ------
    PermissionDeniedError
        For contractors (before anything is read).
    NotFoundError
        When the visit does not exist, lies outside the planner's region, or is another
        crew's (not told apart).
    """
    principal.require(*CAMPAIGN_VISIT_RECORDERS, action=action)
    if principal.role is Role.CREW:
        clause: ColumnElement[bool] = m.CampaignVisit.crew_id == principal.crew_id
    else:
        clause = visible(m.CampaignVisit, principal)
    query = (
        select(m.CampaignVisit)
        .where(m.CampaignVisit.id == visit_id, clause)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"no campaign visit with id {visit_id}")
    return row


# --- Campaign reads and lifecycle (issue 15: the API's and the CLI's use cases) ----------------
# Reading a campaign (its settings, homes, burn-down, forecast, chart) is the planners': admins,
# and planners of the campaign's region. Cancelling is a change of the campaign like planning.
# A crew reads the campaign visits of its own crew (what it is sent to, day by day); a region's
# planners read any crew's of their region. Contractors do neither.
#: Who may read campaigns, their homes and their progress.
CAMPAIGN_READERS = (Role.ADMIN, Role.PLANNER)
#: Who may list a crew's campaign visits of a day (a crew only its own).
CAMPAIGN_VISIT_READERS = (Role.ADMIN, Role.PLANNER, Role.CREW)


def get_readable_campaign(
    session: Session, principal: Principal, campaign_id: int, *, action: str
) -> m.Campaign:
    """Return a campaign the caller may read (no lock).

    Raises
    ------
    PermissionDeniedError
        For contractors and crews (before anything is read).
    NotFoundError
        When the campaign does not exist or lies in another region than the planner's.
    """
    principal.require(*CAMPAIGN_READERS, action=action)
    return get_visible(session, principal, m.Campaign, campaign_id)


def readable_campaigns(principal: Principal, *, action: str) -> ColumnElement[bool]:
    """Return the clause for the campaigns the caller may list.

    Raises
    ------
    PermissionDeniedError
        For contractors and crews.
    """
    principal.require(*CAMPAIGN_READERS, action=action)
    return visible(m.Campaign, principal)


def readable_crew_visits(
    session: Session, principal: Principal, crew_id: int, *, action: str
) -> ColumnElement[bool]:
    """Return the clause for the campaign visits of ``crew_id`` the caller may read.

    Raises
    ------
    PermissionDeniedError
        For contractors (before anything is read).
    NotFoundError
        When the crew does not exist, lies outside the planner's region, or is not the calling
        crew's own (not told apart).
    """
    principal.require(*CAMPAIGN_VISIT_READERS, action=action)
    if principal.role is Role.CREW and principal.crew_id != crew_id:
        raise NotFoundError(f"no crew with id {crew_id}")
    get_visible(session, principal, m.Crew, crew_id)
    own = m.CampaignVisit.crew_id == crew_id
    if principal.role is Role.CREW:
        return own
    return and_(own, visible(m.CampaignVisit, principal))


# --- Notifications (issue 16, item 4) ---------------------------------------------------------
# The outbox of messages to tenants shows planners what failed to reach whom. Admins and the
# region's planners read it and ask for reminders and proposals to be sent; crews and
# contractors do neither. Recipients are tenant contacts: shown only where private details are
# (see private_details_visible), never in an error.
#: Who may read the outbox and queue reminders or proposals.
NOTIFICATION_READERS = (Role.ADMIN, Role.PLANNER)


def readable_notifications(principal: Principal, *, action: str) -> ColumnElement[bool]:
    """Return the clause for the outbox messages the caller may read.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors (before anything is read).
    """
    principal.require(*NOTIFICATION_READERS, action=action)
    return visible(m.Notification, principal)


# --- Tenant self-service links (issue 16, items 2 and 6) ----------------------------------------
# A tenant link speaks for one apartment's tenant in one campaign and sees that home only: its
# apartment and building, its campaign home, that home's visits, their jobs and appointments,
# the campaign and its region. Every other kind (other apartments, crews, routes, sites,
# runs, tokens) is refused, and nothing is reachable by following references either.


def tenant_home_ids(principal: Principal) -> Any:
    """Return the id of the campaign home a tenant link is bound to (a subquery)."""
    return select(m.CampaignHome.id).where(
        m.CampaignHome.campaign_id == principal.campaign_id,
        m.CampaignHome.apartment_id == principal.apartment_id,
    )


def tenant_clause(model: Any, principal: Principal) -> ColumnElement[bool]:
    """Return the clause for the ``model`` rows of a tenant's own home.

    Raises
    ------
    PermissionDeniedError
        For every kind that is not part of the tenant's own home.
    """
    visits = select(m.CampaignVisit.job_id).where(
        m.CampaignVisit.campaign_home_id.in_(tenant_home_ids(principal))
    )
    own_jobs = and_(m.Job.id.in_(visits), m.Job.apartment_id == principal.apartment_id)
    clauses: dict[Any, Any] = {
        m.Apartment: lambda: m.Apartment.id == principal.apartment_id,
        m.Building: lambda: m.Building.id.in_(
            select(m.Apartment.building_id).where(m.Apartment.id == principal.apartment_id)
        ),
        m.CampaignHome: lambda: m.CampaignHome.id.in_(tenant_home_ids(principal)),
        m.CampaignVisit: lambda: m.CampaignVisit.campaign_home_id.in_(tenant_home_ids(principal)),
        m.Job: lambda: own_jobs,
        m.Appointment: lambda: m.Appointment.job_id.in_(select(m.Job.id).where(own_jobs)),
        m.Campaign: lambda: m.Campaign.id == principal.campaign_id,
        m.Region: lambda: m.Region.id.in_(
            select(m.Campaign.region_id).where(m.Campaign.id == principal.campaign_id)
        ),
    }
    if model not in clauses:
        raise PermissionDeniedError(f"a tenant link may not list {model.__tablename__}")
    return clauses[model]()  # type: ignore[no-any-return]


# --- Furniture care plans and due work (issue 17, items 1-2) -----------------------------------
# The catalogue's care plans (region_id empty) are shared reference data like the catalogue:
# only admins change them, since they move care in every region. A region's own plans and
# seasons, and generating its due work, are its planners' (and admins'). Admins and planners
# read plans (a planner the defaults and its region's own); crews and contractors neither read
# nor change them: they see the jobs the plans become, through the jobs' own rules.
#: Who may read care plans and seasons, and generate due care work (planners: their region).
CARE_PLANNERS = (Role.ADMIN, Role.PLANNER)


def require_care_plan_writer(principal: Principal, region_id: int | None, *, action: str) -> None:
    """Allow admins, and for a region's own plans and seasons that region's planners.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors, a planner changing the catalogue's defaults, or a planner of
        another region.
    """
    if region_id is None:
        principal.require(Role.ADMIN, action=f"{action} for every region (the catalogue's)")
        return
    require_region_planner(principal, region_id, action=action)


def readable_care_plans(principal: Principal, *, action: str) -> ColumnElement[bool]:
    """Return the clause for the care plans the caller may read.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors (before anything is read).
    """
    principal.require(*CARE_PLANNERS, action=action)
    if principal.role is Role.PLANNER and principal.region_id is not None:
        return or_(m.CarePlan.region_id.is_(None), m.CarePlan.region_id == principal.region_id)
    return true()


def readable_installations(principal: Principal, *, action: str) -> ColumnElement[bool]:
    """Return the clause for the installation orders the caller may read (its region's).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants (before anything is read).
    """
    principal.require(*CARE_PLANNERS, action=action)
    return visible(m.Installation, principal)


def get_changeable_care_plan(
    session: Session, principal: Principal, plan_id: int, *, action: str
) -> m.CarePlan:
    """Return a care plan the caller may change (see :func:`require_care_plan_writer`).

    Raises
    ------
    PermissionDeniedError
        For crews and contractors (before anything is read), or a planner changing a default.
    NotFoundError
        When the plan does not exist or is another region's own (not told apart).
    """
    query = select(m.CarePlan).where(
        m.CarePlan.id == plan_id, readable_care_plans(principal, action=action)
    )
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"no care plan with id {plan_id}")
    require_care_plan_writer(principal, row.region_id, action=action)
    return row


def readable_care_seasons(principal: Principal, *, action: str) -> ColumnElement[bool]:
    """Return the clause for the regional care seasons the caller may read.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors.
    """
    principal.require(*CARE_PLANNERS, action=action)
    return visible(m.CareSeason, principal)


# --- Furniture care records (issue 17, items 3-4) ----------------------------------------------
# Inspections and repairs are recorded on a job: by admins, by the region's planners on any job
# of their region, and by a crew only on a job of its published route of today (what it was sent
# to do, on the day it does it). Contractors and tenants record none. The records and the
# condition history of an item are read by whoever sees the item. Photos are the least public:
# admins, the planners of the job's region and the crew that took them; anyone else is told
# there is no such photo (not Forbidden, so ids cannot be probed). The wear code lists are
# reference data: every staff role reads them, only admins change them (like the catalogue).
_REGION_PARENTS[m.Inspection] = (m.Inspection.furniture_id, m.Furniture)
_REGION_PARENTS[m.Repair] = (m.Repair.furniture_id, m.Furniture)
#: Who may record inspections and repairs (a crew only on its route of today).
CARE_RECORDERS = (Role.ADMIN, Role.PLANNER, Role.CREW)
#: Who may read the wear code lists, and who may change them.
WEAR_CODE_READERS = (Role.ADMIN, Role.PLANNER, Role.CONTRACTOR, Role.CREW)
WEAR_CODE_EDITORS = (Role.ADMIN,)


def get_recordable_care_job(
    session: Session, principal: Principal, job_id: int, *, action: str
) -> m.Job:
    """Return the job an inspection, repair or photo is recorded on, if the caller may.

    Raises
    ------
    PermissionDeniedError
        For contractors and tenants (before anything is read).
    NotFoundError
        When the job does not exist, lies outside the planner's region, or is not on the
        crew's published route of today (not told apart).
    """
    principal.require(*CARE_RECORDERS, action=action)
    if principal.role is Role.CREW:
        clause: ColumnElement[bool] = m.Job.id.in_(crew_job_ids(principal, today_only=True))
    else:
        clause = visible(m.Job, principal)
    job = session.scalar(select(m.Job).where(m.Job.id == job_id, clause))
    if job is None:
        where = "on your route of today" if principal.role is Role.CREW else "in your scope"
        raise NotFoundError(f"no job with id {job_id} {where}")
    return job


def get_care_item(session: Session, principal: Principal, furniture_id: int) -> m.Furniture:
    """Return an item whose condition and care records the caller may read.

    As :func:`get_visible`, except that a crew also sees the items of the sites its published
    routes (today and later) visit: care work is grouped per site, one job for the yard.

    Raises
    ------
    NotFoundError
        When the item does not exist or is outside the caller's scope.
    PermissionDeniedError
        For roles that may not see furniture (contractors, tenants).
    """
    if principal.role is not Role.CREW:
        return get_visible(session, principal, m.Furniture, furniture_id)
    jobs = crew_job_ids(principal)
    sites = select(m.Job.site_id).where(m.Job.id.in_(jobs), m.Job.site_id.is_not(None))
    clause = or_(visible(m.Furniture, principal), m.Furniture.site_id.in_(sites))
    item = session.scalar(select(m.Furniture).where(m.Furniture.id == furniture_id, clause))
    if item is None:
        raise NotFoundError(f"no furniture with id {furniture_id}")
    return item


def get_readable_photo(session: Session, principal: Principal, photo_id: int) -> m.CarePhoto:
    """Return a care photo the caller may see: admins, the region's planners, its own crew.

    Raises
    ------
    NotFoundError
        For every other caller, as for a photo that does not exist.
    """
    clause: ColumnElement[bool]
    if principal.role is Role.ADMIN:
        clause = true()
    elif principal.role is Role.PLANNER:
        region = principal.region_id
        clause = true() if region is None else m.CarePhoto.region_id == region
    elif principal.role is Role.CREW:
        clause = m.CarePhoto.crew_id == principal.crew_id
    else:
        clause = false()
    photo = session.scalar(select(m.CarePhoto).where(m.CarePhoto.id == photo_id, clause))
    if photo is None:
        raise NotFoundError(f"no photo with id {photo_id}")
    return photo


def require_wear_code_reader(principal: Principal, *, action: str) -> None:
    """Allow every staff role to read the wear code lists (tenants: Forbidden).

    Raises
    ------
    PermissionDeniedError
        For tenants.
    """
    principal.require(*WEAR_CODE_READERS, action=action)


def require_wear_code_editor(principal: Principal, *, action: str) -> None:
    """Allow only admins to change the wear code lists (shared by every region).

    Raises
    ------
    PermissionDeniedError
        For every other role.
    """
    principal.require(*WEAR_CODE_EDITORS, action=action)


# --- The wear report (issue 17, item 5) ----------------------------------------------------------
# Product development reads wear across the whole register of a region: admins (any region, or
# all of them), and planners (their token's region; a planner without a region, like an admin).
# Crews and contractors see single jobs, not the register's statistics: Forbidden.
WEAR_REPORT_READERS = (Role.ADMIN, Role.PLANNER)


def wear_report_region(principal: Principal, region_id: int | None, *, action: str) -> int | None:
    """Return the region a wear report covers (``None``: every region), if the caller may read it.

    A planner bound to a region gets that region when it names none.

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants, or a planner naming another region.
    """
    principal.require(*WEAR_REPORT_READERS, action=action)
    if principal.role is Role.PLANNER and principal.region_id is not None:
        require_region_planner(principal, region_id or principal.region_id, action=action)
        return principal.region_id
    return region_id


# Expansion planning (issue 18) answers "what lies within T minutes of here" over a region's
# whole register (sites, pieces, apartments): admins (any region) and planners (their token's
# region; a planner without a region, like an admin). Crews, contractors and tenants plan no
# expansion and may not count another organisation's register: Forbidden.
EXPANSION_PLANNERS = (Role.ADMIN, Role.PLANNER)


def require_expansion_planner(principal: Principal, region_id: int | None, *, action: str) -> None:
    """Allow admins, and planners whose token covers ``region_id`` (``None``: not yet known).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants, or a planner of another region.
    """
    principal.require(*EXPANSION_PLANNERS, action=action)
    if region_id is not None:
        require_region_planner(principal, region_id, action=action)


# Expansion scenarios (issue 18 item 5) are expansion planning kept: admins see and run every
# scenario; a planner those of its token's region, and a planner without a region every one. A
# scenario of a region known only by its extract (no database region) has no region's planners:
# admins and planners without a region only. Crews, contractors and tenants: Forbidden.
def require_scenario_access(principal: Principal, region_id: int | None, *, action: str) -> None:
    """Allow ``action`` on a scenario of ``region_id`` (``None``: an extract-only region).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and tenants, or a planner of another region.
    """
    principal.require(*EXPANSION_PLANNERS, action=action)
    if principal.role is Role.PLANNER and principal.region_id not in {None, region_id}:
        raise PermissionDeniedError(f"this planner token may not {action} outside its region")


def visible_scenarios(principal: Principal) -> ColumnElement[bool]:
    """Return the rule for the scenarios ``principal`` may list (after the role check)."""
    if principal.role is Role.PLANNER and principal.region_id is not None:
        return m.ExpansionScenario.region_id == principal.region_id
    return true()
