"""Tenant self-service links: issue them for a campaign's homes, revoke one, and authenticate one.

Admins and the campaign region's planners issue and revoke links (convention 16: each use case
checks access and writes in one transaction). Issuing is repeatable: a home whose link is still
valid gets the same link again (the token is the link's id and version signed with the server's
secret, so it is not stored and needs no re-sending); a revoked or expired one gets a new
version with a new expiry. Revoking bumps the version: every token handed out for the home stops
working at once. A tenant's name is personal data, so handing the list out (for a mail merge) is
recorded in the personal-data log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.tenant_links import REFUSED_LINK, read_link, sign_link
from sitecrew.errors import ConfigurationError, ConflictError, NotFoundError, UnauthenticatedError
from sitecrew.services.access import Authenticated
from sitecrew.services.personal_data import record_personal_data_event
from sitecrew.services.scoping import get_campaign_row

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import Table
    from sqlalchemy.orm import Session

    from sitecrew.config import TenantLinkSettings

#: Homes that still have a visit ahead (done and escalated homes need no link).
_OPEN_HOMES = (HomeState.PENDING.value, HomeState.PROPOSED.value, HomeState.CONFIRMED.value)
#: Campaigns whose tenants may be sent links.
_LINKABLE = (CampaignStatus.DRAFT.value, CampaignStatus.ACTIVE.value)
#: The path of a tenant's page under the server's public address.
PAGE_PREFIX = "/t/"


@dataclass(frozen=True)
class IssueLinks:
    """Links for a campaign's homes with a visit ahead (or only for the named apartments)."""

    campaign_id: int
    apartment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RevokeLink:
    """Stop the link of one apartment of a campaign."""

    campaign_id: int
    apartment_id: int


@dataclass(frozen=True)
class IssuedLink:
    """One row of the mail merge: the home, its tenant's name and the link."""

    apartment_id: int
    address: str
    unit: str
    tenant_name: str | None
    url: str
    expires_at: datetime


def link_token(links: TenantLinkSettings, link: m.TenantLink) -> str:
    """Return the token of ``link``'s current version.

    Raises
    ------
    ConfigurationError
        When no link secret is configured.
    """
    return sign_link(require_secret(links), link.id, link.token_version)


def require_secret(links: TenantLinkSettings) -> str:
    """Return the secret links are signed with.

    Raises
    ------
    ConfigurationError
        When none is configured.
    """
    if links.secret is None:
        msg = "set SITECREW_TENANT_LINK_SECRET (32 characters or more) to issue tenant links"
        raise ConfigurationError(msg)
    return links.secret


def link_url(links: TenantLinkSettings, link: m.TenantLink) -> str:
    """Return the address of the tenant's page for ``link``."""
    return f"{links.base_url}{PAGE_PREFIX}{link_token(links, link)}"


def issue_links(
    session: Session,
    principal: Principal,
    command: IssueLinks,
    *,
    links: TenantLinkSettings,
    actor: str,
    now: datetime | None = None,
) -> list[IssuedLink]:
    """Return a valid link for each open home of the campaign, making those that are missing.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners.
    NotFoundError
        When the campaign does not exist or lies outside the planner's region, or a named
        apartment has no open home in it.
    ConflictError
        When the campaign is completed or cancelled.
    ConfigurationError
        When no link secret is configured (nothing is written).
    """
    require_secret(links)  # refuse before anything is read or written
    moment = now or datetime.now(UTC)
    with transaction(session):
        campaign = get_campaign_row(
            session, principal, command.campaign_id, action="issue tenant links"
        )
        if campaign.status not in _LINKABLE:
            raise ConflictError(f"campaign {campaign.id} is {campaign.status}: no links to send")
        homes = _homes(session, campaign.id, command.apartment_ids)
        issued = [
            _issued(links, link_for_home(session, home, links, moment), apartment, building)
            for home, apartment, building in homes
        ]
        record_personal_data_event(
            session,
            actor=actor,
            action="export:tenant_links",
            subject=f"campaign/{campaign.id}",
            detail={"links": len(issued)},
            apartments=[i.apartment_id for i in issued],
        )
        return issued


def linkable_home(session: Session, campaign_id: int, apartment_id: int) -> m.CampaignHome | None:
    """Return the apartment's home in the campaign if it may be given a link, else None.

    Those are open homes of draft or active campaigns, as :func:`issue_links` requires.
    """
    return session.scalar(
        select(m.CampaignHome)
        .join(m.Campaign, m.Campaign.id == m.CampaignHome.campaign_id)
        .where(
            m.CampaignHome.campaign_id == campaign_id,
            m.CampaignHome.apartment_id == apartment_id,
            m.CampaignHome.state.in_(_OPEN_HOMES),
            m.Campaign.status.in_(_LINKABLE),
        )
    )


def link_for_home(
    session: Session, home: m.CampaignHome, links: TenantLinkSettings, now: datetime
) -> m.TenantLink:
    """Return the home's valid link, re-issuing a revoked or expired one or making its first.

    One row per home; a new or re-issued version expires ``links.lifetime_days`` after ``now``.

    Issuing links and delivering a message both come here, so a tenant holds one link whichever
    way it reached them. The row is locked while read (PostgreSQL), and two transactions making a
    home's first link at once meet at its unique key: the second takes the first one's row.
    Nothing is signed here (callers sign with :func:`link_url`).
    """
    lifetime = timedelta(days=links.lifetime_days)
    row = _locked_link(session, home)
    if row is None:
        try:
            with session.begin_nested():
                row = m.TenantLink(
                    campaign_id=home.campaign_id,
                    apartment_id=home.apartment_id,
                    token_version=1,
                    issued_at=now,
                    expires_at=now + lifetime,
                )
                session.add(row)
        except IntegrityError:
            row = _locked_link(session, home)
            if row is None:
                raise
        else:
            return row
    if not _is_valid(row, now):
        row.token_version += 1
        row.revoked_at = None
        row.issued_at = now
        row.expires_at = now + lifetime
        session.flush()
    return row


def revoke_link(
    session: Session, principal: Principal, command: RevokeLink, *, now: datetime | None = None
) -> datetime:
    """Stop every token of the apartment's link in the campaign; return when.

    Raises
    ------
    PermissionDeniedError
        For roles other than admins and the campaign region's planners.
    NotFoundError
        When the campaign is not the planner's, or the apartment was never given a link in it.
    """
    moment = now or datetime.now(UTC)
    with transaction(session):
        campaign = get_campaign_row(
            session, principal, command.campaign_id, action="revoke tenant links"
        )
        row = session.scalar(
            select(m.TenantLink)
            .where(
                m.TenantLink.campaign_id == campaign.id,
                m.TenantLink.apartment_id == command.apartment_id,
            )
            .with_for_update()
        )
        if row is None:
            msg = f"apartment {command.apartment_id} has no link in campaign {campaign.id}"
            raise NotFoundError(msg)
        row.token_version += 1
        row.revoked_at = moment
        session.flush()
        return moment


def authenticate_link(
    session: Session, secret: str | None, token: str, *, now: datetime | None = None
) -> Authenticated:
    """Return the tenant a link token speaks for, and until when.

    Raises
    ------
    UnauthenticatedError
        When the token is garbled or not signed with ``secret``, names a link that does not
        exist, was revoked or re-issued, has expired, or whose home left the campaign (one
        message for all).
    """
    link_id, version = read_link(secret, token)
    found = session.execute(
        select(m.TenantLink, m.Campaign.region_id, m.Campaign.status)
        .join(m.Campaign, m.Campaign.id == m.TenantLink.campaign_id)
        .join(
            m.CampaignHome,
            (m.CampaignHome.campaign_id == m.TenantLink.campaign_id)
            & (m.CampaignHome.apartment_id == m.TenantLink.apartment_id),
        )
        .where(m.TenantLink.id == link_id)
    ).first()
    moment = now or datetime.now(UTC)
    if found is None or found[0].token_version != version or not _is_valid(found[0], moment):
        raise UnauthenticatedError(REFUSED_LINK)
    row, region_id, _ = found
    principal = Principal(
        Role.TENANT,
        token_id=row.id,
        region_id=region_id,
        apartment_id=row.apartment_id,
        campaign_id=row.campaign_id,
    )
    return Authenticated(principal, as_utc(row.expires_at))


def _locked_link(session: Session, home: m.CampaignHome) -> m.TenantLink | None:
    return session.scalar(
        select(m.TenantLink)
        .where(
            m.TenantLink.campaign_id == home.campaign_id,
            m.TenantLink.apartment_id == home.apartment_id,
        )
        .with_for_update()
    )


def _homes(
    session: Session, campaign_id: int, apartment_ids: tuple[int, ...]
) -> list[tuple[m.CampaignHome, m.Apartment, m.Building]]:
    query = (
        select(m.CampaignHome, m.Apartment, m.Building)
        .select_from(m.Apartment)
        .join(m.CampaignHome, m.CampaignHome.apartment_id == m.Apartment.id)
        .join(m.Building, m.Building.id == m.Apartment.building_id)
        .where(m.CampaignHome.campaign_id == campaign_id, m.CampaignHome.state.in_(_OPEN_HOMES))
        .order_by(m.Building.address, m.Apartment.unit, m.Apartment.id)
    )
    if apartment_ids:
        query = query.where(m.Apartment.id.in_(apartment_ids))
    rows = [(home, apartment, building) for home, apartment, building in session.execute(query)]
    missing = set(apartment_ids) - {apartment.id for _, apartment, _ in rows}
    if missing:
        msg = f"apartments {sorted(missing)} have no open home in campaign {campaign_id}"
        raise NotFoundError(msg)
    return rows


def _is_valid(row: m.TenantLink, moment: datetime) -> bool:
    expires = as_utc(row.expires_at)
    return row.revoked_at is None and expires is not None and moment < expires


def _issued(
    links: TenantLinkSettings, row: m.TenantLink, apartment: m.Apartment, building: m.Building
) -> IssuedLink:
    expires = as_utc(row.expires_at)
    return IssuedLink(
        apartment_id=apartment.id,
        address=building.address or "",
        unit=apartment.unit,
        tenant_name=apartment.tenant_name,
        url=link_url(links, row),
        expires_at=expires or row.expires_at,
    )


def withdraw_calendar_windows(
    session: Session, campaign_id: int, apartment_ids: Iterable[int]
) -> int:
    """Cancel the calendar entries tenants hold for windows a planner moved; return how many.

    A tenant's ``.ics`` is read back from its link's calendar facts. When a re-plan moves a
    confirmed window (``move_confirmed``), the entry the tenant's calendar holds is no longer
    true: it becomes a cancellation (RFC 5545, next ``SEQUENCE``) until the tenant confirms the
    new window, which gives the calendar a fresh entry. One statement for all of them.
    """
    ids = sorted(set(apartment_ids))
    if not ids:
        return 0
    links = cast("Table", m.TenantLink.__table__)  # a mapped class's table
    result = session.execute(
        update(links)
        .where(
            links.c.campaign_id == campaign_id,
            links.c.apartment_id.in_(ids),
            links.c.calendar_start.is_not(None),
            links.c.calendar_cancelled.is_(False),
        )
        .values(calendar_cancelled=True, calendar_sequence=links.c.calendar_sequence + 1)
        .execution_options(synchronize_session=False)
    )
    for held in list(session.identity_map.values()):
        if isinstance(held, m.TenantLink):
            session.expire(held)
    return int(getattr(result, "rowcount", 0) or 0)
