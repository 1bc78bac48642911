"""Team capacity's pure rules (#17 item 7): occurrences, visits, spreading, rounding, samples."""

from __future__ import annotations

from datetime import date

import pytest

from sitecrew.domain.care import Season
from sitecrew.domain.care_capacity import (
    MonthSupply,
    Visit,
    WorkUnit,
    capacity_rows,
    group_visits,
    occurrences_in_year,
    peak,
    people_needed,
    require_year,
    sample_weeks,
    spread_over,
)
from sitecrew.errors import InvalidInputError

DRY = Season(4, 9)


def _oil(next_on: date, **kw) -> list[date]:
    return occurrences_in_year(next_on, interval_months=12, season=DRY, year=2026, **kw)


def test_a_yearly_oiling_falls_once_in_the_year_inside_the_season():
    """Due in May: May. Due in January: moved to April 1st. Next cycles fall in 2027."""
    assert _oil(date(2026, 5, 10)) == [date(2026, 5, 10)]
    assert _oil(date(2026, 1, 15)) == [date(2026, 4, 1)]
    assert _oil(date(2026, 11, 2)) == []  # waits for April 2027


def test_overdue_work_is_due_when_the_forecast_sees_it():
    """Overdue on January 1st: April (season). Seen in August 2025: done then, next August."""
    assert _oil(date(2025, 6, 1)) == [date(2026, 4, 1)]
    assert _oil(date(2025, 6, 1), today=date(2025, 8, 1)) == [date(2026, 8, 1)]
    # A forecast made within the year counts from January 1st all the same.
    assert _oil(date(2025, 6, 1), today=date(2026, 7, 1)) == [date(2026, 4, 1)]


def test_short_intervals_repeat_and_an_open_job_takes_the_first_cycle():
    """Every four months without a season: three times; the open job's cycle is not counted."""
    every_four = occurrences_in_year(date(2026, 2, 1), interval_months=4, season=None, year=2026)
    assert every_four == [date(2026, 2, 1), date(2026, 6, 1), date(2026, 10, 1)]
    skipped = occurrences_in_year(
        date(2026, 2, 1), interval_months=4, season=None, year=2026, skip_first=True
    )
    assert skipped == [date(2026, 6, 1), date(2026, 10, 1)]


def test_units_at_one_site_in_one_month_are_one_visit_with_setup_once():
    """Two benches at a yard in May: 50 min of work, 10 min setup once, the most people."""
    units = [
        WorkUnit("site:1", "oil", 5, 25, 10, 1),
        WorkUnit("site:1", "oil", 5, 25, 8, 2),
        WorkUnit("site:1", "oil", 6, 25, 10, 1),
        WorkUnit("site:2", "oil", 5, 25, 10, 1),
    ]
    visits = group_visits(units)
    assert [(v.month, v.place) for v in visits] == [(5, "site:1"), (5, "site:2"), (6, "site:1")]
    may = visits[0]
    assert (may.pieces, may.service_minutes, may.setup_minutes, may.people) == (2, 50, 10, 2)
    assert may.service_person_hours == pytest.approx(100 / 60)
    assert may.jobs == 0


def test_a_backlog_job_at_a_site_shares_the_visit_and_its_setup():
    """An oiling job made by hand at a yard where a bench is due: one visit, setup paid once."""
    units = [
        WorkUnit("site:1", "oil", 5, 25, 10, 1),
        WorkUnit("site:1", "oil", 5, 30, 10, 1, backlog=True),
    ]
    [visit] = group_visits(units)
    assert (visit.pieces, visit.jobs, visit.service_minutes) == (1, 1, 55)
    assert visit.backlog_person_hours == pytest.approx(30 / 60)


def test_backlog_spreads_in_proportion_to_working_days():
    """Four jobs over eight days: every second day; no days: January 1st's placeholder."""
    days = [date(2026, 1, n) for n in range(5, 13)]
    assert spread_over(4, days) == [days[0], days[2], days[4], days[6]]
    assert spread_over(2, []) == [date.min, date.min]


@pytest.mark.parametrize(
    ("hours", "per_person", "people"),
    [(0, 150, 0), (1, 150, 1), (150, 150, 1), (150.01, 150, 2), (300, 150, 2), (301, 150, 3)],
)
def test_people_needed_rounds_up_whole_people(hours, per_person, people):
    """A month of 150 hours per person: 150 h is one person, a minute more is two."""
    assert people_needed(hours, per_person) == people


def test_people_needed_is_undefined_when_nobody_works_the_month():
    """Work in a month with no working day cannot be divided among people."""
    with pytest.raises(InvalidInputError):
        people_needed(10, 0)
    visit = Visit("site:1", "oil", 7, 1, 60, 0, 1)
    [july] = [r for r in capacity_rows([visit], [], travel_minutes_per_visit=0) if r.month == 7]
    assert july.people_needed is None


def test_rows_add_travel_per_visit_and_people_and_name_the_peak():
    """Travel is charged per visit times its people; the peak is the month needing most people."""
    visits = [
        Visit("site:1", "oil", 5, 2, 50, 10, 2),
        Visit("site:2", "install", 6, 0, 600, 15, 2, jobs=1, backlog_minutes=600),
    ]
    supply = [MonthSupply(month, 20, 150.0, 280.0, 2) for month in range(1, 13)]
    rows = capacity_rows(visits, supply, travel_minutes_per_visit=6)
    may, june = rows[4], rows[5]
    assert may.needed_hours == pytest.approx((50 + 10) * 2 / 60 + 2 * 6 / 60)
    assert may.travel_hours == pytest.approx(0.2)
    assert june.backlog_hours == pytest.approx(615 * 2 / 60)
    assert june.people_needed == 1
    assert may.gap_hours == pytest.approx(280 - may.needed_hours)
    assert peak(rows) is june
    assert peak(capacity_rows([], supply, travel_minutes_per_visit=0)) is None


def test_sample_weeks_come_from_the_busiest_months():
    """June has the most visits per working day: its middle week is routed first."""
    days = [
        date(2026, m, d) for m in (5, 6) for d in range(1, 29) if date(2026, m, d).weekday() < 5
    ]
    [week] = sample_weeks({5: 20, 6: 40}, days, 1)
    assert {day.month for day in week} == {6}
    assert len(week) == 5
    two = sample_weeks({5: 20, 6: 40}, days, 2)
    assert [w[0].month for w in two] == [6, 5]
    assert sample_weeks({}, days, 3) == []


@pytest.mark.parametrize("year", [1999, 2101, "2026", True])
def test_a_year_outside_the_calendar_is_refused(year):
    """Years are whole numbers from 2000 to 2100."""
    with pytest.raises(InvalidInputError):
        require_year(year)
