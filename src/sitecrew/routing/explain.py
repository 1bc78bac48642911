"""Why a job stays unassigned, decided from the problem alone, never from the solver's state.

A dispatcher needs to know what to change: a skill nobody has, a district no crew serves, an
address without street access, a window no crew can reach, a shift too short for the round trip,
or simply too much work for the day. The checks run per crew in that order; a job that at least
one crew could do on its own is only ever unassigned for capacity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sitecrew.domain.plans import UnassignedJob, UnassignedReason
from sitecrew.routing.problem import (
    has_people,
    has_skills,
    in_district,
    is_eligible,
    service_for,
)
from sitecrew.routing.units import unreachable_mask

if TYPE_CHECKING:
    import numpy.typing as npt

    from sitecrew.routing.problem import CrewSpec, JobSpec, RoutingProblem

_PROGRESS = (
    UnassignedReason.UNREACHABLE,
    UnassignedReason.TIME_WINDOW,
    UnassignedReason.SHIFT_LENGTH,
    UnassignedReason.CAPACITY,
)


def travel_seconds(problem: RoutingProblem) -> npt.NDArray[np.float64]:
    """Return the duration matrix as floats with ``inf`` where there is no street path."""
    travel = np.asarray(problem.durations, dtype=np.float64).copy()
    travel[unreachable_mask(travel)] = np.inf
    return travel


def impossible_reason(  # noqa: PLR0911 (one return per rule, in the order it rules crews out)
    problem: RoutingProblem, job: JobSpec, travel: npt.NDArray[np.float64]
) -> UnassignedJob | None:
    """Return why no crew can do ``job`` even as its only job, or ``None`` if one can.

    Parameters
    ----------
    problem
        The routing problem.
    job
        The job to explain.
    travel
        :func:`travel_seconds` of the problem (computed once per solve).

    Returns
    -------
    UnassignedJob or None
        The first reason that rules out every crew, with a human-readable detail.
    """
    if job.location is None:
        return UnassignedJob(job.id, UnassignedReason.UNREACHABLE, "no street near the address")
    if not problem.crews:  # a Sunday, a public holiday: nobody to have the skills
        return UnassignedJob(job.id, UnassignedReason.NO_CREW, "no crew works this day")
    skilled = [c for c in problem.crews if has_skills(job, c) and has_people(job, c)]
    if not skilled:
        needs = ", ".join(sorted(job.skills))
        people = f" and {job.people} people at work" if job.people > 1 else ""
        detail = f"needs skills {needs}{people}; no crew has all of them"
        return UnassignedJob(job.id, UnassignedReason.SKILL, detail)
    if not any(in_district(job, c) for c in skilled):
        detail = f"district {job.district or 'unknown'} is outside every skilled crew's districts"
        return UnassignedJob(job.id, UnassignedReason.DISTRICT, detail)
    failures = [
        _alone(problem, job, crew, travel) for crew in problem.crews if is_eligible(job, crew)
    ]
    if not failures:
        held = ", ".join(sorted(job.crews or ()))
        detail = f"held for crew(s) {held}, none of which works here today"
        return UnassignedJob(job.id, UnassignedReason.NO_CREW, detail)
    if any(f is None for f in failures):
        return None
    found = [f for f in failures if f is not None]
    reason = max((f[0] for f in found), key=_PROGRESS.index)
    details = sorted({f[1] for f in found if f[0] == reason})
    return UnassignedJob(job.id, reason, "; ".join(details))


def capacity_reason(problem: RoutingProblem, job: JobSpec) -> UnassignedJob:
    """Return the explanation for a job that fits alone but lost out to more valuable work."""
    crews = sum(is_eligible(job, c) for c in problem.crews)
    detail = (
        f"priority {job.priority}: no room left among the {crews} crew(s) that could do it "
        "(their time, job limits or loads went to higher-value jobs)"
    )
    return UnassignedJob(job.id, UnassignedReason.CAPACITY, detail)


def _alone(
    problem: RoutingProblem, job: JobSpec, crew: CrewSpec, travel: npt.NDArray[np.float64]
) -> tuple[UnassignedReason, str] | None:
    """Return why ``crew`` cannot do ``job`` as its only remaining job, or ``None``."""
    if job.location is None:
        return UnassignedReason.UNREACHABLE, "no street near the address"
    out = travel[crew.ready_location, job.location]
    back = travel[job.location, crew.end_location]
    if not np.isfinite(out) or not np.isfinite(back):
        return UnassignedReason.UNREACHABLE, f"no street path to or from crew {crew.id}'s depot"
    limit = _limit_reason(problem, job, crew)
    if limit is not None:
        return limit
    setup = 0 if problem.start_site(crew) == job.site else job.setup_s
    ready = crew.ready_s + float(out) + setup
    windows = job.windows or ((0, crew.shift_end_s),)
    starts = [max(ready, float(o)) for o, c in windows if max(ready, float(o)) <= c]
    if not starts:
        detail = f"crew {crew.id} can start at {_clock(ready)} at the earliest, after the window"
        return UnassignedReason.TIME_WINDOW, detail
    home = min(starts) + service_for(job, crew) + float(back)
    if home > crew.shift_end_s:
        detail = f"crew {crew.id} would be back at {_clock(home)}, after its shift ends"
        return UnassignedReason.SHIFT_LENGTH, detail
    return None


def _limit_reason(
    problem: RoutingProblem, job: JobSpec, crew: CrewSpec
) -> tuple[UnassignedReason, str] | None:
    done = [problem.job_index[s.job_id] for s in crew.fixed_stops if s.job_id is not None]
    if crew.max_jobs is not None and len(done) >= crew.max_jobs:
        return UnassignedReason.CAPACITY, f"crew {crew.id} has reached its job limit"
    if crew.capacity is not None and sum(j.load for j in done) + job.load > crew.capacity:
        return UnassignedReason.CAPACITY, f"load {job.load} exceeds crew {crew.id}'s capacity"
    return None


def _clock(seconds: float) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
