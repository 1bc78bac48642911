"""The burn-down chart: a headless PNG or SVG against the deadline, the same bytes every time."""

from __future__ import annotations

import struct
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from sitecrew.campaigns.burndown import HomeFacts, burndown
from sitecrew.campaigns.chart import burndown_chart
from sitecrew.campaigns.forecast import CapacityDay, forecast_completion
from sitecrew.domain.campaigns import HomeState, VisitOutcome, VisitRecord

if TYPE_CHECKING:
    from pathlib import Path

START = date(2025, 3, 3)
AS_OF = date(2025, 3, 23)
DEADLINE = date(2025, 5, 30)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chart_inputs():
    """200 homes at 8 a weekday: three weeks done (15 crew-days of history), the rest planned."""
    homes, visits = [], []
    day, apartment = START, 0
    while apartment < 200:
        if day.weekday() < 5:
            state = HomeState.DONE if day <= AS_OF else HomeState.PROPOSED
            for _ in range(min(8, 200 - apartment)):
                homes.append(HomeFacts(apartment, apartment // 12, state, planned_day=day))
                if state is HomeState.DONE:
                    visits.append(VisitRecord(day, 1, VisitOutcome.DONE))
                apartment += 1
        day += timedelta(days=1)
    remaining = sum(1 for h in homes if h.remaining)
    future = [AS_OF + timedelta(days=d) for d in range(1, 60)]
    capacity = [CapacityDay(d, 1) for d in future if d.weekday() < 5]
    forecast = forecast_completion(
        remaining, visits, capacity, planned_visits_per_crew_day=8, deadline=DEADLINE
    )
    return burndown(homes, visits), forecast


def draw(**options) -> bytes:
    result, forecast = chart_inputs()
    return burndown_chart(
        result.weeks,
        total_homes=result.campaign.homes,
        deadline=DEADLINE,
        as_of=AS_OF,
        forecast=forecast,
        title="Media box",
        **options,
    )


def test_a_png_file_is_written_by_its_suffix(tmp_path: Path):
    path = tmp_path / "burndown.png"
    data = draw(path=path)
    assert path.read_bytes() == data
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (900, 500)
    assert b"deadline 2025-05-30" in data  # the PNG's description


def test_an_svg_file_shows_the_deadline_the_forecast_and_the_lines(tmp_path: Path):
    path = tmp_path / "burndown.svg"
    text = draw(path=path).decode()
    assert path.read_text() == text
    assert text.lstrip().startswith("<?xml")
    assert "</svg>" in text
    for label in ("deadline 2025-05-30", "actual", "planned", "forecast P50-P90 (history)"):
        assert label in text
    assert "homes remaining" in text


def test_the_same_chart_is_the_same_bytes():
    assert draw(fmt="svg") == draw(fmt="svg")
    assert draw(fmt="png") == draw(fmt="png")
    assert "<dc:date>" not in draw(fmt="svg").decode()


def test_a_chart_without_a_forecast_or_weeks_still_draws():
    data = burndown_chart((), total_homes=0, deadline=DEADLINE, as_of=AS_OF, fmt="svg")
    assert "deadline 2025-05-30" in data.decode()


def test_other_file_types_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        draw(path=tmp_path / "burndown.pdf")
