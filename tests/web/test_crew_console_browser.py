"""A crew at the door, in Chromium on a phone-sized page: today's stop, how to get in, wear.

The crew's view shows a stop of today's published route with the site's access notes (a crew
reads them only for places it visits today) and sends a wear report on a piece of the site:
a part of the piece's family and its grade, as ``recordInspection`` takes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update
from tests.browser import CHROMIUM_ARGS, chromium, screenshot, serving

from sitecrew.config import DatabaseSettings, Settings
from sitecrew.db import models as m
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token
from sitecrew.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ACCESS = "Gate code 4711, key in the blue box"
LABEL = "console care crew"


@pytest.fixture
def care_stop_today(world_sessions, api_world):
    """A care crew's published route of today with one inspection at a piece of furniture."""
    with world_sessions.begin() as session:
        last_job_before = session.scalar(select(func.max(m.Job.id))) or 0
        region = session.get(m.Region, api_world.region_id)
        today = datetime.now(ZoneInfo(region.timezone)).date()
        crew = session.scalar(
            select(m.Crew).where(m.Crew.name.like("Care team%")).order_by(m.Crew.id)
        )
        piece = session.scalar(select(m.Furniture).order_by(m.Furniture.id))
        site = session.get(m.Site, piece.site_id)
        kept = (site.access_notes, piece.condition_grade, piece.last_maintained_on)
        site.access_notes = ACCESS
        job = m.Job(
            region_id=region.id,
            kind="inspect",
            duration_minutes=20,
            required_skills=[],
            priority=3,
            status="scheduled",
            furniture_id=piece.id,
        )
        route = m.Route(crew_id=crew.id, service_date=today, status="published")
        session.add_all([job, route])
        session.flush()
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
        session.add(
            m.RouteStop(
                route_id=route.id,
                sequence=1,
                kind="job",
                job_id=job.id,
                arrival_at=start,
                departure_at=start + timedelta(minutes=20),
                location=piece.location,
            )
        )
        secret = create_token(session, name=LABEL, role=Role.CREW, crew_id=crew.id)[0]
        ids = {
            "job": job.id,
            "route": route.id,
            "piece": piece.id,
            "site": site.id,
            "last_job_before": last_job_before,
        }
    yield secret, ids
    with world_sessions.begin() as session:
        inspections = select(m.Inspection.id).where(m.Inspection.job_id == ids["job"])
        # A repair the report raised is the test's; an open one it was linked to is the world's.
        repairs = [
            job_id
            for (job_id,) in session.execute(
                select(m.Inspection.repair_job_id).where(m.Inspection.job_id == ids["job"])
            )
            if job_id is not None and job_id > ids["last_job_before"]
        ]
        session.execute(
            delete(m.InspectionComponent).where(
                m.InspectionComponent.inspection_id.in_(inspections)
            )
        )
        session.execute(delete(m.Inspection).where(m.Inspection.job_id == ids["job"]))
        session.execute(
            delete(m.MaintenanceRecord).where(m.MaintenanceRecord.job_id == ids["job"])
        )
        session.execute(delete(m.Job).where(m.Job.id.in_(repairs)))
        session.execute(delete(m.RouteStop).where(m.RouteStop.route_id == ids["route"]))
        session.execute(delete(m.Route).where(m.Route.id == ids["route"]))
        session.execute(delete(m.Job).where(m.Job.id == ids["job"]))
        session.execute(delete(m.ApiToken).where(m.ApiToken.name == LABEL))
        session.execute(update(m.Site).where(m.Site.id == ids["site"]).values(access_notes=kept[0]))
        session.execute(
            update(m.Furniture)
            .where(m.Furniture.id == ids["piece"])
            .values(condition_grade=kept[1], last_maintained_on=kept[2])
        )


def test_a_crew_reads_how_to_get_in_and_reports_wear_on_todays_stop(
    api_world, world_sessions, care_stop_today
):
    """Access notes on today's stop; a wear report lands as an inspection of that piece."""
    from playwright.sync_api import sync_playwright

    secret, ids = care_stop_today
    app = create_app(Settings(database=DatabaseSettings(url=api_world.url)))
    problems: list[str] = []
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=list(CHROMIUM_ARGS))
        # The crew's phone keeps the region's time: "today" is Oslo's today.
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, timezone_id="Europe/Oslo"
        )
        phone = context.new_page()
        phone.set_default_timeout(30_000)
        phone.on("pageerror", lambda error: problems.append(str(error)))
        phone.goto(f"{base}/")
        phone.fill("#token", secret)
        phone.click("#sign-in-button")
        stop = phone.locator(f"li.crew-stop[data-job-id='{ids['job']}']")
        stop.wait_for()
        assert ACCESS in stop.locator(".access").text_content()
        stop.locator("button.wear").click()
        form = stop.locator("form.wear-form")
        form.wait_for()
        assert form.locator("select[name=piece] option").count() >= 1
        assert form.locator("select[name=part] option").count() >= 1
        part = form.locator("select[name=part] option").first.get_attribute("value")
        form.locator("select[name=grade]").select_option("TG1")
        form.locator("input[name=notes]").fill("Slats weathered, no cracks")
        form.locator("button[type=submit]").click()
        phone.wait_for_function(
            "() => document.querySelector('#status').textContent.startsWith('Wear reported')"
        )
        screenshot(phone, "crew-3-wear-reported")
        browser.close()

    with world_sessions() as session:
        inspection = session.scalar(select(m.Inspection).where(m.Inspection.job_id == ids["job"]))
        assert inspection is not None
        assert inspection.furniture_id == int(form_piece(ids))
        assert inspection.notes == "Slats weathered, no cracks"
        parts = session.scalars(
            select(m.WearCode.code)
            .join(m.InspectionComponent, m.InspectionComponent.part_id == m.WearCode.id)
            .where(m.InspectionComponent.inspection_id == inspection.id)
        ).all()
        assert list(parts) == [part]
    assert problems == []


def form_piece(ids: dict[str, int]) -> int:
    """The stop's own piece: the form offers it first (and only) for a job at one piece."""
    return ids["piece"]
