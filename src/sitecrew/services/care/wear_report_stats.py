"""The wear report's numbers: pure functions of the rows (:mod:`.wear_report_rows`).

Definitions, chosen so that each number is one SQL count away from the data:

- *pieces in service*: pieces installed on or before the period's end (or with no known date);
- *piece-years*: each piece's days in service within the period (from the later of the period's
  start and its installation, to the period's end, both days counted) over 365.25;
- *inspections* and *grades*: the inspections dated in the period and the grade each derived;
  a grade's share is its count over the period's inspections (TGIU included, as its own share);
- *failures*: the coded repairs dated in the period, per piece-year, by part and failure mode;
- *time to first repair*: Kaplan-Meier over the pieces with a known installation date, from
  installation to the first repair (coded, or ``repaired``/``replaced_part`` in the history), a
  piece without one censored at the period's end (lifelines' estimator and its 95 % band);
- *oil intervals*: the days between a piece's consecutive oilings where the later one lies in
  the period, against the oiling plan in force for its model in its region;
- *worst sites*: failures per piece-year, then the share of inspections at TG2-TG3.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from statistics import mean, median
from typing import TYPE_CHECKING

from sitecrew.domain.condition import ConditionGrade

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sitecrew.services.care.wear_report_rows import PieceRow, Scope, WearRows

DAYS_PER_YEAR = 365.25
#: Age bands (whole years at the period's end, lower bound inclusive).
AGE_BANDS = ((0, "0-2 years"), (3, "3-5 years"), (6, "6-9 years"), (10, "10+ years"))
UNKNOWN_AGE = "unknown age"
NO_DISTRICT = "no district"
WORST_SITES = 10
POOR_GRADES = frozenset({ConditionGrade.TG2.value, ConditionGrade.TG3.value})
GRADES = tuple(ConditionGrade)


class WearGroupBy(StrEnum):
    """What a wear report splits its pieces by."""

    MODEL = "model"
    MATERIAL = "material"
    SITE_KIND = "site_kind"
    AGE_BAND = "age_band"
    DISTRICT = "district"


@dataclass(frozen=True)
class GradeCount:
    """How many of the period's inspections gave a grade, and their share."""

    grade: ConditionGrade
    count: int
    share: float


@dataclass(frozen=True)
class WearGroup:
    """The numbers of one group of pieces (or of all of them)."""

    key: str
    pieces: int
    piece_years: float
    inspections: int
    grades: tuple[GradeCount, ...]
    failures: int
    failures_per_piece_year: float | None
    median_days_to_first_repair: float | None


@dataclass(frozen=True)
class FailureRate:
    """Coded repairs of one part and failure mode in the period, per piece-year."""

    part: str
    mode: str
    failures: int
    per_piece_year: float | None


@dataclass(frozen=True)
class SurvivalPoint:
    """The Kaplan-Meier estimate at ``days`` since installation, with its 95 % band."""

    days: float
    survival: float
    lower: float
    upper: float
    at_risk: int


@dataclass(frozen=True)
class Survival:
    """Time to first repair: pieces followed, repairs seen, the curve and its median."""

    pieces: int
    events: int
    median_days: float | None
    points: tuple[SurvivalPoint, ...]


@dataclass(frozen=True)
class OilIntervals:
    """Oil intervals achieved in the period against the planned ones."""

    intervals: tuple[tuple[int, int], ...]  # (achieved days, planned days), in order
    median_days: float | None
    mean_days: float | None
    planned_days: float | None  # median of the planned days of those intervals
    within_plan_share: float | None


@dataclass(frozen=True)
class SiteWear:
    """One site's wear in the period."""

    site_id: int
    name: str
    kind: str
    district: str | None
    pieces: int
    piece_years: float
    inspections: int
    poor_share: float | None  # inspections at TG2-TG3 over investigated ones
    failures: int
    failures_per_piece_year: float | None


@dataclass(frozen=True)
class WearReport:
    """Everything the GraphQL aggregates, the CSV and the HTML report show."""

    start: date
    end: date
    group_by: WearGroupBy
    model_id: int | None
    model: str | None
    region_id: int | None
    total: WearGroup
    groups: tuple[WearGroup, ...]
    failures: tuple[FailureRate, ...]
    survival: Survival
    oil: OilIntervals
    worst_sites: tuple[SiteWear, ...]


def build_report(
    rows: WearRows, scope: Scope, group_by: WearGroupBy, model: str | None
) -> WearReport:
    """Aggregate ``rows`` into the report of ``scope`` split by ``group_by``."""
    key_of = group_key(group_by, scope.end)
    split: dict[str, list[PieceRow]] = defaultdict(list)
    for piece in rows.pieces:
        split[key_of(piece)].append(piece)
    total = _group("all", rows.pieces, rows, scope)
    groups = tuple(_group(key, split[key], rows, scope) for key in sorted(split))
    return WearReport(
        start=scope.start,
        end=scope.end,
        group_by=group_by,
        model_id=scope.model_id,
        model=model,
        region_id=scope.region_id,
        total=total,
        groups=groups,
        failures=failure_rates(rows, total.piece_years),
        survival=survival(rows.pieces, rows.first_repairs, scope.end),
        oil=oil_intervals(rows, scope),
        worst_sites=worst_sites(rows, scope),
    )


def group_key(group_by: WearGroupBy, end: date) -> Callable[[PieceRow], str]:
    """Return the function naming a piece's group."""
    if group_by is WearGroupBy.MODEL:
        return lambda piece: piece.model
    if group_by is WearGroupBy.MATERIAL:
        return lambda piece: piece.material
    if group_by is WearGroupBy.SITE_KIND:
        return lambda piece: piece.site_kind
    if group_by is WearGroupBy.DISTRICT:
        return lambda piece: piece.district or NO_DISTRICT
    return lambda piece: age_band(piece.installed_on, end)


def age_band(installed_on: date | None, end: date) -> str:
    """Return the age band of a piece installed on ``installed_on`` at ``end``."""
    if installed_on is None:
        return UNKNOWN_AGE
    years = (end - installed_on).days / DAYS_PER_YEAR
    return [label for low, label in AGE_BANDS if years >= low][-1]


def piece_years(pieces: Iterable[PieceRow], scope: Scope) -> float:
    """Return the pieces' years in service within the scope's period."""
    days = 0
    for piece in pieces:
        start = scope.start if piece.installed_on is None else max(scope.start, piece.installed_on)
        days += max(0, (scope.end - start).days + 1)
    return days / DAYS_PER_YEAR


def _rate(count: int, years: float) -> float | None:
    return None if years <= 0 else count / years


def grade_counts(grades: Iterable[str]) -> tuple[GradeCount, ...]:
    """Return the count and share of each grade (TG0..TG3, TGIU) among ``grades``."""
    counted = Counter(grades)
    total = sum(counted.values())
    return tuple(
        GradeCount(grade, counted[grade.value], counted[grade.value] / total if total else 0.0)
        for grade in GRADES
    )


def _group(key: str, pieces: list[PieceRow], rows: WearRows, scope: Scope) -> WearGroup:
    ids = {piece.id for piece in pieces}
    grades = [grade for item, _, grade in rows.inspections if item in ids]
    failures = sum(1 for repair in rows.repairs if repair.furniture_id in ids)
    years = piece_years(pieces, scope)
    return WearGroup(
        key=key,
        pieces=len(pieces),
        piece_years=years,
        inspections=len(grades),
        grades=grade_counts(grades),
        failures=failures,
        failures_per_piece_year=_rate(failures, years),
        median_days_to_first_repair=survival(pieces, rows.first_repairs, scope.end).median_days,
    )


def failure_rates(rows: WearRows, years: float) -> tuple[FailureRate, ...]:
    """Return the period's coded repairs per part and mode, most frequent first."""
    counted = Counter((repair.part, repair.mode) for repair in rows.repairs)
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return tuple(FailureRate(part, mode, n, _rate(n, years)) for (part, mode), n in ordered)


def survival(pieces: Iterable[PieceRow], first_repairs: dict[int, date], end: date) -> Survival:
    """Fit Kaplan-Meier to the time from installation to the first repair (censored at ``end``)."""
    durations: list[int] = []
    events: list[bool] = []
    for piece in pieces:
        if piece.installed_on is None or piece.installed_on > end:
            continue
        repaired = first_repairs.get(piece.id)
        stop = repaired if repaired is not None else end
        durations.append(max(0, (stop - piece.installed_on).days))
        events.append(repaired is not None)
    if not durations:
        return Survival(0, 0, None, ())
    from lifelines import KaplanMeierFitter  # noqa: PLC0415 (pandas: loaded when fitting)

    fitter = KaplanMeierFitter().fit(durations, event_observed=events)
    curve = fitter.survival_function_.iloc[:, 0]
    band = fitter.confidence_interval_
    at_risk = fitter.event_table["at_risk"]
    points = tuple(
        SurvivalPoint(
            days=float(day),
            survival=float(curve.loc[day]),
            lower=float(band.iloc[index, 0]),
            upper=float(band.iloc[index, 1]),
            at_risk=int(at_risk.loc[day]),
        )
        for index, day in enumerate(curve.index)
    )
    median_days = float(fitter.median_survival_time_)
    return Survival(
        pieces=len(durations),
        events=sum(events),
        median_days=median_days if math.isfinite(median_days) else None,
        points=points,
    )


def oil_intervals(rows: WearRows, scope: Scope) -> OilIntervals:
    """Return the oil intervals that ended in the period, with the planned ones."""
    pieces = {piece.id: piece for piece in rows.pieces}
    pairs: list[tuple[int, int]] = []
    for item, days in rows.oilings.items():
        piece = pieces[item]
        plan = rows.oil_plans[piece.region_id, piece.model_id]
        for before, after in itertools.pairwise(days):
            if scope.start <= after <= scope.end:
                pairs.append(((after - before).days, plan.planned_days(before)))
    if not pairs:
        return OilIntervals((), None, None, None, None)
    achieved = [a for a, _ in pairs]
    return OilIntervals(
        intervals=tuple(pairs),
        median_days=float(median(achieved)),
        mean_days=float(mean(achieved)),
        planned_days=float(median(p for _, p in pairs)),
        within_plan_share=sum(1 for a, p in pairs if a <= p) / len(pairs),
    )


def worst_sites(rows: WearRows, scope: Scope, limit: int = WORST_SITES) -> tuple[SiteWear, ...]:
    """Return the sites with the most failures per piece-year, then the most poor grades."""
    by_site: dict[int, list[PieceRow]] = defaultdict(list)
    for piece in rows.pieces:
        by_site[piece.site_id].append(piece)
    site_of = {piece.id: piece.site_id for piece in rows.pieces}
    failures = Counter(site_of[repair.furniture_id] for repair in rows.repairs)
    graded: dict[int, list[str]] = defaultdict(list)
    for item, _, grade in rows.inspections:
        graded[site_of[item]].append(grade)
    sites = []
    for site_id, pieces in by_site.items():
        first = pieces[0]
        years = piece_years(pieces, scope)
        grades = graded[site_id]
        investigated = [g for g in grades if g != ConditionGrade.TGIU.value]
        poor = sum(1 for g in investigated if g in POOR_GRADES)
        sites.append(
            SiteWear(
                site_id=site_id,
                name=first.site,
                kind=first.site_kind,
                district=first.district,
                pieces=len(pieces),
                piece_years=years,
                inspections=len(grades),
                poor_share=poor / len(investigated) if investigated else None,
                failures=failures[site_id],
                failures_per_piece_year=_rate(failures[site_id], years),
            )
        )
    sites.sort(
        key=lambda s: (
            -(s.failures_per_piece_year or 0.0),
            -(s.poor_share or 0.0),
            -s.failures,
            s.site_id,
        )
    )
    return tuple(site for site in sites if site.failures or site.poor_share)[:limit]
