"""A region's own seasons per care action: set (create or change) and clear them.

Outdoor oil cures only in dry weather, and which months are dry differs between regions: a
region's season for an action replaces the season of every plan of that action there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.locks import lock_key
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.errors import ConflictError, NotFoundError
from sitecrew.services._persist import save
from sitecrew.services._registers import remove
from sitecrew.services.scoping import require_care_plan_writer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.care import RegionSeason


def set_care_season(
    session: Session, principal: Principal, season: RegionSeason, *, version: int | None = None
) -> RegionSeason:
    """Give a region its own season for an action, or change the one it has.

    ``version`` is the version the caller read when changing a season (``None``: it expects
    none yet, or does not care which it replaces).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and other regions' planners.
    NotFoundError
        When the region does not exist.
    ConflictError
        When ``version`` is given and is not the stored season's.
    """
    with transaction(session):
        require_care_plan_writer(principal, season.region_id, action="set care seasons")
        get_or_raise(session, m.Region, season.region_id)
        lock_key(session, f"care-season:{season.region_id}:{season.action}")
        row = _season_row(session, season.region_id, season.action)
        if row is None:
            row = m.CareSeason(region_id=season.region_id, action=season.action)
        elif version is not None and row.version != version:
            msg = f"care season {row.id} is at version {row.version}, not {version}; reload"
            raise ConflictError(msg)
        row.start_month, row.end_month = season.season.start_month, season.season.end_month
        return save(session, row).to_domain()


def clear_care_season(session: Session, principal: Principal, region_id: int, action: str) -> None:
    """Remove a region's own season for an action (its plans' seasons apply again).

    Raises
    ------
    PermissionDeniedError
        For crews, contractors and other regions' planners.
    NotFoundError
        When the region has no season of its own for the action.
    """
    with transaction(session):
        require_care_plan_writer(principal, region_id, action="clear care seasons")
        row = _season_row(session, region_id, action)
        if row is None:
            raise NotFoundError(f"region {region_id} has no season of its own for {action!r}")
        remove(session, row, what=f"care season {row.id}")


def _season_row(session: Session, region_id: int, action: str) -> m.CareSeason | None:
    query = select(m.CareSeason).where(
        m.CareSeason.region_id == region_id, m.CareSeason.action == action
    )
    return session.scalar(query)
