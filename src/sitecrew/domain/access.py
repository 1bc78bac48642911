"""Who is asking: roles and the scope each role may see.

The rules (from the product's requirements):
- admin: everything;
- planner: everything in their region (every region when the token names none);
- contractor: only jobs and apartments (and their buildings) in the districts bound to the
  contractor's organisation;
- crew: only their crew's published routes of today and later, and the jobs on them;
- tenant (issue 16: a signed self-service link, no account): only its own home of one campaign,
  through the tenant operations; every other rule denies it everything;
- tenant contact details and access notes (door codes): planners and admins, and the crew whose
  published route visits that apartment or site today; nobody else (contractors neither).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sitecrew.errors import InvalidInputError, PermissionDeniedError


class Role(StrEnum):
    """What a token may see and change."""

    ADMIN = "admin"
    PLANNER = "planner"
    CONTRACTOR = "contractor"
    CREW = "crew"
    TENANT = "tenant"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as resolved from a bearer token."""

    role: Role
    token_id: int | None = None
    region_id: int | None = None
    organisation_id: int | None = None
    crew_id: int | None = None
    #: The IANA time zone of a crew's region: "today" for a crew is the region's today.
    timezone: str | None = None
    #: A tenant's link is bound to one apartment of one campaign (``token_id`` is the link's).
    apartment_id: int | None = None
    campaign_id: int | None = None

    def __post_init__(self) -> None:
        if self.role is Role.CREW and self.crew_id is None:
            raise InvalidInputError("a crew token needs a crew")
        if self.role is Role.CONTRACTOR and self.organisation_id is None:
            raise InvalidInputError("a contractor token needs an organisation")
        if self.role is Role.TENANT and (self.apartment_id is None or self.campaign_id is None):
            raise InvalidInputError("a tenant link is bound to an apartment and a campaign")

    @property
    def sees_everything_in_region(self) -> bool:
        """Admins and planners see all entities (planners limited to their region)."""
        return self.role in {Role.ADMIN, Role.PLANNER}

    def require(self, *roles: Role, action: str) -> None:
        """Raise unless the caller has one of ``roles``.

        Raises
        ------
        PermissionDeniedError
            Naming the action and the caller's role.
        """
        if self.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            msg = f"a {self.role.value} token may not {action} (needs: {allowed})"
            raise PermissionDeniedError(msg)
