"""The tenant's link in a message: a marker in the outbox, a working signed link in the mail.

Same world and receivers as ``test_notifications`` (a real aiosmtpd server and SMS webhook,
delivery on the test's connection). What a tenant receives must open their own page; what a
database reader finds in the outbox must not.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from tests.services.test_campaign_create import ADMIN
from tests.services.test_notifications import (  # the fixtures: the outbox tests' own
    LINKS,
    PHONE,
    _drain,
    _messages,
    _planned_home,
    _settings,
    sessions_fixture,  # noqa: F401 (fixture sessions)
    smtp_fixture,  # noqa: F401 (fixture smtp)
    webhook_fixture,  # noqa: F401 (fixture webhook)
    world_fixture,  # noqa: F401 (fixture world)
)

from sitecrew.config import TenantLinkSettings
from sitecrew.db import models as m
from sitecrew.errors import UnauthenticatedError
from sitecrew.services.campaigns import ConfirmVisitWindow, confirm_visit_window
from sitecrew.services.campaigns.lifecycle import CancelCampaign, cancel_campaign
from sitecrew.services.notifications import TellDays, tell_reminders
from sitecrew.services.notifications.links import TENANT_LINK_PLACEHOLDER
from sitecrew.services.tenant_links import (
    IssueLinks,
    RevokeLink,
    authenticate_link,
    issue_links,
    revoke_link,
)

_URL = re.compile(r"https://visit\.example/t/(\S+)")


def _token(text: str) -> str:
    found = _URL.findall(text)
    assert len(found) == 1, text
    return found[0]


def _confirmed(session, world, **contacts):
    campaign, home = _planned_home(session, world, language="en", **contacts)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    return campaign, home


def _link_rows(session) -> int:
    return session.scalar(select(func.count()).select_from(m.TenantLink))


def test_a_confirmation_mail_carries_the_apartments_working_link(session, world, sessions, smtp):
    """The mail's link authenticates as that apartment's tenant in that campaign.

    It is the same link the mail merge hands out for the home (one link per home).
    """
    campaign, home = _confirmed(session, world)
    assert _drain(sessions, _settings(smtp)).sent

    (mail,) = smtp.box.mails
    text = mail.get_content()
    assert TENANT_LINK_PLACEHOLDER not in text
    token = _token(text)
    tenant = authenticate_link(session, LINKS.secret, token).principal
    assert (tenant.apartment_id, tenant.campaign_id) == (home.apartment_id, campaign.id)
    (issued,) = issue_links(
        session,
        ADMIN,
        IssueLinks(campaign.id, (home.apartment_id,)),
        links=LINKS,
        actor="test",
    )
    assert issued.url == f"https://visit.example/t/{token}"


def test_the_outbox_keeps_the_marker_and_never_a_token(session, world, sessions, smtp):
    """A reader of the notifications table, before and after sending, finds no link to lift."""
    _confirmed(session, world)
    (stored,) = _messages(session, kind="confirmation")
    assert TENANT_LINK_PLACEHOLDER in stored.body
    _drain(sessions, _settings(smtp))
    (sent,) = _messages(session, kind="confirmation")
    assert sent.status == "sent"
    assert "sct1." not in sent.body + sent.subject
    assert TENANT_LINK_PLACEHOLDER in sent.body
    assert "sct1." in smtp.box.mails[0].get_content()  # the mail had it


def test_a_text_message_carries_the_link_too(session, world, sessions, smtp, webhook):
    """SMS bodies go through the same substitution as mails."""
    campaign, home = _confirmed(session, world, phone=PHONE)
    _drain(sessions, _settings(smtp, webhook))
    ((_, payload, _),) = webhook.requests
    token = _token(payload["text"])
    assert authenticate_link(session, LINKS.secret, token).principal.apartment_id == (
        home.apartment_id
    )
    assert _token(smtp.box.mails[0].get_content()) == token  # one link per home
    del campaign


def test_a_revoked_link_is_replaced_by_a_fresh_one_at_the_next_delivery(
    session, world, sessions, smtp
):
    """Revoking stops the mailed link; the next message (a reminder) brings a new working one."""
    campaign, home = _confirmed(session, world)
    _drain(sessions, _settings(smtp))
    first = _token(smtp.box.mails[0].get_content())
    revoke_link(session, ADMIN, RevokeLink(campaign.id, home.apartment_id))
    with pytest.raises(UnauthenticatedError):
        authenticate_link(session, LINKS.secret, first)

    tell_reminders(session, ADMIN, TellDays(home.day, campaign_id=campaign.id))
    _drain(sessions, _settings(smtp))
    second = _token(smtp.box.mails[-1].get_content())
    assert second != first
    tenant = authenticate_link(session, LINKS.secret, second).principal
    assert tenant.apartment_id == home.apartment_id
    with pytest.raises(UnauthenticatedError):
        authenticate_link(session, LINKS.secret, first)  # re-issuing does not revive it
    assert _link_rows(session) == 1


def test_without_a_link_secret_the_mail_says_whom_to_contact(session, world, sessions, smtp):
    """No secret configured: the message still goes, with a sentence instead of the marker."""
    _confirmed(session, world)
    report = _drain(sessions, _settings(smtp), links=TenantLinkSettings())
    assert len(report.sent) == 1
    text = smtp.box.mails[0].get_content()
    assert "To change it: contact the housing company" in text
    assert TENANT_LINK_PLACEHOLDER not in text
    assert "/t/" not in text
    assert _link_rows(session) == 0


def test_a_home_of_a_cancelled_campaign_gets_no_link(session, world, sessions, smtp):
    """A confirmation still waiting when the campaign is cancelled goes without a link.

    No link is made for a home that may not have one.
    """
    campaign, _ = _confirmed(session, world)
    cancel_campaign(session, ADMIN, CancelCampaign(campaign.id))
    _drain(sessions, _settings(smtp))
    texts = [mail.get_content() for mail in smtp.box.mails]
    assert any("To change it: contact the housing company" in text for text in texts)
    assert not any(TENANT_LINK_PLACEHOLDER in text or "sct1." in text for text in texts)
    assert _link_rows(session) == 0


def test_the_fallback_sentence_is_in_the_tenants_language(session, world, sessions, smtp):
    """A Swedish tenant without a link reads Swedish, not English, where the link would be."""
    campaign, home = _planned_home(session, world, language="sv")
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    _drain(sessions, _settings(smtp), links=TenantLinkSettings())
    text = smtp.box.mails[0].get_content()
    assert "kontakta bostadsbolaget" in text
    assert "housing company" not in text
    del campaign
