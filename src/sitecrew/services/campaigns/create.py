"""Creating a campaign: check its scope and crews against the region, then list every home.

The scope is districts, buildings or apartments (exactly one kind). Every id must exist and lie
in the campaign's region: ids the caller cannot see are NotFound (another region's ids cannot
be probed), ids of another region an admin names are invalid input. A home can be in only one
open campaign (draft or active) of a job kind at a time: two campaigns installing the same box
in the same flat would send two crews.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, or_, select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError
from sitecrew.services._persist import save
from sitecrew.services.campaigns.rows import OPEN_CAMPAIGNS, campaign_info
from sitecrew.services.scoping import require_region_planner, visible

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.services.campaigns.commands import CampaignInfo, CreateCampaign

#: Ids per IN list: far below SQLite's bound-parameter limit.
CHUNK = 500


def create_campaign(
    session: Session, principal: Principal, command: CreateCampaign
) -> CampaignInfo:
    """Create a draft campaign with a pending home for every apartment in its scope.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the region's planners.
    NotFoundError
        When the region, a named district, building, apartment or crew does not exist or lies
        outside the caller's scope.
    InvalidInputError
        When a named row belongs to another region, or the scope holds no apartment.
    ConflictError
        When the region already has a campaign of that name, or homes of the scope are in
        another open campaign of the same job kind.
    """
    with transaction(session):
        require_region_planner(principal, command.region_id, action="create campaigns")
        get_or_raise(session, m.Region, command.region_id)
        crew_ids = _checked_crews(session, principal, command)
        apartments = _scope_apartments(session, principal, command)
        if not apartments:
            raise InvalidInputError("the campaign's scope holds no apartments")
        _refuse_taken_name(session, command)
        _refuse_taken(session, command, apartments)
        row = save(session, _campaign_row(command))
        if crew_ids:
            session.execute(
                insert(m.CampaignCrew), [{"campaign_id": row.id, "crew_id": c} for c in crew_ids]
            )
        session.execute(insert(m.CampaignHome), [_home(row.id, a) for a in apartments])
        session.flush()
        return campaign_info(session, row)


def _campaign_row(command: CreateCampaign) -> m.Campaign:
    return m.Campaign(
        region_id=command.region_id,
        name=command.name.strip(),
        job_kind=command.job_kind.value,
        minutes_per_home=command.minutes_per_home,
        setup_minutes_per_entrance=command.setup_minutes_per_entrance,
        start_on=command.start_on,
        deadline_on=command.deadline_on,
        visits_per_crew_day=command.visits_per_crew_day,
        revisit_share=command.revisit_share,
        on_time_confidence=command.on_time_confidence,
        max_failed_attempts=command.max_failed_attempts,
        window_minutes=command.window_minutes,
        status=CampaignStatus.DRAFT.value,
    )


def _home(campaign_id: int, apartment_id: int) -> dict[str, object]:
    return {
        "campaign_id": campaign_id,
        "apartment_id": apartment_id,
        "state": HomeState.PENDING.value,
        "attempts": 0,
        "failed_attempts": 0,
        "confirmed": False,
        "version": 1,
    }


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _in_region(
    session: Session, principal: Principal, model: Any, ids: Sequence[int], region_id: int
) -> None:
    """Refuse ids the caller cannot see (NotFound) or that lie in another region (invalid)."""
    label = str(model.__tablename__).removesuffix("s").replace("_", " ")
    found: dict[int, int] = {}
    for chunk in _chunks(ids):
        query = _ids_with_region(model).where(model.id.in_(chunk), visible(model, principal))
        found.update(dict(session.execute(query).all()))
    missing = sorted(set(ids) - set(found))
    if missing:
        raise NotFoundError(f"no {label} with id {missing[0]} ({len(missing)} ids not found)")
    elsewhere = sorted(row_id for row_id, region in found.items() if region != region_id)
    if elsewhere:
        msg = f"{label} {elsewhere[0]} belongs to another region; choose ones of region {region_id}"
        raise InvalidInputError(msg)


def _checked_crews(session: Session, principal: Principal, command: CreateCampaign) -> list[int]:
    _in_region(session, principal, m.Crew, command.crew_ids, command.region_id)
    return sorted(set(command.crew_ids))


def _scope_apartments(session: Session, principal: Principal, command: CreateCampaign) -> list[int]:
    """Return the apartment ids of the scope, after checking the named ids."""
    region = command.region_id
    base = select(m.Apartment.id).join(m.Building, m.Building.id == m.Apartment.building_id)
    found: set[int] = set()
    if command.district_ids:
        _in_region(session, principal, m.District, command.district_ids, region)
        for chunk in _chunks(command.district_ids):
            clause = or_(m.Apartment.district_id.in_(chunk), m.Building.district_id.in_(chunk))
            found.update(session.scalars(base.where(m.Building.region_id == region, clause)))
    elif command.building_ids:
        _in_region(session, principal, m.Building, command.building_ids, region)
        for chunk in _chunks(command.building_ids):
            found.update(session.scalars(base.where(m.Apartment.building_id.in_(chunk))))
    else:
        _in_region(session, principal, m.Apartment, command.apartment_ids, region)
        found.update(command.apartment_ids)
    return sorted(found)


def _ids_with_region(model: Any) -> Any:
    """Return ``SELECT id, region`` of ``model`` (a flat's region is its building's)."""
    if model is m.Apartment:
        return select(m.Apartment.id, m.Building.region_id).join(
            m.Building, m.Building.id == m.Apartment.building_id
        )
    return select(model.id, model.region_id)


def _refuse_taken(session: Session, command: CreateCampaign, apartments: Sequence[int]) -> None:
    """Refuse homes another open campaign of the same job kind in the region already holds."""
    query = (
        select(m.CampaignHome.apartment_id, m.Campaign.name)
        .join(m.Campaign, m.Campaign.id == m.CampaignHome.campaign_id)
        .where(
            m.Campaign.region_id == command.region_id,
            m.Campaign.job_kind == command.job_kind.value,
            m.Campaign.status.in_(OPEN_CAMPAIGNS),
        )
    )
    wanted = set(apartments)
    taken = [(flat, name) for flat, name in session.execute(query) if flat in wanted]
    if taken:
        flat, name = min(taken)
        msg = (
            f"{len(taken)} homes of the scope (apartment {flat} first) are already in open "
            f"campaign {name!r} of {command.job_kind.value}; finish or cancel it, or leave them out"
        )
        raise ConflictError(msg)


def _refuse_taken_name(session: Session, command: CreateCampaign) -> None:
    query = select(m.Campaign.id).where(
        m.Campaign.region_id == command.region_id, m.Campaign.name == command.name.strip()
    )
    if session.scalar(query) is not None:
        raise ConflictError(f"region {command.region_id} already has a campaign {command.name!r}")
