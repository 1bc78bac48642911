"""What a message links to so the tenant can confirm or move a visit.

Tenant self-service links (signed, expiring, per apartment and campaign) are issue 16 item 2;
until they exist every message carries :data:`TENANT_LINK_PLACEHOLDER`, and this module is the
one place that will hand out the real link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Stands where the tenant's self-service link goes until tenant links exist.
TENANT_LINK_PLACEHOLDER = "[tenant link]"


def tenant_link(session: Session, apartment_id: int, campaign_id: int | None) -> str:
    """Return the link a message to the apartment's tenant offers (the placeholder for now)."""
    del session, apartment_id, campaign_id  # the signed link will be made from these
    return TENANT_LINK_PLACEHOLDER
