"""The map console as people use it, in Debian's Chromium with no internet.

A planner signs in with a token and sees the layers drawn (read back through MapLibre's own
``queryRenderedFeatures``, not only that a canvas exists), plans a day with its progress coming
over the subscription, reads each crew's route and the jobs left unassigned, and publishes. A
crew then opens its route on a phone-sized page, starts and finishes a stop, and the planner's
open page shows the stop done without a reload. Screenshots of each step are left in
``var/test-artefacts`` (``SITECREW_TEST_ARTEFACTS``).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update
from tests.browser import CHROMIUM_ARGS, chromium, keep_local, screenshot, serving

from sitecrew.config import DatabaseSettings, OsmSettings, Settings
from sitecrew.db import models as m
from sitecrew.domain.access import Role
from sitecrew.domain.public_holidays import holidays_between
from sitecrew.services.access import create_token
from sitecrew.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]


def _working_day_ahead() -> date:
    """A Wednesday three to four weeks ahead that is no Norwegian holiday: crews work it, a
    crew sees it (a crew reads routes of today and later), and no other test plans it."""
    day = datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=21)
    day += timedelta(days=(2 - day.weekday()) % 7)
    while day in holidays_between("NO", [day.year]):
        day += timedelta(days=7)
    return day


DAY = _working_day_ahead()
CREW_LABEL = "console crew"
STREET_LAYERS = ["streets-major", "streets-tertiary", "streets-minor"]
REGISTER_LAYERS = {
    "sites": ["sites-point", "sites-area"],
    "furniture": ["furniture"],
    "apartments": ["apartments"],
    "districts": ["districts-outline"],
}
RENDERED = (
    "layers => window.sitecrew.map.queryRenderedFeatures({layers})"
    ".map(f => ({layer: f.layer.id, props: f.properties}))"
)
MAP_IDLE = (
    "() => window.sitecrew && window.sitecrew.map && window.sitecrew.map.loaded()"
    " && window.sitecrew.map.areTilesLoaded()"
)


@pytest.fixture
def day_in_the_world(world_sessions, api_world):
    """Leave the world as it was: the day's routes and runs go, the jobs get their status back."""
    with world_sessions() as session:
        before = dict(
            session.execute(
                select(m.Job.id, m.Job.status).where(m.Job.region_id == api_world.region_id)
            ).all()
        )

    def crew_token(crew_id: int) -> str:
        with world_sessions.begin() as session:
            return create_token(session, name=CREW_LABEL, role=Role.CREW, crew_id=crew_id)[0]

    yield crew_token
    with world_sessions.begin() as session:
        routes = select(m.Route.id).where(m.Route.service_date == DAY)
        runs = select(m.Route.run_id).where(m.Route.service_date == DAY)
        run_ids = [run for (run,) in session.execute(runs) if run is not None]
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id.in_(routes)))
        session.execute(delete(m.Route).where(m.Route.service_date == DAY))
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.id.in_(run_ids)))
        session.execute(delete(m.ApiToken).where(m.ApiToken.name == CREW_LABEL))
        for status in set(before.values()):
            ids = [job_id for job_id, was in before.items() if was == status]
            session.execute(update(m.Job).where(m.Job.id.in_(ids)).values(status=status))


def _watch(page, base: str, seen: dict) -> None:
    """Record requests to other origins, page errors, console errors and WebSocket frames."""

    keep_local(page, base, seen["outside"])
    page.on("pageerror", lambda error: seen["problems"].append(str(error)))
    page.on(
        "console",
        lambda message: seen["problems"].append(message.text) if message.type == "error" else 0,
    )
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda text: seen["frames"].append(json.loads(text))),
    )


def _sign_in(page, url: str, token: str) -> None:
    page.goto(url)
    page.fill("#token", token)
    page.click("#sign-in-button")
    page.wait_for_selector("#view .map canvas")
    page.wait_for_function(MAP_IDLE, timeout=60_000)


def _rendered(page, layers: list[str]) -> list[dict]:
    return page.evaluate(RENDERED, layers)


def _drawn(page, layers: list[str]) -> list[dict]:
    """Wait until MapLibre has drawn a feature of ``layers``; return what it drew."""
    page.wait_for_function(f"layers => ({RENDERED})(layers).length > 0", arg=layers)
    return _rendered(page, layers)


def _sees_the_layers(planner, base: str, token: str) -> None:
    """Signed in, the map shows the region's streets and the register's layers; a switch works."""
    _sign_in(planner, f"{base}/#view=planner&region=oslo&date={DAY}", token)
    assert planner.text_content("#who").startswith("planner")
    assert _rendered(planner, STREET_LAYERS), "no street drawn"
    for overlay, layers in REGISTER_LAYERS.items():
        assert _rendered(planner, layers), f"no {overlay} drawn"
    grades = {f["props"]["condition_grade"] for f in _rendered(planner, ["furniture"])}
    assert grades <= {0, 1, 2, 3}
    screenshot(planner, "planner-1-layers")
    planner.uncheck("input[data-overlay=furniture]")
    planner.wait_for_function(MAP_IDLE)
    assert _rendered(planner, ["furniture"]) == []
    planner.check("input[data-overlay=furniture]")


def _plans_the_day(planner, seen: dict) -> None:
    """Progress arrives over the subscription, then each crew's route and the unassigned jobs."""
    planner.click("#plan-day")
    planner.wait_for_function("() => !document.querySelector('#publish').disabled", timeout=240_000)
    progress = [
        frame["payload"]["data"]["planningRunProgress"]
        for frame in seen["frames"]
        if frame.get("type") == "next" and "planningRunProgress" in frame["payload"]["data"]
    ]
    assert progress[-1]["status"] == "SUCCEEDED"
    assert planner.evaluate("document.querySelector('#plan-progress').value") == 1
    assert planner.locator(".route-card").count() >= 2, "the day gives several crews a route"
    assert planner.locator(".route-card .route-status").first.text_content() == "draft"
    assert planner.locator("#unassigned li").count() >= 1  # a reason, or "every job has a crew"
    crews_drawn = {f["props"]["crew_id"] for f in _drawn(planner, ["routes-line"])}
    crews_listed = set(
        planner.eval_on_selector_all(".route-card", "cards => cards.map(c => c.dataset.crewId)")
    )
    assert crews_drawn <= crews_listed
    jobs_listed = planner.locator(".route-card li.stop[data-job-id]:not([data-job-id=''])")
    assert planner.locator(".stop-marker").count() == jobs_listed.count()
    screenshot(planner, "planner-2-planned")


def _publishes(planner) -> int:
    """Publish; every card then says published. Return the first crew's id."""
    planner.click("#publish")
    planner.wait_for_function(
        "() => document.querySelector('#status').textContent.startsWith('Published')"
    )
    planner.wait_for_function(
        "() => [...document.querySelectorAll('.route-card .route-status')]"
        ".every(s => s.textContent === 'published')"
    )
    return int(planner.locator(".route-card").first.get_attribute("data-crew-id"))


def _crew_finishes_a_stop(phone, base: str, crew_id: int, token: str) -> str:
    """The crew sees only its route, gets its GPX, starts and finishes its first stop."""
    _sign_in(phone, f"{base}/#view=crew&date={DAY}", token)
    assert phone.evaluate("document.body.dataset.view") == "crew"
    phone.wait_for_selector("li.crew-stop[data-job-id]")
    crews_on_phone = {f["props"]["crew_id"] for f in _drawn(phone, ["routes-line"])}
    assert crews_on_phone == {str(crew_id)}  # its own route, no other crew's
    assert phone.get_attribute("#gpx", "href") == f"routes/{crew_id}/{DAY}.gpx"
    gpx = phone.evaluate(
        "url => fetch(url, {headers: {Authorization: 'Bearer ' +"
        " sessionStorage.getItem('sitecrew.token')}}).then(r => r.text())",
        f"{base}/routes/{crew_id}/{DAY}.gpx",
    )
    assert "<gpx" in gpx
    screenshot(phone, "crew-1-route")
    stop = phone.locator("li.crew-stop[data-job-id]").first
    job_id = stop.get_attribute("data-job-id")
    stop.locator("button[data-action=IN_PROGRESS]").click()
    phone.wait_for_selector(f"li.crew-stop.job-in_progress[data-job-id='{job_id}']")
    phone.locator(f"li.crew-stop[data-job-id='{job_id}'] button[data-action=DONE]").click()
    phone.wait_for_selector(f"li.crew-stop.job-done[data-job-id='{job_id}']")
    screenshot(phone, "crew-2-stop-done")
    return job_id


def test_a_planner_plans_and_publishes_a_day_and_sees_a_crew_finish_a_stop_live(
    api_world, osm_dir, tmp_path, day_in_the_world
):
    """The first hour of a planner and a crew, through the console only, in one browser."""
    from playwright.sync_api import sync_playwright

    osm = OsmSettings(directory=osm_dir, cache_directory=tmp_path / "graphs")
    app = create_app(Settings(database=DatabaseSettings(url=api_world.url), osm=osm))
    seen: dict = {"outside": [], "problems": [], "frames": []}
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=list(CHROMIUM_ARGS))
        planner = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        planner.set_default_timeout(30_000)
        _watch(planner, base, seen)
        _sees_the_layers(planner, base, api_world.tokens["planner"])
        _plans_the_day(planner, seen)
        crew_id = _publishes(planner)

        phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        phone.set_default_timeout(30_000)
        _watch(phone, base, seen)
        job_id = _crew_finishes_a_stop(phone, base, crew_id, day_in_the_world(crew_id))

        # The planner's page, never reloaded, shows the stop done.
        planner.wait_for_selector(f"li.stop.job-done[data-job-id='{job_id}']", timeout=60_000)
        screenshot(planner, "planner-3-stop-done-live")
        browser.close()

    assert seen["outside"] == []
    assert seen["problems"] == []
