"""Messages to tenants: written with the change, delivered to a real SMTP server and webhook.

Builds on the campaign world of ``test_campaign_create``; the SMTP server (aiosmtpd) and the SMS
webhook (http.server) are real local servers. Delivery runs on the test's connection (its
transactions are savepoints), so everything is rolled back afterwards.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from tests.services.notification_receivers import SmtpServer, Webhook, free_port
from tests.services.test_campaign_create import ADMIN, START, build_campaign_world, new_campaign

from sitecrew.config import NotificationSettings, TenantLinkSettings
from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.campaigns import VisitOutcome
from sitecrew.domain.notifications import Language, NotificationStatus
from sitecrew.errors import NotFoundError, PermissionDeniedError
from sitecrew.services.campaigns import (
    ConfirmVisitWindow,
    MaterialiseDay,
    PlanCampaign,
    RecordVisitOutcome,
    confirm_visit_window,
    create_campaign,
    materialise_day,
    plan_campaign,
    record_outcome,
)
from sitecrew.services.notifications import (
    ListNotifications,
    TellDays,
    drain,
    list_notifications,
    tell_proposals,
    tell_reminders,
)
from sitecrew.services.notifications.channels import channels_from_settings
from sitecrew.services.notifications.delivery import claim_due
from sitecrew.services.notifications.preferences import (
    SetMessagePreferences,
    set_message_preferences,
)

EMAIL = "kari.nordmann@example.org"
LINKS = TenantLinkSettings(secret="n" * 40, base_url="https://visit.example")
PHONE = "+4791234567"


@pytest.fixture(name="world")
def world_fixture(session):
    return build_campaign_world(session)


@pytest.fixture(name="sessions")
def sessions_fixture(session):
    """Delivery's sessions: on the test's connection, each transaction a savepoint."""
    return sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture(name="smtp")
def smtp_fixture():
    with SmtpServer() as server:
        yield server


@pytest.fixture(name="webhook")
def webhook_fixture():
    with Webhook() as receiver:
        yield receiver


def _settings(smtp: SmtpServer | None = None, webhook: Webhook | None = None, **changes):
    settings = NotificationSettings(
        smtp_host="127.0.0.1" if smtp else None,
        smtp_port=smtp.port if smtp else 25,
        smtp_from="bookings@sitecrew.test",
        smtp_timeout_s=5.0,
        sms_webhook_url=webhook.url if webhook else None,
        max_attempts=3,
        backoff_base_s=60.0,
    )
    return replace(settings, **changes)


def _planned_home(session, world, *, email=EMAIL, phone=None, language=None, opt_out=False):
    """Plan a campaign and give the first proposed home's tenant these contacts."""
    campaign = create_campaign(session, ADMIN, new_campaign(world))
    plan_campaign(session, ADMIN, PlanCampaign(campaign.id, START))
    home = session.scalars(
        select(m.CampaignHome)
        .where(m.CampaignHome.campaign_id == campaign.id, m.CampaignHome.day.is_not(None))
        .order_by(m.CampaignHome.day, m.CampaignHome.id)
    ).first()
    apartment = session.get(m.Apartment, home.apartment_id)
    apartment.tenant_name = "Kari Nordmann"
    apartment.tenant_email = email
    apartment.tenant_phone = phone
    apartment.tenant_language = language
    apartment.sms_opt_out = opt_out
    session.flush()
    return campaign, home


def _messages(session, **where):
    query = select(m.Notification).execution_options(populate_existing=True)
    for name, value in where.items():
        query = query.where(getattr(m.Notification, name) == value)
    return list(session.scalars(query.order_by(m.Notification.id)))


def _drain(sessions, settings, *, now=None, links=LINKS):
    return drain(sessions, settings, channels_from_settings(settings), links=links, now=now)


def test_a_confirmed_window_sends_one_confirmation_mail_in_the_tenants_language(
    session, world, sessions, smtp
):
    """Confirming writes one message; the worker delivers it once, in Swedish, with a Message-ID."""
    _campaign, home = _planned_home(session, world, language="sv")
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))  # again: nothing new

    (message,) = _messages(session, kind="confirmation")
    assert (message.status, message.channel, message.language) == ("pending", "email", "sv")
    report = _drain(sessions, _settings(smtp))
    assert report.sent == [message.id]
    assert _drain(sessions, _settings(smtp)).sent == []  # a sent message is never sent again

    (mail,) = smtp.box.mails
    assert smtp.box.recipients == [[EMAIL]]
    assert mail["Subject"].startswith("Besöket är bekräftat")
    assert "lägenhet" in mail.get_content()
    assert mail["Message-ID"]
    assert mail["Content-Language"] == "sv"
    (sent,) = _messages(session, kind="confirmation")
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)


def test_a_tenant_without_a_language_is_written_to_in_the_regions(session, world, sessions, smtp):
    """The region lies in Oslo's time zone: a tenant who chose no language reads Norwegian."""
    _, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    _drain(sessions, _settings(smtp))
    (mail,) = smtp.box.mails
    assert mail["Subject"].startswith("Besøket er bekreftet")


def test_a_rolled_back_change_writes_no_message(session, world):
    """A confirmation whose transaction rolls back leaves no message behind."""
    _, home = _planned_home(session, world)

    def confirm_then_fail():
        with transaction(session):
            confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
            assert len(_messages(session)) == 1
            raise RuntimeError("the surrounding change failed")

    with pytest.raises(RuntimeError):
        confirm_then_fail()
    assert _messages(session) == []


def test_a_refusing_smtp_server_is_retried_with_backoff_then_failed_for_planners(
    session, world, sessions, smtp
):
    """554 three times: attempts 1 and 2 wait 60 s then 120 s; the third fails it for good."""
    campaign, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    smtp.box.refuse_next = 3
    settings = _settings(smtp)
    now = datetime.now(UTC)

    assert len(_drain(sessions, settings, now=now).retried) == 1
    (message,) = _messages(session)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "554" in message.last_error
    assert _drain(sessions, settings, now=now + timedelta(seconds=59)).retried == []  # not due
    assert len(_drain(sessions, settings, now=now + timedelta(seconds=61)).retried) == 1
    later = now + timedelta(seconds=61 + 121)
    assert len(_drain(sessions, settings, now=later).failed) == 1
    assert smtp.box.mails == []

    session.expire_all()  # delivery wrote through its own sessions
    planner = Principal(Role.PLANNER, region_id=world.region_id)
    query = ListNotifications(limit=10, campaign_id=campaign.id, status=NotificationStatus.FAILED)
    (seen,), more = list_notifications(session, planner, query)
    assert not more
    assert (seen.status, seen.attempts, seen.next_attempt_at) == ("failed", 3, None)
    assert "554" in seen.last_error
    assert EMAIL not in seen.last_error
    assert seen.recipient == EMAIL  # the region's planner sees tenant contacts


def test_a_refused_recipient_is_retried_without_its_address_in_the_error(
    session, world, sessions, smtp
):
    """The server quotes the address it refuses; the stored reason keeps the code, not it."""
    _, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    smtp.box.refuse_recipients = True
    _drain(sessions, _settings(smtp))
    (message,) = _messages(session)
    assert message.status == "pending"
    assert "550" in message.last_error
    assert EMAIL not in message.last_error
    assert smtp.box.mails == []


def test_an_smtp_server_that_is_down_is_retried_later(session, world, sessions):
    """Nothing listens on the port: the attempt fails with the reason, due again after 60 s."""
    _, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    settings = replace(_settings(), smtp_host="127.0.0.1", smtp_port=free_port())
    now = datetime.now(UTC)
    _drain(sessions, settings, now=now)
    (message,) = _messages(session)
    assert message.status == "pending"
    assert "SMTP unavailable" in message.last_error
    assert EMAIL not in message.last_error
    due = message.next_attempt_at.replace(tzinfo=message.next_attempt_at.tzinfo or UTC)
    assert due == now + timedelta(seconds=60)


def test_a_webhook_that_fails_once_delivers_once_with_the_same_idempotency_key(
    session, world, sessions, webhook
):
    """500 then 200: two posts carry one key; the message is sent, never posted a third time."""
    _, home = _planned_home(session, world, email=None, phone=PHONE)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    webhook.fail_next = 1
    settings = _settings(webhook=webhook)
    now = datetime.now(UTC)
    _drain(sessions, settings, now=now)
    _drain(sessions, settings, now=now + timedelta(hours=1))
    _drain(sessions, settings, now=now + timedelta(hours=2))

    assert [status for _, _, status in webhook.requests] == [500, 200]
    keys = {headers["Idempotency-Key"] for headers, _, _ in webhook.requests}
    (message,) = _messages(session)
    assert keys == {message.key}
    assert webhook.requests[1][1]["to"] == PHONE
    assert (message.status, message.channel, message.attempts) == ("sent", "sms", 2)


def test_a_message_claimed_by_a_dead_worker_is_sent_after_the_lease(session, world, sessions, smtp):
    """A worker claimed the mail and died: it is not taken before the lease ends, then sent."""
    _, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    settings = _settings(smtp, claim_lease_s=300.0)
    now = datetime.now(UTC)
    (claimed,) = claim_due(sessions, settings, now=now)  # ...and the worker dies here

    assert _drain(sessions, settings, now=now + timedelta(seconds=100)).sent == []
    assert _drain(sessions, settings, now=now + timedelta(seconds=301)).sent == [claimed.id]
    assert len(smtp.box.mails) == 1
    (message,) = _messages(session)
    assert (message.status, message.attempts) == ("sent", 2)


def test_sms_opt_out_keeps_email_and_a_tenant_without_contacts_is_skipped(
    session, world, sessions, smtp, webhook
):
    """Opted out: mail only. No mail and opted out: one SKIPPED message saying why."""
    _, home = _planned_home(session, world, phone=PHONE, opt_out=True)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    assert [message.channel for message in _messages(session)] == ["email"]

    apartment = session.get(m.Apartment, home.apartment_id)
    apartment.tenant_email = None
    session.flush()
    tell_reminders(session, ADMIN, TellDays(home.day, campaign_id=home.campaign_id))
    reminders = _messages(session, kind="reminder")
    skipped = [p for p in reminders if p.apartment_id == apartment.id]
    assert [(p.channel, p.status) for p in skipped] == [("none", "skipped")]
    assert "opted out of text messages" in skipped[0].last_error
    _drain(sessions, _settings(smtp, webhook))
    assert webhook.requests == []


def test_both_channels_go_when_the_tenant_has_both(session, world):
    """E-mail and SMS: one message each, keys differing only by channel."""
    _, home = _planned_home(session, world, phone=PHONE)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    email, sms = _messages(session)
    assert (email.channel, sms.channel) == ("email", "sms")
    assert email.key.removesuffix(":email") == sms.key.removesuffix(":sms")


def test_reminders_for_a_day_are_queued_once(session, world):
    """The day-before reminders: one per home of the day, nothing more when run again."""
    campaign, home = _planned_home(session, world)
    first = tell_reminders(session, ADMIN, TellDays(home.day, campaign_id=campaign.id))
    assert first >= 1
    assert tell_reminders(session, ADMIN, TellDays(home.day, campaign_id=campaign.id)) == 0
    assert {m_.apartment_id for m_ in _messages(session, kind="reminder")} >= {home.apartment_id}


def test_a_missed_visit_and_a_done_visit_tell_the_tenant(session, world):
    """NO_SHOW: a missed-visit message with the link to choose again; DONE: a completion."""
    campaign, home = _planned_home(session, world)
    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, home.day))
    visits = [session.get(m.CampaignVisit, visit_id) for visit_id in made.visit_ids[:2]]
    start = visits[0].window_start.replace(tzinfo=visits[0].window_start.tzinfo or UTC)
    end = start + timedelta(minutes=20)
    record_outcome(
        session, ADMIN, RecordVisitOutcome(visits[0].id, VisitOutcome.NO_SHOW, start, end)
    )
    missed = list(_messages(session, kind="missed_visit"))
    assert [n.apartment_id for n in missed] == [home.apartment_id]
    assert "[tenant link]" in missed[0].body
    other = session.get(m.CampaignHome, visits[1].campaign_home_id)
    session.get(m.Apartment, other.apartment_id).tenant_email = "per@example.org"
    record_outcome(session, ADMIN, RecordVisitOutcome(visits[1].id, VisitOutcome.DONE, start, end))
    assert [n.apartment_id for n in _messages(session, kind="completion")] == [other.apartment_id]


@pytest.mark.parametrize(
    "principal",
    [
        Principal(Role.CREW, crew_id=1),
        Principal(Role.CONTRACTOR, organisation_id=1),
    ],
    ids=["crew", "contractor"],
)
def test_crews_and_contractors_cannot_read_the_outbox(session, world, principal):
    """The outbox is the planners': other roles get a typed refusal, not an empty page."""
    _, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    with pytest.raises(PermissionDeniedError) as refused:
        list_notifications(session, principal, ListNotifications(limit=10))
    assert EMAIL not in str(refused.value)


def test_another_regions_planner_sees_none_of_the_outbox(session, world):
    """A planner of the other region lists nothing and cannot name the campaign."""
    campaign, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    outsider = Principal(Role.PLANNER, region_id=world.other_region_id)
    assert list_notifications(session, outsider, ListNotifications(limit=10)) == ([], False)
    with pytest.raises(NotFoundError) as refused:
        list_notifications(session, outsider, ListNotifications(limit=10, campaign_id=campaign.id))
    assert EMAIL not in str(refused.value)


def _materialised(session, world):
    """A planned campaign whose first day became jobs; return campaign, home and the day's visits."""
    campaign, home = _planned_home(session, world)
    made = materialise_day(session, ADMIN, MaterialiseDay(campaign.id, home.day))
    visits = [session.get(m.CampaignVisit, visit_id) for visit_id in made.visit_ids]
    return campaign, home, visits


def _publish(session, crew_id, day, visits, *, first_arrival, gap_minutes=40):
    """Store a published route visiting ``visits`` in order, ``gap_minutes`` apart."""
    route = m.Route(crew_id=crew_id, service_date=day, status="published")
    session.add(route)
    session.flush()
    moments = [first_arrival + timedelta(minutes=gap_minutes * n) for n in range(len(visits))]
    stops = [("start", None, first_arrival - timedelta(minutes=20))]
    stops += [("job", v.job_id, at) for v, at in zip(visits, moments, strict=True)]
    stops += [("end", None, moments[-1] + timedelta(minutes=60))]
    for sequence, (kind, job_id, at) in enumerate(stops):
        session.add(
            m.RouteStop(
                route_id=route.id,
                sequence=sequence,
                kind=kind,
                job_id=job_id,
                arrival_at=at,
                departure_at=at + timedelta(minutes=30 if job_id else 0),
            )
        )
    session.flush()


def test_a_crew_starting_a_stop_tells_the_next_tenant_it_is_on_the_way(session, world):
    """In progress at stop 1: stop 2's tenant hears the crew comes in the planned 40 minutes."""
    from sitecrew.domain.job_commands import ChangeJobStatus
    from sitecrew.domain.jobs import JobStatus
    from sitecrew.services.jobs import change_job_status

    _, home, visits = _materialised(session, world)
    same_crew = [v for v in visits if v.crew_id == visits[0].crew_id][:2]
    second_home = session.get(m.CampaignHome, same_crew[1].campaign_home_id)
    session.get(m.Apartment, second_home.apartment_id).tenant_email = "next@example.org"
    start = same_crew[0].window_start.replace(tzinfo=same_crew[0].window_start.tzinfo or UTC)
    _publish(session, same_crew[0].crew_id, home.day, same_crew, first_arrival=start)
    job = session.get(m.Job, same_crew[0].job_id)
    for status in (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
        version = session.get(m.Job, job.id).version
        before = datetime.now(UTC)
        change_job_status(session, ADMIN, ChangeJobStatus(job.id, status, version))

    (message,) = _messages(session, kind="on_the_way")
    assert message.apartment_id == second_home.apartment_id
    assert message.key == f"on_the_way:visit:{same_crew[1].id}:email"
    oslo = ZoneInfo("Europe/Oslo")
    earliest = (before + timedelta(minutes=40)).astimezone(oslo)
    latest = (datetime.now(UTC) + timedelta(minutes=40)).astimezone(oslo)
    shown = {f"{earliest:%H:%M}", f"{latest:%H:%M}"}
    assert any(eta in message.subject for eta in shown), message.subject
    assert "på vei" in message.subject


def test_a_job_on_no_published_route_tells_nobody_it_is_on_the_way(session, world):
    """Without a published route there is no next stop and no ETA: no message."""
    from sitecrew.domain.job_commands import ChangeJobStatus
    from sitecrew.domain.jobs import JobStatus
    from sitecrew.services.jobs import change_job_status

    _, _, visits = _materialised(session, world)
    job = session.get(m.Job, visits[0].job_id)
    for status in (JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
        version = session.get(m.Job, job.id).version
        change_job_status(session, ADMIN, ChangeJobStatus(job.id, status, version))
    assert _messages(session, kind="on_the_way") == []


def test_materialising_a_day_proposes_the_unconfirmed_windows_once(session, world):
    """Each unconfirmed home of the day is asked once; the week's proposals add only other days."""
    campaign, home, visits = _materialised(session, world)
    proposals = _messages(session, kind="proposal")
    assert len(proposals) == len(visits) > 1  # one per home of the day
    (proposal,) = [p for p in proposals if p.status == "pending"]
    assert proposal.apartment_id == home.apartment_id
    assert "[tenant link]" in proposal.body
    others = {(p.channel, p.status, p.last_error) for p in proposals if p is not proposal}
    assert others == {("none", "skipped", "the tenant has no e-mail address or phone number")}
    same_day = TellDays(home.day, days=1, campaign_id=campaign.id)
    assert tell_proposals(session, ADMIN, same_day) == 0
    week = TellDays(home.day, days=7, campaign_id=campaign.id)
    later = tell_proposals(session, ADMIN, week)  # the week's other days are asked now
    keys = [p.key for p in _messages(session, kind="proposal")]
    assert len(keys) == len(set(keys)) == len(proposals) + later
    assert tell_proposals(session, ADMIN, week) == 0


def test_erasing_the_tenant_blanks_the_outbox_and_skips_what_waits(session, world):
    """The erased tenant's address is gone from the outbox; the waiting mail is never sent."""
    from sitecrew.services.tenants import erase_tenant

    _, home = _planned_home(session, world)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    erase_tenant(session, ADMIN, home.apartment_id, actor="test")
    (message,) = _messages(session)
    assert (message.recipient, message.status) == (None, "skipped")
    assert "erased" in message.last_error


def test_opting_out_of_sms_skips_the_text_messages_still_waiting(session, world):
    """Mail and SMS wait; the opt-out skips the SMS, the mail still goes."""
    _, home = _planned_home(session, world, phone=PHONE)
    confirm_visit_window(session, ADMIN, ConfirmVisitWindow(home.id))
    planner = Principal(Role.PLANNER, region_id=world.region_id)
    command = SetMessagePreferences(home.apartment_id, Language.SWEDISH, sms_opt_out=True)
    assert set_message_preferences(session, planner, command).skipped == 1
    session.expire_all()
    by_channel = {n.channel: n.status for n in _messages(session)}
    assert by_channel == {"email": "pending", "sms": "skipped"}
    assert session.get(m.Apartment, home.apartment_id).tenant_language == "sv"
    outsider = Principal(Role.PLANNER, region_id=world.other_region_id)
    with pytest.raises(NotFoundError):
        set_message_preferences(session, outsider, command)
    with pytest.raises(PermissionDeniedError):
        set_message_preferences(session, Principal(Role.CREW, crew_id=1), command)
