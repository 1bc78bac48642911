"""``sitecrew expand report`` as a real process, and its HTML in a real Chromium (#18 item 5).

A k=2 scenario is computed on the Grünerløkka clip through the service calls (committed on each
backend); the command writes its report, refuses an unknown id (exit 4) and an unfinished
scenario (exit 3) with one line and no file. The browser test opens the written file in
Debian's Chromium as the wear report's test does (skipped locally and failing under CI when it
cannot run), lets no request leave the file, takes a screenshot, and checks the map: street
paths, two depot markers, sites in at least two colours, an isochrone.
"""

from __future__ import annotations

import pytest
import shapely
from tests.browser import CHROMIUM_ARGS
from tests.browser import chromium as _chromium
from tests.helpers import run_sitecrew
from tests.services.test_expansion_report import external_addresses

from sitecrew.config import OsmSettings
from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.organisations import Region
from sitecrew.services import organisations
from sitecrew.services.expansion.report_html import OSM_COPYRIGHT
from sitecrew.services.expansion.scenario_input import ScenarioInput
from sitecrew.services.expansion.scenario_run import execute_scenario
from sitecrew.services.expansion.scenarios import create_scenario

ADMIN = Principal(Role.ADMIN)


@pytest.fixture(scope="module")
def report_cache(tmp_path_factory):
    """A street-graph cache the test process and the command share."""
    return tmp_path_factory.mktemp("report-graphs")


@pytest.fixture(scope="module")
def scenario_db(backend, database_url_factory, osm_dir, report_cache):
    """A committed database with a finished k=2 scenario and a queued one: (url, ids)."""
    url = database_url_factory(backend, "expansion_report_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    osm = OsmSettings(directory=osm_dir, cache_directory=report_cache)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        organisations.create_region(
            session,
            Region(
                "Cli Løkka",
                shapely.box(10.745, 59.917, 10.778, 59.936),
                street_region="oslo-grunerlokka",
                slug="cli-lokka",
            ),
        )
        questions = [
            ScenarioInput(
                name=name,
                region="cli-lokka",
                k=2,
                rates={"sample_days": 1, "solver_seconds": 0.3},
                candidates=8,
                site_kinds=("school", "residential"),
            )
            for name in ("two depots", "still queued")
        ]
        finished, queued = (create_scenario(session, ADMIN, q, osm=osm).id for q in questions)
    execute_scenario(sessions, finished, osm)
    engine.dispose()
    return url, finished, queued


def _report(scenario_db, report_cache, cwd, *ids: int):
    url = scenario_db[0]
    return run_sitecrew(
        "expand",
        "report",
        *(str(i) for i in ids),
        "--output",
        "report.html",
        cwd=cwd,
        DATABASE_URL=url,
        SITECREW_CACHE_DIR=str(report_cache),
        COLUMNS="200",
    )


@pytest.fixture(scope="module")
def written(scenario_db, report_cache, tmp_path_factory):
    """The folder holding the report the command wrote for the finished scenario."""
    folder = tmp_path_factory.mktemp("expansion-report")
    done = _report(scenario_db, report_cache, folder, scenario_db[1])
    assert done.returncode == 0, done.stderr
    assert "wrote report.html (1 scenario(s))" in done.stdout
    return folder


def test_the_command_writes_a_self_contained_report(written, scenario_db):
    html = (written / "report.html").read_text(encoding="utf-8")
    assert f"#{scenario_db[1]} two depots" in html
    assert html.count("<svg") == 1
    assert external_addresses(html) == [OSM_COPYRIGHT]


def test_an_unknown_id_exits_4_and_an_unfinished_scenario_exits_3(
    scenario_db, report_cache, tmp_path
):
    _, finished, queued = scenario_db
    unknown = _report(scenario_db, report_cache, tmp_path, finished, 987654)
    assert unknown.returncode == 4
    assert unknown.stderr.strip() == "error: no expansion scenario 987654"
    unfinished = _report(scenario_db, report_cache, tmp_path, finished, queued)
    assert unfinished.returncode == 3
    assert f"expansion scenario {queued} is queued" in unfinished.stderr
    assert len(unfinished.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "report.html").exists()


@pytest.mark.browser
def test_the_report_map_renders_in_chromium(written):
    """Streets, two depot markers, sites in two colours or more and an isochrone, on screen."""
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1100, "height": 900})

        def only_the_file(route) -> None:
            if not route.request.url.startswith("file://"):
                outside.append(route.request.url)
                route.abort()
                return
            route.continue_()

        page.route("**/*", only_the_file)
        page.goto((written / "report.html").as_uri())
        page.screenshot(path=str(written / "report.png"), full_page=True)
        svg = page.locator("figure.map svg.scenario-map")
        assert svg.count() == 1
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 600
        assert box["height"] > 400
        assert page.locator("svg .streets path").count() >= 1
        street_length = page.eval_on_selector_all(
            "svg .streets path", "ps => ps.reduce((s, p) => s + p.getTotalLength(), 0)"
        )
        assert street_length > 5 * box["width"]
        assert page.locator("svg .depots .depot rect").count() == 2
        colours = page.eval_on_selector_all(
            "svg .sites circle", "cs => [...new Set(cs.map(c => getComputedStyle(c).fill))]"
        )
        assert len(colours) >= 2
        drawn = page.eval_on_selector_all(
            "svg path.isochrone",
            "ps => ps.map(p => { const b = p.getBBox(); return b.width * b.height; })",
        )
        assert drawn
        assert max(drawn) > 100 * 100
        browser.close()
    assert outside == []
    assert (written / "report.png").stat().st_size > 20_000
