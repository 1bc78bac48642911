"""``sitecrew report wear`` as a real process, and its HTML in a real Chromium (#17 item 5).

The command writes the HTML (and the CSV) of the hand-counted wear world on each backend; the
files are the same on a second run; an unknown model exits 4 with one line. The browser test
opens the written file in Debian's Chromium (the console test's skip rules: skipped locally and
failing under CI when it cannot run), checks that each chart is an SVG with drawn paths, and
that a screenshot of each chart has non-background pixels.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from PIL import Image
from tests.browser import CHROMIUM_ARGS
from tests.browser import chromium as _chromium
from tests.helpers import run_sitecrew
from tests.services.wear_report_world import build_wear_world

from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory

CHARTS = ("chart-grades", "chart-failures", "chart-survival", "chart-oil")


@pytest.fixture(scope="module")
def wear_db(backend, database_url_factory):
    """A committed wear world (see tests/services/wear_report_world.py)."""
    url = database_url_factory(backend, "wear_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_wear_world(session, name="Cli")
    engine.dispose()
    return url, world


def _report(url: str, cwd, *args: str):
    return run_sitecrew(
        "report",
        "wear",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        *args,
        cwd=cwd,
        DATABASE_URL=url,
        COLUMNS="200",
    )


@pytest.fixture(scope="module")
def written(wear_db, tmp_path_factory):
    """The HTML and CSV the command writes for the world's bench in its region."""
    url, world = wear_db
    folder = tmp_path_factory.mktemp("wear")
    done = _report(
        url,
        folder,
        "--model",
        "Cli bench",
        "--region",
        str(world.region_id),
        "--group-by",
        "site_kind",
        "--output",
        "report.html",
        "--csv",
        "report.csv",
    )
    assert done.returncode == 0, done.stderr
    return folder, done


def test_the_command_writes_html_and_csv_with_the_counted_numbers(written, wear_db):
    """Four pieces, five inspections, three failures; the same files again on a second run."""
    folder, done = written
    assert "4 pieces, 5 inspections, 3 failures" in done.stdout
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == len(CHARTS)
    assert "Period 2025-01-01 to 2025-12-31" in html
    rows = list(csv.reader(io.StringIO((folder / "report.csv").read_text(encoding="utf-8"))))
    values = {(r[0], r[1], r[2], r[3]): r[4] for r in rows[1:]}
    assert values["total", "all", "", "pieces"] == "4"
    assert values["total", "all", "TG3", "inspections"] == "1"
    assert values["failures", "", "slats/cracking", "failures"] == "2"
    url, world = wear_db
    again = _report(
        url,
        folder,
        "--model",
        "Cli bench",
        "--region",
        str(world.region_id),
        "--group-by",
        "site_kind",
        "--output",
        "again.html",
        "--csv",
        "again.csv",
    )
    assert again.returncode == 0, again.stderr
    assert (folder / "again.html").read_bytes() == (folder / "report.html").read_bytes()
    assert (folder / "again.csv").read_bytes() == (folder / "report.csv").read_bytes()


def test_an_unknown_model_exits_non_zero_with_one_line(wear_db, tmp_path):
    url, _ = wear_db
    done = _report(url, tmp_path, "--model", "No such bench", "--output", "x.html")
    assert done.returncode == 4
    assert "no furniture model named 'No such bench'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.html").exists()
    bad = _report(
        url, tmp_path, "--model", "Cli bench", "--group-by", "colour", "--output", "x.html"
    )
    assert bad.returncode == 3
    assert "--group-by" in bad.stderr


def _ink(png: bytes) -> int:
    """Count the pixels that are not the page's white background."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return int((pixels != 255).any(axis=2).sum())


@pytest.mark.browser
def test_the_html_report_renders_its_charts_in_chromium(written):
    """Each chart is an SVG with paths, laid out with a size, and draws ink on a screenshot."""
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    folder, _ = written
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
        page.goto((folder / "report.html").as_uri())
        page.screenshot(path=str(folder / "report.png"), full_page=True)
        for chart in CHARTS:
            paths = page.locator(f"#{chart} svg path").count()
            assert paths > 5, chart
            box = page.locator(f"#{chart} svg").bounding_box()
            assert box is not None, chart
            assert box["width"] > 300, chart
            assert box["height"] > 150, chart
            ink = _ink(page.locator(f"#{chart}").screenshot())
            assert ink > 0.02 * box["width"] * box["height"], (chart, ink)
        browser.close()
    assert outside == []
    assert (folder / "report.png").stat().st_size > 10_000
