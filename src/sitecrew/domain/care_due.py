"""Due care work: items whose next action falls in a horizon, grouped into one visit per site.

Setting up at a site (unloading, laying out cloths, cleaning brushes) costs the same for one
bench as for ten, so the work due at a site is one job per site and action: its duration is the
setup once plus the minutes of each piece. Work is ranked overdue first, by how overdue and then
by the worst condition among its pieces, so what has waited longest and looks worst is planned
first (and, through the job's priority, kept when a day cannot take everything).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sitecrew.domain.care import CarePlan, DueWindow
from sitecrew.domain.jobs import JobKind

if TYPE_CHECKING:
    from sitecrew.domain.crews import Skill

#: Days overdue from which work is urgent (priority 4); from a failed piece (grade 3) on: 5.
LONG_OVERDUE_DAYS = 60
CLEAR_WEAR_GRADE = 2
FAILED_GRADE = 3


@dataclass(frozen=True)
class ItemDue:
    """One piece whose next action falls in the horizon: which cycle, its window, its grade."""

    furniture_id: int
    site_id: int
    plan: CarePlan
    cycle_on: date
    window: DueWindow
    grade: int


@dataclass(frozen=True)
class SiteWork:
    """The work of one action at one site: one job, one visit, every due piece there."""

    site_id: int
    action: str
    job_kind: JobKind
    items: tuple[ItemDue, ...]

    @property
    def due_from(self) -> date:
        """The earliest piece's start: the visit is due when the first piece is."""
        return min(item.window.start for item in self.items)

    @property
    def due_by(self) -> date:
        """The earliest piece's end, so no piece goes past its window."""
        return min(item.window.end for item in self.items)

    @property
    def days_overdue(self) -> int:
        """How overdue the most overdue piece is."""
        return max(item.window.days_overdue for item in self.items)

    @property
    def worst_grade(self) -> int:
        """The worst condition grade among the pieces (NS 3424: 0 as new, 3 failed)."""
        return max(item.grade for item in self.items)

    @property
    def duration_minutes(self) -> int:
        """Setup once (the longest of the plans') plus each piece's minutes."""
        setup = max(item.plan.setup_minutes for item in self.items)
        return setup + sum(item.plan.minutes_per_piece for item in self.items)

    @property
    def required_skills(self) -> frozenset[Skill]:
        """Every skill any of the pieces' plans needs."""
        return frozenset().union(*(item.plan.required_skills for item in self.items))

    @property
    def people(self) -> int:
        """The most people any of the pieces' plans needs."""
        return max(item.plan.people for item in self.items)

    @property
    def priority(self) -> int:
        """The job's value for day planning (1-5): failed pieces and long waits come first."""
        if self.worst_grade >= FAILED_GRADE:
            return 5
        if self.days_overdue >= LONG_OVERDUE_DAYS or self.worst_grade >= CLEAR_WEAR_GRADE:
            return 4
        return 3 if self.days_overdue > 0 else 2


def rank_key(work: SiteWork) -> tuple[int, int, date, int, str]:
    """Sort overdue work first: most overdue, then worst condition, then earliest, then site."""
    return (-work.days_overdue, -work.worst_grade, work.due_from, work.site_id, work.action)


def group_per_site(items: list[ItemDue]) -> list[SiteWork]:
    """Group due pieces into one piece of work per site, action and job kind, ranked.

    Returns
    -------
    list[SiteWork]
        Ranked by :func:`rank_key`; pieces in each ordered by id.
    """
    groups: dict[tuple[int, str, JobKind], list[ItemDue]] = defaultdict(list)
    for item in items:
        groups[item.site_id, item.plan.action, item.plan.job_kind].append(item)
    works = [
        SiteWork(site, action, kind, tuple(sorted(group, key=lambda i: i.furniture_id)))
        for (site, action, kind), group in groups.items()
    ]
    return sorted(works, key=rank_key)
