"""The Mutation root: one module per family, each mutation with one input and a union payload."""

from __future__ import annotations

import strawberry

from sitecrew.api.campaigns.mutations import CampaignMutations
from sitecrew.api.care.mutations import CareMutations
from sitecrew.api.care_inspections.mutations import CareInspectionMutations
from sitecrew.api.expansion.scenarios import ExpansionScenarioMutations
from sitecrew.api.installations.mutations import InstallationMutations
from sitecrew.api.mutations.calendars import CalendarMutations
from sitecrew.api.mutations.catalogue import CatalogueMutations
from sitecrew.api.mutations.housing import HousingMutations
from sitecrew.api.mutations.jobs import JobMutations
from sitecrew.api.mutations.planning import PlanningMutations
from sitecrew.api.mutations.sites import SiteMutations
from sitecrew.api.mutations.teams import TeamMutations
from sitecrew.api.mutations.tenants import TenantMutations
from sitecrew.api.notifications.mutations import NotificationMutations
from sitecrew.api.tenant_links import TenantLinkMutations
from sitecrew.api.tenant_visits import TenantVisitMutations


@strawberry.type
class Mutation(
    SiteMutations,
    JobMutations,
    PlanningMutations,
    TenantMutations,
    HousingMutations,  # registers (issue 13)
    TeamMutations,  # registers (issue 13)
    CatalogueMutations,  # registers (issue 13)
    CalendarMutations,  # crew calendars (issue 13)
    CampaignMutations,  # installation campaigns (issue 15)
    TenantVisitMutations,  # tenants' self-service (issue 16)
    TenantLinkMutations,  # tenants' self-service links, for planners (issue 16)
    NotificationMutations,  # messages to tenants (issue 16)
    CareInspectionMutations,  # inspections, coded repairs, wear codes (issue 17)
    CareMutations,  # care plans, seasons and due work (issue 17)
    InstallationMutations,  # new furniture to install (issue 17)
    ExpansionScenarioMutations,  # expansion scenarios (issue 18)
):
    """All mutations."""
