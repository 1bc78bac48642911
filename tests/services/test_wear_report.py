"""The wear report (#17 item 5): its numbers against direct SQL counts and a hand-fitted KM curve.

Every number is checked twice: against what the world's docstring says by hand, and against a
plain SQL count over the same tables, so that the report's definitions and the data agree.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Date, bindparam, text
from tests.services.wear_report_world import END, START, build_wear_world

from sitecrew.domain.access import Principal, Role
from sitecrew.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services.care.wear_report import WearReportQuery, wear_report, wear_report_csv
from sitecrew.services.care.wear_report_html import wear_report_html
from sitecrew.services.care.wear_report_stats import WearGroupBy

ADMIN = Principal(Role.ADMIN)
IN_SCOPE = """
    FROM furniture f JOIN sites s ON s.id = f.site_id
    WHERE f.model_id = :model AND s.region_id = :region
      AND (f.installed_on IS NULL OR f.installed_on <= :end)
"""


def _sql(session, sql: str, world, **extra):
    dates = [bindparam(name, type_=Date) for name in ("start", "end") if f":{name}" in sql]
    values = {"model": world.model_id, "region": world.region_id, **extra}
    values |= {"start": START, "end": END}
    used = {k: v for k, v in values.items() if f":{k}" in sql}
    return session.execute(text(sql).bindparams(*dates), used).all()


def _report(session, world, principal=None, **changes):
    values = {"model_id": world.model_id, "region_id": world.region_id, **changes}
    return wear_report(session, principal or world.planner, WearReportQuery(START, END, **values))


def test_the_numbers_match_direct_sql_counts_when_reported(session):
    """Pieces, inspections, grade shares and failures per piece-year equal plain SQL counts."""
    world = build_wear_world(session)
    report = _report(session, world)
    total = report.total

    [(pieces,)] = _sql(session, f"SELECT count(*) {IN_SCOPE}", world)
    installed = [  # SQLite hands dates over as text
        date.fromisoformat(str(row[0]))
        for row in _sql(session, f"SELECT f.installed_on {IN_SCOPE}", world)
    ]
    grades = dict(
        _sql(
            session,
            "SELECT i.grade, count(*) FROM care_inspections i WHERE i.furniture_id IN "  # noqa: S608
            f"(SELECT f.id {IN_SCOPE}) AND i.inspected_on BETWEEN :start AND :end "
            "GROUP BY i.grade",
            world,
        )
    )
    [(failures,)] = _sql(
        session,
        "SELECT count(*) FROM care_repairs r WHERE r.furniture_id IN "  # noqa: S608
        f"(SELECT f.id {IN_SCOPE}) AND r.performed_on BETWEEN :start AND :end",
        world,
    )
    days = sum((END - max(START, day)).days + 1 for day in installed)

    assert (pieces, total.pieces) == (4, 4)  # P5 is installed after the period
    assert total.inspections == sum(grades.values()) == 5
    for grade in total.grades:
        assert grade.count == grades.get(grade.grade.value, 0)
        assert grade.share == pytest.approx(grades.get(grade.grade.value, 0) / 5)
    assert (failures, total.failures) == (3, 3)
    assert total.piece_years == pytest.approx(days / 365.25) == pytest.approx(1460 / 365.25)
    assert total.failures_per_piece_year == pytest.approx(3 / (1460 / 365.25))
    rates = {(r.part, r.mode): (r.failures, r.per_piece_year) for r in report.failures}
    assert rates == {
        ("slats", "cracking"): (2, pytest.approx(2 / (1460 / 365.25))),
        ("fixings", "loose"): (1, pytest.approx(1 / (1460 / 365.25))),
    }


def test_groups_split_the_pieces_by_site_kind_district_and_age(session):
    """Each grouping partitions the four pieces; counts per group follow the docstring."""
    world = build_wear_world(session)
    by_kind = {g.key: g for g in _report(session, world, group_by=WearGroupBy.SITE_KIND).groups}
    assert {k: (g.pieces, g.inspections, g.failures) for k, g in by_kind.items()} == {
        "housing_cooperative": (2, 3, 2),
        "schoolyard": (2, 2, 1),
    }
    [(coop_failures,)] = _sql(
        session,
        "SELECT count(*) FROM care_repairs r JOIN furniture f ON f.id = r.furniture_id "
        "JOIN sites s ON s.id = f.site_id WHERE f.model_id = :model AND s.kind = :kind "
        "AND r.performed_on BETWEEN :start AND :end",
        world,
        kind="housing_cooperative",
    )
    assert by_kind["housing_cooperative"].failures == coop_failures
    by_district = _report(session, world, group_by=WearGroupBy.DISTRICT).groups
    assert [(g.key, g.pieces) for g in by_district] == [("Wear district", 2), ("no district", 2)]
    by_age = _report(session, world, group_by=WearGroupBy.AGE_BAND).groups
    assert [(g.key, g.pieces) for g in by_age] == [
        ("0-2 years", 2),
        ("10+ years", 1),
        ("3-5 years", 1),
    ]


def test_the_survival_curve_matches_a_hand_computed_kaplan_meier(session):
    """First repairs after 335 (P3), 1492 (P2, a recorded repair) and 3754 days (P1); P4 censored."""
    world = build_wear_world(session)
    survival = _report(session, world).survival
    assert (date(2025, 6, 1) - date(2024, 7, 1)).days == 335
    assert (date(2024, 4, 1) - date(2020, 3, 1)).days == 1492
    assert (date(2025, 9, 10) - date(2015, 6, 1)).days == 3754
    assert (END - date(2023, 1, 1)).days == 1095
    # At 335 days 4 at risk, 1 repaired: 3/4. P4 leaves (censored) at 1095. At 1492 two at
    # risk, one repaired: 3/4 * 1/2. At 3754 the last one: 0.
    curve = {p.days: (p.survival, p.at_risk) for p in survival.points}
    assert curve == {
        0.0: (1.0, 4),
        335.0: (pytest.approx(0.75), 4),
        1095.0: (pytest.approx(0.75), 3),
        1492.0: (pytest.approx(0.375), 2),
        3754.0: (pytest.approx(0.0), 1),
    }
    assert (survival.pieces, survival.events, survival.median_days) == (4, 3, 1492.0)
    for point in survival.points:
        assert point.lower <= point.survival <= point.upper


def test_oil_intervals_and_worst_sites_follow_the_plan_and_the_failures(session):
    """410 days (late) and 353 days (on time) against a 12-month plan; yard A is worst."""
    world = build_wear_world(session)
    report = _report(session, world)
    oil = report.oil
    assert sorted(oil.intervals) == [(353, 365), (410, 365)]
    assert (oil.median_days, oil.planned_days, oil.within_plan_share) == (381.5, 365.0, 0.5)
    worst = [(s.site_id, s.failures, s.poor_share) for s in report.worst_sites]
    assert worst == [(world.yard_a, 2, pytest.approx(2 / 3)), (world.yard_b, 1, 0.0)]


def test_an_admin_without_a_region_reads_every_region(session):
    """The other region's bench (and its repair) join in; the planter never does."""
    world = build_wear_world(session)
    report = _report(session, world, principal=ADMIN, region_id=None)
    assert (report.total.pieces, report.total.failures) == (5, 4)
    everything = _report(session, world, principal=ADMIN, region_id=None, model_id=None)
    assert {g.key for g in everything.groups} == {"Wear bench", "Wear planter"}


def test_crews_contractors_and_other_planners_are_refused(session):
    """Only admins and the region's planners read the report; unknown models are NOT_FOUND."""
    world = build_wear_world(session)
    for principal in (
        Principal(Role.CREW, crew_id=1),
        Principal(Role.CONTRACTOR, organisation_id=1),
        world.other_planner,
    ):
        with pytest.raises(PermissionDeniedError):
            _report(session, world, principal=principal)
    with pytest.raises(NotFoundError):
        _report(session, world, model_id=987654)
    with pytest.raises(InvalidInputError):
        WearReportQuery(END, START)


def test_the_same_data_give_the_same_files(session):
    """CSV and HTML are byte-for-byte equal across runs and carry no date but the period."""
    world = build_wear_world(session)
    first, second = _report(session, world), _report(session, world)
    assert wear_report_csv(first) == wear_report_csv(second)
    html = wear_report_html(first)
    assert html == wear_report_html(second)
    for external in ('src="http', 'href="http', "<link", "<script", "@import", "<img"):
        assert external not in html  # nothing loaded from elsewhere (xmlns names are no loads)
    assert re.search(r"url\((?!#)", html) is None  # only the SVGs' own clip paths
    assert html.count("<svg") == 4
    assert datetime.now(UTC).date().isoformat() not in html
    assert "total,all,,pieces,4\n" in wear_report_csv(first)
