"""The home a tenant link is bound to, read (or locked) through the tenant's own scope.

What a tenant is shown of it (:class:`TenantVisit`) holds no crew, no other apartment and no
contact data: the campaign's name, the address and flat, the window and its state, and what the
tenant answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.tenant_links import AccessChoice
from sitecrew.errors import ConflictError, NotFoundError
from sitecrew.services._persist import check_version
from sitecrew.services.scoping import tenant_home_ids

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: States in which a tenant may still confirm, move or cancel the visit.
CHANGEABLE = frozenset({HomeState.PENDING, HomeState.PROPOSED, HomeState.CONFIRMED})


@dataclass(frozen=True)
class TenantHome:
    """The rows behind a tenant's visit (loaded in the use case's transaction)."""

    home: m.CampaignHome
    link: m.TenantLink
    campaign: m.Campaign
    apartment: m.Apartment
    building: m.Building
    timezone: str


@dataclass(frozen=True)
class TenantVisit:
    """What a tenant sees of its visit.

    ``version`` is the home's: changes name it so a stale page cannot overwrite a newer state.
    ``window_start``/``window_end`` are set while the home has a proposed or confirmed window.
    """

    campaign_name: str
    address: str
    unit: str
    state: HomeState
    day: date | None
    window_start: datetime | None
    window_end: datetime | None
    access: AccessChoice | None
    version: int
    timezone: str
    campaign_open: bool
    #: The link's token version (its page and calendar file are addressed with the token).
    link_version: int = 1
    #: Whether the tenant's calendar was given the visit (so its ``.ics`` file exists).
    in_calendar: bool = False

    @property
    def changeable(self) -> bool:
        """Whether the tenant may still confirm, move or cancel it."""
        return self.campaign_open and self.state in CHANGEABLE

    @property
    def has_window(self) -> bool:
        """Whether a window is proposed or confirmed."""
        return self.window_start is not None and self.state in {
            HomeState.PROPOSED,
            HomeState.CONFIRMED,
        }


def require_tenant(principal: Principal, *, action: str) -> None:
    """Allow only a tenant link (staff use the campaign's own operations).

    Raises
    ------
    PermissionDeniedError
        For every other role.
    """
    principal.require(Role.TENANT, action=action)


def tenant_home(
    session: Session, principal: Principal, *, action: str, lock: bool = False
) -> TenantHome:
    """Return the rows of the tenant's home; ``lock`` holds the home until the commit.

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    NotFoundError
        When the home left the campaign since the link was checked.
    """
    require_tenant(principal, action=action)
    query = (
        select(m.CampaignHome, m.TenantLink, m.Campaign, m.Apartment, m.Building, m.Region.timezone)
        .join(m.Campaign, m.Campaign.id == m.CampaignHome.campaign_id)
        .join(m.Region, m.Region.id == m.Campaign.region_id)
        .join(m.Apartment, m.Apartment.id == m.CampaignHome.apartment_id)
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .join(
            m.TenantLink,
            (m.TenantLink.campaign_id == m.CampaignHome.campaign_id)
            & (m.TenantLink.apartment_id == m.CampaignHome.apartment_id),
        )
        .where(
            m.CampaignHome.id.in_(tenant_home_ids(principal)),
            m.TenantLink.id == principal.token_id,
        )
    )
    if lock:
        query = query.with_for_update(of=[m.CampaignHome, m.TenantLink]).execution_options(
            populate_existing=True
        )
    found = session.execute(query).first()
    if found is None:
        raise NotFoundError("this visit no longer exists")
    home, link, campaign, apartment, building, timezone = found
    return TenantHome(home, link, campaign, apartment, building, timezone or "UTC")


def changeable_home(
    session: Session, principal: Principal, version: int | None, *, action: str
) -> TenantHome:
    """Return the tenant's home locked for a change, checking ``version`` and its state.

    Raises
    ------
    PermissionDeniedError
        When the caller is not a tenant link.
    ConflictError
        When ``version`` is stale, or the visit is done, escalated or its campaign not active.
    """
    found = tenant_home(session, principal, action=action, lock=True)
    if version is not None:
        check_version(found.home, version, what="visit")
    if not visit_of(found).changeable:
        raise ConflictError(f"this visit is {found.home.state} and can no longer be changed")
    return found


def visit_of(found: TenantHome) -> TenantVisit:
    """Return what the tenant is shown of its home."""
    home = found.home
    return TenantVisit(
        campaign_name=found.campaign.name,
        address=found.building.address or "",
        unit=found.apartment.unit,
        state=HomeState(home.state),
        day=home.day,
        window_start=as_utc(home.window_start),
        window_end=as_utc(home.window_end),
        access=AccessChoice(found.link.access) if found.link.access else None,
        version=home.version,
        timezone=found.timezone,
        campaign_open=found.campaign.status == CampaignStatus.ACTIVE.value,
        link_version=found.link.token_version,
        in_calendar=found.link.calendar_start is not None,
    )
