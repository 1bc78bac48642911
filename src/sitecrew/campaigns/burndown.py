"""Burn-down of a campaign: how many homes are planned, done, failed, remaining and escalated.

Counted per campaign, district, crew and ISO week from two facts the services already keep: where
each home stands (:class:`HomeFacts`) and the visits that ended (:class:`VisitRecord`). Homes are
counted once, in the group of their district and of the crew of their planned or last visit;
*failed* counts visits, not homes (a home that failed twice counts twice), because failed visits
are what eats a crew's days. Every group's rows add up to the campaign's totals (homes without a
district or crew fall into a group whose key is ``None``), so a table of districts or crews never
silently loses homes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sitecrew.domain.campaigns import HomeState, VisitRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence


@dataclass(frozen=True)
class HomeFacts:
    """One home of a campaign as the burn-down and the forecast read it.

    ``crew_id`` is the crew of its planned visit, or of its last visit when none is planned;
    ``planned_day`` likewise (for a DONE or ESCALATED home: the day of its last visit, so done
    homes land in the week they were done). ``attempts`` counts its *failed* visits so far.
    """

    apartment_id: int
    building_id: int
    state: HomeState
    attempts: int = 0
    district_id: int | None = None
    district_name: str = ""
    crew_id: int | None = None
    planned_day: date | None = None

    @property
    def remaining(self) -> bool:
        """Whether the home still needs a visit (not done and not handed to the planner)."""
        return self.state not in {HomeState.DONE, HomeState.ESCALATED}


@dataclass(frozen=True)
class HomeVisit:
    """A finished visit with the home it was in: lets failed visits count in their district.

    Plain :class:`VisitRecord` values do not name their home; those count in the campaign, crew
    and week rows, and in the district row whose key is ``None``.
    """

    apartment_id: int
    record: VisitRecord


class Scope(StrEnum):
    """What a burn-down row counts."""

    CAMPAIGN = "campaign"
    DISTRICT = "district"
    CREW = "crew"


@dataclass(frozen=True)
class BurndownRow:
    """Counts for one campaign, district or crew.

    ``homes`` is every home in the group; ``planned`` those with a day in the plan (done homes
    included: they were planned and visited); ``remaining`` = homes - done - escalated.
    """

    scope: Scope
    key: int | None
    label: str
    homes: int
    planned: int
    done: int
    failed: int
    remaining: int
    escalated: int


@dataclass(frozen=True)
class WeekRow:
    """One ISO week of the campaign.

    ``planned``, ``done``, ``escalated`` count homes whose (planned or last) day falls in the week,
    ``failed`` the failed visits of that week. ``remaining`` is the actual burn-down at the week's
    end (homes not yet done or escalated); ``planned_remaining`` is what the current plan leaves at
    the week's end (homes not planned through this week, so unplanned homes never burn down).
    """

    week: str  # "2025-W07"
    start: date  # its Monday
    planned: int
    done: int
    failed: int
    escalated: int
    remaining: int
    planned_remaining: int

    @property
    def end(self) -> date:
        """The week's Sunday: the day its ``remaining`` counts stand."""
        return self.start + timedelta(days=6)


@dataclass(frozen=True)
class Burndown:
    """The campaign's row, then one row per district, per crew and per week."""

    campaign: BurndownRow
    districts: tuple[BurndownRow, ...]
    crews: tuple[BurndownRow, ...]
    weeks: tuple[WeekRow, ...]


def burndown(
    homes: Sequence[HomeFacts],
    visits: Iterable[VisitRecord | HomeVisit] = (),
    *,
    name: str = "",
) -> Burndown:
    """Count the campaign's burn-down per campaign, district, crew and ISO week."""
    visit_list = [_as_home_visit(v) for v in visits]
    failed = [(apartment, record) for apartment, record in visit_list if record.outcome.failed]
    district_of = {home.apartment_id: home.district_id for home in homes}
    names = {home.district_id: home.district_name for home in homes if home.district_name}
    campaign = _row(Scope.CAMPAIGN, None, name, homes, len(failed))
    districts = _group_rows(
        Scope.DISTRICT,
        homes,
        lambda home: home.district_id,
        [district_of.get(apartment) if apartment is not None else None for apartment, _ in failed],
        lambda key: names.get(key, "") if key is not None else "(no district)",
    )
    crews = _group_rows(
        Scope.CREW,
        homes,
        lambda home: home.crew_id,
        [record.crew_id for _, record in failed],
        lambda key: f"crew {key}" if key is not None else "(no crew)",
    )
    weeks = week_rows(homes, [record for _, record in failed])
    return Burndown(campaign, districts, crews, weeks)


def week_rows(homes: Sequence[HomeFacts], failed: Sequence[VisitRecord]) -> tuple[WeekRow, ...]:
    """Return one row per ISO week from the first to the last day any home or visit names."""
    days = [home.planned_day for home in homes if home.planned_day is not None]
    days += [record.day for record in failed]
    if not days:
        return ()
    planned = _count_by_week(home.planned_day for home in homes if home.planned_day is not None)
    done = _count_by_week(
        home.planned_day for home in homes if home.state is HomeState.DONE and home.planned_day
    )
    escalated = _count_by_week(
        home.planned_day for home in homes if home.state is HomeState.ESCALATED and home.planned_day
    )
    # Escalated homes without a day left the burn-down before the first week.
    gone = sum(1 for h in homes if h.state is HomeState.ESCALATED and h.planned_day is None)
    failures = _count_by_week(record.day for record in failed)
    rows = []
    monday, last = week_start(min(days)), week_start(max(days))
    burnt = planned_so_far = 0
    while monday <= last:
        burnt += done[monday] + escalated[monday]
        planned_so_far += planned[monday]
        rows.append(
            WeekRow(
                week=iso_week(monday),
                start=monday,
                planned=planned[monday],
                done=done[monday],
                failed=failures[monday],
                escalated=escalated[monday],
                remaining=len(homes) - burnt - gone,
                planned_remaining=len(homes) - planned_so_far,
            )
        )
        monday += timedelta(days=7)
    return tuple(rows)


def week_start(day: date) -> date:
    """Return the Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> str:
    """Return ``day``'s ISO week as ``YYYY-Www`` (the ISO year: 2024-12-30 is 2025-W01)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _as_home_visit(visit: VisitRecord | HomeVisit) -> tuple[int | None, VisitRecord]:
    if isinstance(visit, HomeVisit):
        return visit.apartment_id, visit.record
    return None, visit


def _count_by_week(days: Iterable[date | None]) -> defaultdict[date, int]:
    counts: defaultdict[date, int] = defaultdict(int)
    for day in days:
        if day is not None:
            counts[week_start(day)] += 1
    return counts


def _row(
    scope: Scope, key: int | None, label: str, homes: Sequence[HomeFacts], failed: int
) -> BurndownRow:
    done = sum(1 for home in homes if home.state is HomeState.DONE)
    escalated = sum(1 for home in homes if home.state is HomeState.ESCALATED)
    return BurndownRow(
        scope=scope,
        key=key,
        label=label,
        homes=len(homes),
        planned=sum(1 for home in homes if home.planned_day is not None),
        done=done,
        failed=failed,
        remaining=len(homes) - done - escalated,
        escalated=escalated,
    )


def _group_rows(
    scope: Scope,
    homes: Sequence[HomeFacts],
    key_of: Callable[[HomeFacts], int | None],
    failed_keys: Sequence[int | None],
    label_of: Callable[[int | None], str],
) -> tuple[BurndownRow, ...]:
    """One row per key among the homes and the failed visits, keys in order (``None`` last)."""
    members: defaultdict[int | None, list[HomeFacts]] = defaultdict(list)
    for home in homes:
        members[key_of(home)].append(home)
    failures: defaultdict[int | None, int] = defaultdict(int)
    for key in failed_keys:
        failures[key] += 1
    keys = sorted(set(members) | set(failures), key=lambda k: (k is None, k or 0))
    return tuple(_row(scope, key, label_of(key), members[key], failures[key]) for key in keys)
