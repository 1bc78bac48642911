"""Who the caller is: its role, its token's name, what it speaks for and the regions it works in.

A front-end asks once after sign-in and picks its view from the answer (a planner's map, a
crew's day, a contractor's districts) instead of probing queries to see which are refused.
Everything here is about the caller itself, so nothing is read that its token does not name;
its regions are the ones it may follow live (:func:`~sitecrew.services.scoping.followable_regions`:
every region for an admin, a planner's own, a contractor's districts' regions, a crew's region,
none for a tenant's link).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.domain.access import Role
from sitecrew.domain.crews import Crew
from sitecrew.domain.organisations import Organisation, Region
from sitecrew.services.scoping import followable_regions

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: Regions listed at most (by slug); an admin of more pages through ``regions``.
MAX_REGIONS = 200


@dataclass(frozen=True)
class Viewer:
    """The caller as its token describes it."""

    role: Role
    #: The name the token was created with; None for a tenant's link (it has none).
    token_name: str | None
    #: The token's organisation, or the crew's when the token names a crew of one.
    organisation: Organisation | None
    crew: Crew | None
    regions: list[Region]


def describe_viewer(session: Session, principal: Principal) -> Viewer:
    """Return who ``principal`` is, with the regions it works in (at most :data:`MAX_REGIONS`)."""
    token_name = None
    if principal.token_id is not None and principal.role is not Role.TENANT:
        token_name = session.scalar(
            select(m.ApiToken.name).where(m.ApiToken.id == principal.token_id)
        )
    crew = session.get(m.Crew, principal.crew_id) if principal.crew_id is not None else None
    organisation_id = principal.organisation_id
    if organisation_id is None and crew is not None:
        organisation_id = crew.organisation_id
    organisation = (
        session.get(m.Organisation, organisation_id) if organisation_id is not None else None
    )
    regions = session.scalars(
        select(m.Region)
        .where(followable_regions(principal))
        .order_by(m.Region.slug)
        .limit(MAX_REGIONS)
    )
    return Viewer(
        role=principal.role,
        token_name=token_name,
        organisation=None if organisation is None else organisation.to_domain(),
        crew=None if crew is None else crew.to_domain(),
        regions=[region.to_domain() for region in regions],
    )
