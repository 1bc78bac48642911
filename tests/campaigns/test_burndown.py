"""The campaign's burn-down: planned, done, failed, remaining and escalated homes per group."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date, timedelta

from sitecrew.campaigns.burndown import (
    Burndown,
    BurndownRow,
    HomeFacts,
    HomeVisit,
    Scope,
    burndown,
    iso_week,
)
from sitecrew.domain.campaigns import HomeState, VisitOutcome, VisitRecord

W10 = date(2025, 3, 3)  # Monday of 2025-W10
W11 = W10 + timedelta(days=7)
W12 = W10 + timedelta(days=14)

DONE, FAILED = VisitOutcome.DONE, VisitOutcome.NO_SHOW


def home(
    apartment: int,
    state: HomeState,
    day: date | None,
    *,
    district: int | None = 1,
    crew: int | None = 1,
    attempts: int = 0,
) -> HomeFacts:
    return HomeFacts(
        apartment_id=apartment,
        building_id=apartment // 10,
        state=state,
        attempts=attempts,
        district_id=district,
        district_name={1: "Centrum", 2: "Öster"}.get(district or 0, ""),
        crew_id=crew,
        planned_day=day,
    )


def campaign() -> tuple[list[HomeFacts], list[VisitRecord | HomeVisit]]:
    """Ten homes over two districts and two crews, three weeks."""
    homes = [
        home(10, HomeState.DONE, W10),
        home(11, HomeState.DONE, W10 + timedelta(days=1)),
        home(12, HomeState.DONE, W11, attempts=1),  # failed in W10, done in W11
        home(13, HomeState.CONFIRMED, W12, attempts=1),  # failed in W11, re-visit in W12
        home(14, HomeState.PROPOSED, W12),
        home(20, HomeState.DONE, W10, district=2, crew=2),
        home(21, HomeState.ESCALATED, W11, district=2, crew=2, attempts=3),
        home(22, HomeState.PROPOSED, W12, district=2, crew=2),
        home(23, HomeState.PENDING, None, district=2, crew=None),  # the sweep could not place it
        home(30, HomeState.PENDING, None, district=None, crew=None),
    ]
    visits: list[VisitRecord | HomeVisit] = [
        HomeVisit(10, VisitRecord(W10, 1, DONE)),
        HomeVisit(11, VisitRecord(W10 + timedelta(days=1), 1, DONE)),
        HomeVisit(12, VisitRecord(W10 + timedelta(days=2), 1, FAILED)),
        HomeVisit(12, VisitRecord(W11, 1, DONE)),
        HomeVisit(13, VisitRecord(W11 + timedelta(days=1), 1, VisitOutcome.NO_ACCESS)),
        HomeVisit(20, VisitRecord(W10, 2, DONE)),
        HomeVisit(21, VisitRecord(W10, 2, FAILED)),
        HomeVisit(21, VisitRecord(W10 + timedelta(days=3), 2, VisitOutcome.NEEDS_FOLLOW_UP)),
        VisitRecord(W11, 2, VisitOutcome.REFUSED),  # its home unknown: no district
    ]
    return homes, visits


def counts(row: BurndownRow) -> tuple[int, ...]:
    return (row.homes, row.planned, row.done, row.failed, row.remaining, row.escalated)


def by_key(rows: tuple[BurndownRow, ...]) -> dict[int | None, tuple[int, ...]]:
    return {row.key: counts(row) for row in rows}


def test_the_campaign_row_counts_homes_once_and_failed_visits_each_time():
    result = burndown(*campaign(), name="Media box 2025")
    assert result.campaign.scope is Scope.CAMPAIGN
    assert result.campaign.label == "Media box 2025"
    #                                 homes planned done failed remaining escalated
    assert counts(result.campaign) == (10, 8, 4, 5, 5, 1)


def test_districts_split_the_campaign_and_homes_without_one_stay_visible():
    result = burndown(*campaign())
    assert by_key(result.districts) == {
        1: (5, 5, 3, 2, 2, 0),
        2: (4, 3, 1, 2, 2, 1),
        None: (1, 0, 0, 1, 1, 0),  # the unplaced home, and the failed visit naming no home
    }
    assert [row.label for row in result.districts] == ["Centrum", "Öster", "(no district)"]


def test_crews_count_homes_by_their_planned_or_last_visit_and_failures_by_who_failed():
    result = burndown(*campaign())
    assert by_key(result.crews) == {
        1: (5, 5, 3, 2, 2, 0),
        2: (3, 3, 1, 3, 1, 1),
        None: (2, 0, 0, 0, 2, 0),
    }


def test_every_grouping_adds_up_to_the_campaign_totals():
    result = burndown(*campaign())
    for rows in (result.districts, result.crews):
        totals = tuple(sum(column) for column in zip(*(counts(row) for row in rows), strict=True))
        assert totals == counts(result.campaign)
    weeks = result.weeks
    assert sum(w.planned for w in weeks) == result.campaign.planned
    assert sum(w.done for w in weeks) == result.campaign.done
    assert sum(w.failed for w in weeks) == result.campaign.failed
    assert weeks[-1].remaining == result.campaign.remaining


def test_weeks_burn_down_the_actual_and_the_planned_remaining():
    weeks = burndown(*campaign()).weeks
    assert [w.week for w in weeks] == ["2025-W10", "2025-W11", "2025-W12"]
    assert [w.start for w in weeks] == [W10, W11, W12]
    assert [(w.planned, w.done, w.failed, w.escalated) for w in weeks] == [
        (3, 3, 3, 0),
        (2, 1, 2, 1),
        (3, 0, 0, 0),
    ]
    assert [w.remaining for w in weeks] == [7, 5, 5]
    # The two homes the plan has no day for never burn down on the planned line.
    assert [w.planned_remaining for w in weeks] == [7, 5, 2]
    assert weeks[0].end == W10 + timedelta(days=6)


def test_weeks_run_without_gaps_from_the_first_to_the_last_day():
    homes = [home(1, HomeState.DONE, W10), home(2, HomeState.PROPOSED, W12 + timedelta(days=28))]
    weeks = burndown(homes).weeks
    assert len(weeks) == 7
    assert [w.remaining for w in weeks] == [1] * 7
    assert [w.planned_remaining for w in weeks] == [1] * 6 + [0]


def test_iso_weeks_belong_to_their_iso_year():
    assert iso_week(date(2024, 12, 30)) == "2025-W01"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"


def test_an_empty_campaign_has_zero_rows_not_errors():
    result = burndown([])
    assert result == Burndown(
        campaign=BurndownRow(Scope.CAMPAIGN, None, "", 0, 0, 0, 0, 0, 0),
        districts=(),
        crews=(),
        weeks=(),
    )
    assert astuple(result.campaign)[3:] == (0, 0, 0, 0, 0, 0)
