"""Escalated homes in GraphQL: the planner's list for calling the tenants a campaign gave up on.

The apartment is the ordinary ``Apartment`` type, so its tenant contact and access notes follow
that type's rules (admins and the region's planners see them, every shown field is written to
the personal-data log). The tenant's own answer on how the crew may get in is tenant data too:
it is noted for the log the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

import sitecrew.api.tenant_visits  # noqa: F401 (registers the TenantAccess enum first)
from sitecrew.api.campaigns.types import CampaignHome, CampaignVisit
from sitecrew.api.tenant_reads import note_tenant_read
from sitecrew.api.types.places import Apartment
from sitecrew.domain.tenant_links import AccessChoice

if TYPE_CHECKING:
    from sitecrew.services.campaigns.escalations import Attempt
    from sitecrew.services.campaigns.escalations import EscalatedHome as EscalatedHomeFacts


@strawberry.type(description="One visit of an escalated home and the crew that went.")
class EscalationAttempt:
    visit: CampaignVisit = strawberry.field(
        description="Day, window, outcome, when the crew really started and ended, notes."
    )
    crew_name: str

    @classmethod
    def from_domain(cls, attempt: Attempt) -> EscalationAttempt:
        """Build from ``services.campaigns.escalations.Attempt``."""
        return cls(visit=CampaignVisit.from_domain(attempt.visit), crew_name=attempt.crew_name)


@strawberry.type(
    description="A home escalated after the campaign's maximum of failed visits: its attempts "
    "and how the tenant said the crew may get in (the housing company contacts the tenant)."
)
class EscalatedHome:
    home: CampaignHome
    apartment: Apartment = strawberry.field(
        description="The flat; its tenant contact and access notes where the caller may see them."
    )
    address: str | None
    attempts: list[EscalationAttempt] = strawberry.field(description="Oldest first.")
    answered_access: strawberry.Private[AccessChoice | None]

    @strawberry.field(
        description="How the tenant said the crew may get in (at home, a key left with the "
        "caretaker, the master key allowed); null when the tenant did not answer.",
        graphql_type=AccessChoice | None,
    )
    def access(self) -> AccessChoice | None:
        if self.answered_access is not None:
            note_tenant_read(int(self.apartment.id), "tenant.access")
        return self.answered_access

    @classmethod
    def from_domain(cls, found: EscalatedHomeFacts) -> EscalatedHome:
        """Build from ``services.campaigns.escalations.EscalatedHome``."""
        return cls(
            home=CampaignHome.from_domain(found.home),
            apartment=Apartment.from_domain(found.apartment),
            address=found.address,
            attempts=[EscalationAttempt.from_domain(a) for a in found.attempts],
            answered_access=found.access,
        )
