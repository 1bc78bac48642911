"""Tenant self-service through signed links, on both backends, in the real-OSM tenant world.

Links: issued per home, verified, expired, revoked, re-issued and tampered with. A tenant's
visit: confirmed, moved to another offered window (the job, the appointment and the calendar
file follow), refused in a window no crew offers, answered (how to get in) and cancelled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select
from tests.services.offers_world import local
from tests.services.tenant_world import ADMIN, LINKS, TUESDAY, build_tenant_world

from sitecrew.config import TenantLinkSettings
from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.tenant_links import AccessChoice, sign_link
from sitecrew.errors import (
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
    WindowNotOfferedError,
)
from sitecrew.services.tenant_links import (
    IssueLinks,
    RevokeLink,
    authenticate_link,
    issue_links,
    revoke_link,
)
from sitecrew.services.tenant_visits.book import (
    ChooseTime,
    ConfirmVisit,
    choose_tenant_time,
    confirm_tenant_visit,
)
from sitecrew.services.tenant_visits.calendar import tenant_calendar
from sitecrew.services.tenant_visits.change import (
    CancelVisit,
    SetAccess,
    cancel_tenant_visit,
    set_tenant_access,
)
from sitecrew.services.tenant_visits.read import tenant_offers, tenant_visit

NOW = datetime.now(UTC)


@pytest.fixture
def world(session):
    return build_tenant_world(session)


def _issue(session, world, principal=ADMIN, **kwargs):
    return issue_links(
        session, principal, IssueLinks(world.campaign_id, **kwargs), links=LINKS, actor="test"
    )


def _token(url: str) -> str:
    return url.rpartition("/t/")[2]


def _tenant(session, world, index: int = 0) -> Principal:
    [link] = _issue(session, world, apartment_ids=(world.flats[index],))
    return authenticate_link(session, LINKS.secret, _token(link.url)).principal


# --- links ---------------------------------------------------------------------------------------


def test_every_open_home_gets_a_link_bound_to_its_apartment_and_campaign(session, world):
    links = _issue(session, world)
    assert [link.apartment_id for link in links] == list(world.flats)
    assert links[0].tenant_name == "Tenant 00"
    assert all(link.url.startswith("https://visit.example/t/sct1.") for link in links)
    who = authenticate_link(session, LINKS.secret, _token(links[3].url)).principal
    assert (who.role, who.apartment_id, who.campaign_id) == (
        Role.TENANT,
        world.flats[3],
        world.campaign_id,
    )
    assert who.region_id == world.offers.region_id


def test_issuing_again_hands_out_the_same_valid_links(session, world):
    assert [link.url for link in _issue(session, world)] == [
        again.url for again in _issue(session, world)
    ]


def test_a_link_stops_working_when_revoked_and_a_reissued_one_is_a_new_link(session, world):
    [old] = _issue(session, world, apartment_ids=(world.flats[0],))
    revoke_link(session, ADMIN, RevokeLink(world.campaign_id, world.flats[0]))
    with pytest.raises(UnauthenticatedError):
        authenticate_link(session, LINKS.secret, _token(old.url))
    [new] = _issue(session, world, apartment_ids=(world.flats[0],))
    assert new.url != old.url
    assert authenticate_link(session, LINKS.secret, _token(new.url)).principal.apartment_id
    with pytest.raises(UnauthenticatedError):
        authenticate_link(session, LINKS.secret, _token(old.url))


def test_an_expired_link_is_refused_and_issuing_renews_it(session, world):
    [link] = _issue(session, world, apartment_ids=(world.flats[0],))
    later = datetime.now(UTC) + timedelta(days=LINKS.lifetime_days, minutes=1)
    with pytest.raises(UnauthenticatedError):
        authenticate_link(session, LINKS.secret, _token(link.url), now=later)
    [renewed] = issue_links(
        session,
        ADMIN,
        IssueLinks(world.campaign_id, (world.flats[0],)),
        links=LINKS,
        actor="test",
        now=later,
    )
    assert renewed.url != link.url
    assert authenticate_link(session, LINKS.secret, _token(renewed.url), now=later)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.replace("sct1.", "sct1.9", 1),  # another link id, same signature
        lambda t: ".".join([*t.split(".")[:2], "7", t.split(".")[3]]),  # another version
        lambda t: t + "x" * 200,  # too long
        lambda _: "garbage",
        lambda _: "sct1...",
        lambda _: "sct1.\uff11.1.abc",  # a non-ASCII digit
        lambda _: "",
    ],
)
def test_a_tampered_or_garbled_token_is_refused_with_one_message(session, world, tamper):
    [link] = _issue(session, world, apartment_ids=(world.flats[0],))
    with pytest.raises(UnauthenticatedError, match="not valid"):
        authenticate_link(session, LINKS.secret, tamper(_token(link.url)))


def test_a_token_signed_with_another_secret_is_refused(session, world):
    [link] = _issue(session, world, apartment_ids=(world.flats[0],))
    link_id, version = (int(p) for p in _token(link.url).split(".")[1:3])
    forged = sign_link("f" * 40, link_id, version)
    with pytest.raises(UnauthenticatedError):
        authenticate_link(session, LINKS.secret, forged)
    with pytest.raises(UnauthenticatedError):
        authenticate_link(session, None, _token(link.url))  # a server without a secret


def test_the_database_holds_no_token(session, world):
    """A reader of the table learns ids and versions, which are worthless without the secret."""
    [link] = _issue(session, world, apartment_ids=(world.flats[0],))
    row = session.scalar(select(m.TenantLink))
    assert _token(link.url).rpartition(".")[2] not in str(
        [getattr(row, c.key) for c in m.TenantLink.__table__.columns]
    )


def test_links_need_a_secret_and_the_regions_staff(session, world):
    with pytest.raises(ConfigurationError):
        issue_links(
            session, ADMIN, IssueLinks(world.campaign_id), links=TenantLinkSettings(), actor="test"
        )
    other = Principal(Role.PLANNER, region_id=world.offers.other_region_id)
    with pytest.raises(NotFoundError):
        _issue(session, world, other)
    with pytest.raises(PermissionDeniedError):
        _issue(session, world, Principal(Role.CREW, crew_id=world.crew_id))
    with pytest.raises(PermissionDeniedError):
        _issue(session, world, _tenant(session, world))
    assert len(_issue(session, world, world.planner)) == len(world.flats)


# --- the tenant's visit --------------------------------------------------------------------------


def test_a_tenant_sees_its_proposed_window_and_offers_without_crews(session, world, planning_osm):
    tenant = _tenant(session, world)
    visit = tenant_visit(session, tenant)
    assert (visit.state, visit.day, visit.unit) == (HomeState.PROPOSED, TUESDAY, "U00")
    assert visit.window_start == local(TUESDAY, 8)
    offers = tenant_offers(session, tenant, osm=planning_osm, limit=50, now=NOW)
    assert offers
    assert not hasattr(offers[0], "crew_id")
    assert all(o.window_end - o.window_start == timedelta(hours=2) for o in offers)


def test_confirming_books_the_proposed_window_as_a_job_and_a_calendar_entry(
    session, world, planning_osm
):
    tenant = _tenant(session, world)
    visit = confirm_tenant_visit(session, tenant, ConfirmVisit(), osm=planning_osm, now=NOW)
    assert visit.state is HomeState.CONFIRMED
    appointment = _appointment(session, world.homes[0])
    assert (appointment.status, _utc(appointment.window_start)) == ("confirmed", local(TUESDAY, 8))
    event = _event(tenant_calendar(session, tenant))
    assert (event["STATUS"], int(event["SEQUENCE"])) == ("CONFIRMED", 1)
    assert event.decoded("DTSTART") == local(TUESDAY, 8)
    again = confirm_tenant_visit(session, tenant, ConfirmVisit(), osm=planning_osm, now=NOW)
    assert again.version == visit.version  # confirming twice changes nothing
    told = session.scalars(
        select(m.Notification.kind).where(m.Notification.apartment_id == world.flats[0])
    ).all()
    assert told == ["confirmation"]  # in the outbox once, sent after the commit


def test_choosing_another_offered_window_moves_the_job_and_updates_the_calendar(
    session, world, planning_osm
):
    tenant = _tenant(session, world)
    confirm_tenant_visit(session, tenant, ConfirmVisit(), osm=planning_osm, now=NOW)
    first = _event(tenant_calendar(session, tenant))
    offers = tenant_offers(session, tenant, osm=planning_osm, limit=50, now=NOW)
    other = next(o for o in offers if o.window_start != local(TUESDAY, 8))
    visit = choose_tenant_time(
        session, tenant, ChooseTime(other.window_start), osm=planning_osm, now=NOW
    )
    assert (visit.state, visit.window_start, visit.day) == (
        HomeState.CONFIRMED,
        other.window_start,
        other.day,
    )
    appointment = _appointment(session, world.homes[0])
    assert _utc(appointment.window_start) == other.window_start
    job = session.get(m.Job, appointment.job_id)
    assert job.due_on == other.day
    assert len(_visits(session, world.homes[0])) == 1  # moved, not booked twice
    moved = _event(tenant_calendar(session, tenant))
    assert moved["UID"] == first["UID"]
    assert int(moved["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert moved.decoded("DTSTART") == other.window_start


@pytest.mark.parametrize(
    "start",
    [
        lambda: local(TUESDAY, 7),  # before the shift
        lambda: local(TUESDAY, 10, 30),  # off the two-hour grid
        lambda: local(TUESDAY + timedelta(days=5), 8),  # a Sunday: nobody works
        lambda: local(TUESDAY + timedelta(days=60), 8),  # after the campaign's deadline
        lambda: datetime.now(UTC) - timedelta(days=1),  # in the past
    ],
)
def test_a_window_no_crew_offers_is_refused_with_a_typed_error(session, world, planning_osm, start):
    tenant = _tenant(session, world, 1)
    before = tenant_visit(session, tenant)
    with pytest.raises(WindowNotOfferedError) as refused:
        choose_tenant_time(session, tenant, ChooseTime(start()), osm=planning_osm, now=NOW)
    assert refused.value.code == "WINDOW_NOT_OFFERED"
    assert tenant_visit(session, tenant) == before
    assert _visits(session, world.homes[1]) == []


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, world, planning_osm):
    tenant = _tenant(session, world)
    version = tenant_visit(session, tenant).version
    set_tenant_access(session, tenant, SetAccess(AccessChoice.HOME, version))
    confirm_tenant_visit(session, tenant, ConfirmVisit(version), osm=planning_osm, now=NOW)
    with pytest.raises(ConflictError):
        cancel_tenant_visit(session, tenant, CancelVisit(version))
    assert tenant_visit(session, tenant).state is HomeState.CONFIRMED


def test_the_tenant_says_how_to_get_in(session, world):
    tenant = _tenant(session, world)
    visit = set_tenant_access(session, tenant, SetAccess(AccessChoice.CARETAKER_KEY))
    assert visit.access is AccessChoice.CARETAKER_KEY
    assert tenant_visit(session, tenant).access is AccessChoice.CARETAKER_KEY


def test_cancelling_withdraws_the_job_and_cancels_the_calendar_entry(session, world, planning_osm):
    tenant = _tenant(session, world)
    confirm_tenant_visit(session, tenant, ConfirmVisit(), osm=planning_osm, now=NOW)
    appointment = _appointment(session, world.homes[0])
    visit = cancel_tenant_visit(session, tenant, CancelVisit())
    assert (visit.state, visit.window_start) == (HomeState.PENDING, None)
    session.refresh(appointment)
    assert appointment.status == "cancelled"
    assert session.get(m.Job, appointment.job_id).status == "cancelled"
    assert _visits(session, world.homes[0]) == []
    ics = Calendar.from_ical(tenant_calendar(session, tenant))
    event = _event(tenant_calendar(session, tenant))
    assert (str(ics["METHOD"]), event["STATUS"], int(event["SEQUENCE"])) == (
        "CANCEL",
        "CANCELLED",
        2,
    )
    assert event.decoded("DTSTART") == local(TUESDAY, 8)  # the window that was cancelled


def test_a_visit_never_confirmed_has_no_calendar_file(session, world):
    with pytest.raises(NotFoundError):
        tenant_calendar(session, _tenant(session, world, 2))


def test_staff_cannot_use_the_tenant_operations(session, world):
    with pytest.raises(PermissionDeniedError):
        tenant_visit(session, ADMIN)
    with pytest.raises(PermissionDeniedError):
        set_tenant_access(session, world.planner, SetAccess(AccessChoice.HOME))


# --- helpers -------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _visits(session, home_id: int) -> list[m.CampaignVisit]:
    return list(
        session.scalars(select(m.CampaignVisit).where(m.CampaignVisit.campaign_home_id == home_id))
    )


def _appointment(session, home_id: int) -> m.Appointment:
    [visit] = _visits(session, home_id)
    return session.scalar(select(m.Appointment).where(m.Appointment.job_id == visit.job_id))


def _event(ics: bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event
