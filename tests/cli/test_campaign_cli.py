"""``sitecrew campaign``: create, plan, show, forecast, materialise, record, cancel, as a user runs it.

Each test runs the real ``sitecrew`` process against a database of each backend holding the
small campaign world of ``tests.api.campaign_world`` (20 flats in two districts, two crews),
committed once; campaigns and the jobs they made are removed after each test.
"""

from __future__ import annotations

import re
import subprocess  # the CLI is tested as a user runs it: a real process
from datetime import UTC

import pytest
from sqlalchemy import delete, func, select, update
from tests.api.campaign_world import START, build_api_campaign_world
from tests.helpers import run_sitecrew

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory

CREATED = re.compile(r"campaign (\d+) 'Media boxes' created \(draft\): 20 homes, 2 crews")


@pytest.fixture(scope="session")
def campaign_cli_world(backend, database_url_factory):
    """A database of ``backend`` with the campaign world committed; its URL and ids."""
    url = database_url_factory(backend, "sitecrew_test_campaign_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_api_campaign_world(session)
    engine.dispose()
    return url, world


@pytest.fixture
def sitecrew(campaign_cli_world, tmp_path):
    """Run ``sitecrew ARGS`` on the world; campaigns and their jobs are removed afterwards."""
    url, _ = campaign_cli_world

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sitecrew(*args, cwd=tmp_path, DATABASE_URL=url, COLUMNS="200")

    yield run
    engine = engine_from_url(url)
    with session_factory(engine).begin() as session:
        jobs = select(m.CampaignVisit.job_id)
        job_ids = [job for job in session.scalars(jobs) if job is not None]
        session.execute(delete(m.Notification))  # what the campaign told its tenants
        session.execute(delete(m.TenantLink))
        session.execute(delete(m.CampaignVisit))
        session.execute(delete(m.PlanningRun).where(m.PlanningRun.campaign_id.is_not(None)))
        session.execute(delete(m.CampaignHome))
        session.execute(delete(m.CampaignCrew))
        session.execute(delete(m.Campaign))
        session.execute(delete(m.Appointment).where(m.Appointment.job_id.in_(job_ids)))
        session.execute(delete(m.Job).where(m.Job.id.in_(job_ids)))
        session.execute(update(m.Apartment).values(installation_status="not_contacted"))
    engine.dispose()


@pytest.fixture
def world(campaign_cli_world):
    return campaign_cli_world[1]


@pytest.fixture
def rows(campaign_cli_world):
    """Sessions on the world's database, to check what the commands stored."""
    engine = engine_from_url(campaign_cli_world[0])
    yield session_factory(engine)
    engine.dispose()


def _create(sitecrew, world, *extra: str) -> subprocess.CompletedProcess[str]:
    return sitecrew(
        "campaign",
        "create",
        "Media boxes",
        "--region",
        "sweepville",
        "--start",
        START.isoformat(),
        "--deadline",
        "2026-05-29",
        "--crew",
        str(world.own_crew_id),
        "--crew",
        str(world.contractor_crew_id),
        "--district",
        str(world.west_id),
        "--district",
        str(world.east_id),
        "--visits-per-crew-day",
        "6",
        *extra,
    )


def _created(sitecrew, world) -> str:
    made = _create(sitecrew, world)
    assert made.returncode == 0, made.stderr
    match = CREATED.search(made.stdout)
    assert match, made.stdout
    return match.group(1)


def _planned(sitecrew, world) -> str:
    campaign = _created(sitecrew, world)
    planned = sitecrew("campaign", "plan", campaign, "--from", START.isoformat())
    assert planned.returncode == 0, planned.stderr
    return campaign


def test_create_list_plan_and_show_the_burn_down(sitecrew, world):
    campaign = _created(sitecrew, world)
    listed = sitecrew("campaign", "list", "--region", "sweepville")
    assert listed.returncode == 0, listed.stderr
    assert "1 campaigns" in listed.stdout
    assert "Media boxes" in listed.stdout
    assert "draft" in listed.stdout

    planned = sitecrew("campaign", "plan", campaign, "--from", START.isoformat())
    assert planned.returncode == 0, planned.stderr
    placed = re.search(
        r"(\d+) homes placed \(0 kept\), 2026-05-\d\d to 2026-05-\d\d", planned.stdout
    )
    assert placed, planned.stdout
    unplaced = int(re.search(r"; (\d+) unplaced", planned.stdout).group(1))
    assert int(placed.group(1)) + unplaced == 20

    shown = sitecrew("campaign", "show", campaign)
    assert shown.returncode == 0, shown.stderr
    assert "(active, version 2)" in shown.stdout
    assert "burn-down by week" in shown.stdout
    assert "2026-W20" in shown.stdout  # the week of 11 May 2026
    assert "Sweepville West" in shown.stdout
    assert "Sweepville East" in shown.stdout
    assert "by crew" in shown.stdout
    assert "campaign: 0 done, 0 failed visits, 0 escalated, 20 remaining of 20" in shown.stdout


def test_forecast_prints_p50_p90_and_writes_the_chart(sitecrew, world, tmp_path):
    campaign = _planned(sitecrew, world)
    chart = tmp_path / "burndown.svg"
    found = sitecrew(
        "campaign", "forecast", campaign, "--as-of", "2026-05-11", "--chart", str(chart)
    )
    assert found.returncode == 0, found.stderr
    assert re.search(
        r"as of 2026-05-11: 20 homes remaining \(planned\); P50 2026-\d\d-\d\d, P90 2026-\d\d-\d\d",
        found.stdout,
    ), found.stdout
    assert "buildings at risk:" in found.stdout
    assert f"chart written to {chart}" in " ".join(found.stdout.split())
    assert b"<svg" in chart.read_bytes()


def test_materialise_record_an_outcome_and_cancel(sitecrew, world, rows):
    campaign = _planned(sitecrew, world)
    made = sitecrew(
        "campaign", "materialise", campaign, "--date", "2026-05-11", "--until", "2026-05-15"
    )
    assert made.returncode == 0, made.stderr
    jobs = int(re.search(r"(\d+) jobs and \d+ visits over 5 days", made.stdout).group(1))
    with rows() as session:
        visit = session.scalars(select(m.CampaignVisit).order_by(m.CampaignVisit.id)).first()
        assert session.scalar(select(func.count()).select_from(m.CampaignVisit)) == jobs > 0
    start = visit.window_start.replace(tzinfo=visit.window_start.tzinfo or UTC)
    recorded = sitecrew(
        "campaign",
        "outcome",
        str(visit.id),
        "no_show",
        "--started",
        start.isoformat(),
        "--ended",
        start.isoformat(),
        "--notes",
        "nobody home",
    )
    assert recorded.returncode == 0, recorded.stderr
    assert f"visit {visit.id} (attempt 1) recorded: no_show" in recorded.stdout

    cancelled = sitecrew("campaign", "cancel", campaign)
    assert cancelled.returncode == 0, cancelled.stderr
    assert "cancelled" in cancelled.stdout
    with rows() as session:
        open_jobs = session.scalar(
            select(func.count()).where(m.Job.notes.like("%campaign cancelled%"))
        )
        assert open_jobs == jobs - 1  # every job but the one whose visit happened
    again = sitecrew("campaign", "cancel", campaign)
    assert again.returncode == 5
    assert "nothing to cancel" in again.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("campaign", "show", "2147483000"), 4, "no campaign with id 2147483000"),
        (("campaign", "plan", "2147483000", "--from", "2026-05-11"), 4, "no campaign"),
        (("campaign", "plan", "1", "--from", "someday"), 3, "--from"),
        (("campaign", "forecast", "2147483000"), 4, "no campaign"),
        (("campaign", "confirm", "2147483000"), 4, "no campaign home"),
        (("campaign", "cancel", "2147483000"), 4, "no campaign"),
        (
            (
                "campaign",
                "outcome",
                "1",
                "fine",
                "--started",
                "2026-05-11T08:00+02:00",
                "--ended",
                "2026-05-11T08:30+02:00",
            ),
            3,
            "unknown outcome 'fine'",
        ),
        (
            (
                "campaign",
                "outcome",
                "1",
                "done",
                "--started",
                "2026-05-11T08:00",
                "--ended",
                "2026-05-11T08:30",
            ),
            3,
            "needs a UTC offset",
        ),
        (("campaign", "list", "--region", "atlantis"), 4, "unknown region 'atlantis'"),
    ],
)
def test_refusals_exit_non_zero_with_one_clear_line(sitecrew, args, code, message):
    done = sitecrew(*args)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_create_refuses_bad_settings_and_a_second_claim_on_the_homes(sitecrew, world):
    backwards = sitecrew(
        "campaign",
        "create",
        "Backwards",
        "--region",
        "sweepville",
        "--start",
        "2026-06-01",
        "--deadline",
        "2026-05-01",
        "--district",
        str(world.west_id),
    )
    assert backwards.returncode == 3
    assert "lies before the start" in backwards.stderr
    no_scope = sitecrew(
        "campaign",
        "create",
        "Nothing",
        "--region",
        "sweepville",
        "--start",
        "2026-06-01",
        "--deadline",
        "2026-07-01",
    )
    assert no_scope.returncode == 3
    assert "exactly one kind of scope" in no_scope.stderr
    _created(sitecrew, world)
    twice = _create(sitecrew, world, "--minutes-per-home", "25")
    assert twice.returncode == 5
    assert twice.stderr.startswith("error: ")


def test_forecast_refuses_a_chart_format_it_cannot_draw(sitecrew, world, tmp_path):
    campaign = _planned(sitecrew, world)
    refused = sitecrew("campaign", "forecast", campaign, "--chart", str(tmp_path / "chart.gif"))
    assert refused.returncode == 3
    assert "--chart must end in .png or .svg" in refused.stderr
    assert not (tmp_path / "chart.gif").exists()


def test_a_stale_version_is_refused_when_confirming(sitecrew, world, rows):
    campaign = _planned(sitecrew, world)
    with rows() as session:
        home = session.scalars(
            select(m.CampaignHome)
            .where(m.CampaignHome.campaign_id == int(campaign), m.CampaignHome.state == "proposed")
            .order_by(m.CampaignHome.id)
        ).first()
    stale = sitecrew("campaign", "confirm", str(home.id), "--version", str(home.version + 3))
    assert stale.returncode == 5
    assert "reload and retry" in stale.stderr
    confirmed = sitecrew("campaign", "confirm", str(home.id), "--version", str(home.version))
    assert confirmed.returncode == 0, confirmed.stderr
    assert f"home {home.id} confirmed: {home.day}" in confirmed.stdout
