"""Installation campaigns: one function per use case, ``verb_noun(session, principal, command)``.

Each checks access (rules in :mod:`sitecrew.services.scoping`), validates and writes in one
transaction (convention 16). The sweep itself is pure (:mod:`sitecrew.campaigns.sweep`); these
modules load its input and store its answer.
"""

from sitecrew.services.campaigns.commands import (
    CampaignInfo,
    ConfirmVisitWindow,
    CreateCampaign,
    HomeInfo,
    MaterialiseDay,
    MaterialisedDay,
    PlanCampaign,
    PlanSummary,
    RecordVisitOutcome,
    ReturnUnfitted,
    VisitInfo,
)
from sitecrew.services.campaigns.create import create_campaign
from sitecrew.services.campaigns.daily import materialise_day, return_unfitted
from sitecrew.services.campaigns.outcomes import record_outcome
from sitecrew.services.campaigns.plan import confirm_visit_window, plan_campaign
from sitecrew.services.campaigns.progress import CampaignProgress, campaign_progress

__all__ = [
    "CampaignInfo",
    "CampaignProgress",
    "ConfirmVisitWindow",
    "CreateCampaign",
    "HomeInfo",
    "MaterialiseDay",
    "MaterialisedDay",
    "PlanCampaign",
    "PlanSummary",
    "RecordVisitOutcome",
    "ReturnUnfitted",
    "VisitInfo",
    "campaign_progress",
    "confirm_visit_window",
    "create_campaign",
    "materialise_day",
    "plan_campaign",
    "record_outcome",
    "return_unfitted",
]
