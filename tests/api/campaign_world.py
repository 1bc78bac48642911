"""A small campaign world inside the API world's database (names of its own, so it fits beside
the demo data): two districts, the east one bound to a contractor; a crew of the housing company
(two members, the second trained from Wednesday) and one of the contractor; a crew in another
region; three buildings with 8, 6 and 6 flats. It is the world of
``tests.services.test_campaign_create``, built under other names.
"""

from __future__ import annotations

from tests.services.test_campaign_create import (
    DEADLINE,
    START,
    CampaignWorld,
    WorldNames,
    build_campaign_world,
)

__all__ = ["DEADLINE", "START", "CampaignWorld", "build_api_campaign_world"]


def build_api_campaign_world(session, prefix: str = "Sweepville") -> CampaignWorld:
    """Create the world through the services (rolled back with the caller's transaction)."""
    names = WorldNames(
        housing=f"{prefix} Bolig",
        contractor=f"{prefix} Montasje",
        region=prefix,
        other_region=f"{prefix} Far",
        west=f"{prefix} West",
        east=f"{prefix} East",
        empty=f"{prefix} Empty",
        depot=f"{prefix} depot",
        far_depot=f"{prefix} far depot",
        own_crew=f"{prefix} own",
        hired_crew=f"{prefix} hired",
        far_crew=f"{prefix} far",
        addresses=(f"{prefix}gata 1", f"{prefix}gata 3", f"{prefix}veien 5"),
    )
    return build_campaign_world(session, names)
