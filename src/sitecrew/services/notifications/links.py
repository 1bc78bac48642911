"""The tenant's self-service link in a message: a marker in the outbox, the link when sent.

A message is rendered when the change it tells about is written, but the stored body keeps
:data:`TENANT_LINK_PLACEHOLDER` where the link goes: a signed link is a credential, and whoever
reads the outbox table must not be able to lift tenants' links from it. Delivery puts the link
in (:func:`with_tenant_link`) just before sending: the apartment's valid link in the campaign
(re-issued if it was revoked or expired, made if the home has none; the same link
``issue_links`` hands out). Without a link secret, or for a home that may not be given a link,
a sentence asking the tenant to contact the housing company stands there instead; the marker
itself never leaves.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sitecrew.domain.notifications import Language
from sitecrew.services.tenant_links import link_for_home, link_url, linkable_home

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from sitecrew.config import TenantLinkSettings
    from sitecrew.db import models as m

LOGGER = logging.getLogger("sitecrew.notifications")

#: Stands in a stored message where the tenant's self-service link goes (filled at delivery).
TENANT_LINK_PLACEHOLDER = "[tenant link]"

#: What stands in a sent message instead of a link when none can be given.
NO_LINK_SENTENCE = {
    Language.SWEDISH: "kontakta bostadsbolaget",
    Language.NORWEGIAN: "kontakt boligselskapet",
    Language.ENGLISH: "contact the housing company",
}


def tenant_link(session: Session, apartment_id: int, campaign_id: int | None) -> str:
    """Return what a stored message carries for the tenant's link: the marker, never a token."""
    del session, apartment_id, campaign_id  # the link is made at delivery (module docstring)
    return TENANT_LINK_PLACEHOLDER


def carries_link_marker(message: m.Notification) -> bool:
    """Whether the message has a link to put in (others need no transaction to be sent)."""
    return TENANT_LINK_PLACEHOLDER in message.subject + message.body


def with_tenant_link(
    session: Session,
    message: m.Notification,
    links: TenantLinkSettings,
    *,
    now: datetime,
) -> tuple[str, str]:
    """Return the message's subject and body with the marker replaced, for sending only.

    May write (a new or re-issued link row) in ``session``'s transaction; a message without
    the marker reads nothing.
    """
    if not carries_link_marker(message):
        return message.subject, message.body
    link = _link(session, message, links, now)
    return (
        message.subject.replace(TENANT_LINK_PLACEHOLDER, link),
        message.body.replace(TENANT_LINK_PLACEHOLDER, link),
    )


_told_no_secret: set[str] = set()


def _warn_no_secret_once(message_id: int) -> None:
    """Say once per process that messages go without links (then per message at debug level).

    Every message of a deployment without the secret would otherwise repeat the same warning.
    """
    if not _told_no_secret:
        _told_no_secret.add("warned")
        LOGGER.warning(
            "no tenant link secret (SITECREW_TENANT_LINK_SECRET): tenants' messages are sent "
            "without their link (first: notification %s)",
            message_id,
        )
        return
    LOGGER.debug("notification %s: sent without a link (no tenant link secret)", message_id)


def _link(
    session: Session, message: m.Notification, links: TenantLinkSettings, now: datetime
) -> str:
    fallback = NO_LINK_SENTENCE[Language(message.language)]
    if links.secret is None:
        _warn_no_secret_once(message.id)
        return fallback
    if message.campaign_id is None or message.apartment_id is None:
        return fallback
    home = linkable_home(session, message.campaign_id, message.apartment_id)
    if home is None:
        LOGGER.info("notification %s: the home has no visit ahead: sent without a link", message.id)
        return fallback
    return link_url(links, link_for_home(session, home, links, now))
