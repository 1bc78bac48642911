"""The tenant's page at /t/<token> through Starlette's test client, on both backends.

A committed tenant world (``tests.services.tenant_world``) served by the real app: the page in
Swedish, Norwegian and English, its forms (confirm, choose another offered window, how to get
in, cancel) posted as a browser would, the .ics file following every change, forged and stale
forms refused, and garbled, revoked or missing links answered with a clear 4xx page.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient
from tests.services.tenant_world import ADMIN, LINKS, build_tenant_world

from sitecrew.config import DatabaseSettings, Settings
from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.services.tenant_links import IssueLinks, RevokeLink, issue_links, revoke_link
from sitecrew.web.app import create_app


@pytest.fixture(scope="module")
def served(backend, database_url_factory, planning_osm):
    """The app over a committed tenant world; yields the client, the world and page paths."""
    url = database_url_factory(backend, "tenant_page")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_tenant_world(session)
        links = issue_links(session, ADMIN, IssueLinks(world.campaign_id), links=LINKS, actor="t")
    settings = Settings(database=DatabaseSettings(url=url), osm=planning_osm, tenant_links=LINKS)
    with TestClient(create_app(settings)) as client:
        yield client, world, engine, [link.url.removeprefix(LINKS.base_url) for link in links]
    engine.dispose()


@pytest.fixture(scope="module")
def planning_osm(osm_dir, tmp_path_factory):
    from sitecrew.config import OsmSettings

    return OsmSettings(directory=osm_dir, cache_directory=tmp_path_factory.mktemp("page-graphs"))


def _form(html: str, action: str) -> dict[str, str]:
    """Return the hidden fields of the page's form posting to ``.../action``."""
    block = re.search(rf'<form method="post" action="[^"]*/{action}">(.*?)</form>', html, re.DOTALL)
    assert block, f"no {action} form"
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', block.group(1))
    return {name: unescape(value) for name, value in fields}


def _windows(html: str) -> list[str]:
    return [unescape(v) for v in re.findall(r'name="window" value="([^"]+)"', html)]


def _event(client, path: str):
    answer = client.get(f"{path}/visit.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.mark.parametrize(
    ("ask", "header", "words"),
    [
        ("?lang=sv", {}, ("Ditt besök", "Ingen tid är bokad", "Hur kommer vi in?")),
        ("?lang=nb", {}, ("Ditt besøk", "Ingen tid er booket", "Hvordan kommer vi inn?")),
        ("?lang=en", {}, ("Your visit", "No time is booked", "How do we get in?")),
        ("", {"Accept-Language": "nn-NO, en;q=0.5"}, ("Ditt besøk",)),
        ("", {"Accept-Language": "de-DE, sv;q=0.8, en;q=0.7"}, ("Ditt besök",)),
        ("", {"Accept-Language": "fi"}, ("Your visit",)),
        ("?lang=xx", {}, ("Your visit",)),
    ],
)
def test_the_page_speaks_the_asked_language_with_a_switch(served, ask, header, words):
    client, _, _, paths = served
    answer = client.get(paths[5] + ask, headers=header)
    assert answer.status_code == 200
    for word in words:
        assert word in answer.text
    for code in ("sv", "nb", "en"):
        assert f'lang="{code}"' in answer.text or f'<html lang="{code}"' in answer.text
    assert "Östgata 7, U05" in answer.text
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "form-action 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
    assert "<script" not in answer.text


def test_a_phone_can_read_it(served):
    client, _, _, paths = served
    page = client.get(paths[5]).text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    css = client.get("/static/tenant.css")
    assert css.status_code == 200


def test_confirm_then_choose_then_cancel_through_the_forms(served):
    client, _, _, paths = served
    path = paths[0]  # the proposed home
    page = client.get(path + "?lang=en").text
    assert "We propose this time" in page
    answer = client.post(f"{path}/confirm", data=_form(page, "confirm"), follow_redirects=False)
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "Thank you, your time is confirmed." in page
    assert "Your visit is booked." in page
    _, first = _event(client, path)
    assert int(first["SEQUENCE"]) == 1
    other = next(w for w in _windows(page) if w != first.decoded("DTSTART").isoformat())
    answer = client.post(
        f"{path}/choose", data={**_form(page, "choose"), "window": other}, follow_redirects=False
    )
    assert answer.status_code == 303
    _, moved = _event(client, path)
    assert (moved["UID"], int(moved["SEQUENCE"])) == (first["UID"], 2)
    assert moved.decoded("DTSTART").isoformat() == other
    page = client.get(path + "?lang=sv").text
    answer = client.post(
        f"{path}/access",
        data={**_form(page, "access"), "access": "master_key"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert 'value="master_key" required checked' in page
    answer = client.post(f"{path}/cancel", data=_form(page, "cancel"), follow_redirects=False)
    assert answer.status_code == 303
    calendar, cancelled = _event(client, path)
    assert (str(calendar["METHOD"]), cancelled["STATUS"]) == ("CANCEL", "CANCELLED")
    assert int(cancelled["SEQUENCE"]) == 3


def test_a_window_not_offered_is_refused_on_the_page(served):
    client, _, _, paths = served
    page = client.get(paths[1] + "?lang=en").text
    fields = {**_form(page, "choose"), "window": "2031-01-01T03:00:00+00:00"}
    answer = client.post(f"{paths[1]}/choose", data=fields)
    assert answer.status_code == 409
    assert "that time has just been taken" in answer.text


def test_a_forged_or_stale_form_changes_nothing(served):
    client, _, _, paths = served
    path = paths[2]
    page = client.get(path + "?lang=en").text
    fields = _form(page, "access")
    forged = {**fields, "nonce": "x" * 43, "access": "home"}
    assert client.post(f"{path}/access", data=forged).status_code == 403
    other_action = {**_form(page, "choose"), "access": "home"}  # a nonce for another form
    assert client.post(f"{path}/access", data=other_action).status_code == 403
    foreign = client.post(
        f"{path}/access",
        data={**fields, "access": "home"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    stale = {**fields, "access": "home", "version": str(int(fields["version"]) - 1)}
    assert client.post(f"{path}/access", data=stale).status_code == 403  # nonce is per version
    assert 'value="home" required checked' not in client.get(path).text


def test_another_tenants_nonce_does_not_work_on_my_link(served):
    client, _, _, paths = served
    theirs = _form(client.get(paths[3]).text, "access")
    answer = client.post(f"{paths[4]}/access", data={**theirs, "access": "home"})
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/t/garbage",
        "/t/sct1.1.1.AAAA",
        "/t/" + "sct1." + "9" * 300,
        "/t/%F0%9F%92%A3",
        "/t/sct1.1.1.AAAA/visit.ics",
    ],
)
def test_a_garbled_link_gets_a_clear_page_not_a_stack_trace(served, path):
    client, _, _, _ = served
    answer = client.get(path + "?lang=en")
    assert 400 <= answer.status_code < 500
    assert "This link does not work" in answer.text
    assert "Traceback" not in answer.text


def test_a_revoked_link_gets_the_same_clear_page(served):
    client, world, engine, paths = served
    with session_factory(engine).begin() as session:
        revoke_link(session, ADMIN, RevokeLink(world.campaign_id, world.flats[6]))
    answer = client.get(paths[6] + "?lang=nb")
    assert answer.status_code == 403
    assert "Lenken virker ikke" in answer.text
    posted = client.post(f"{paths[6]}/cancel", data={"nonce": "x", "version": "1"})
    assert posted.status_code == 403


def test_a_visit_never_confirmed_has_no_calendar_file(served):
    client, _, _, paths = served
    assert client.get(f"{paths[7]}/visit.ics").status_code == 404
