"""Solver places and their per-profile edge matrices, where setups, trainees and skills live.

PyVRP knows locations and edges, not sites or skills. Each job becomes its own place; the edge
into a job from a place of another site carries the job's setup time; the edge out of a job
carries the extra service time of a slow crew (so the window still bounds the start of the
work); edges into jobs a crew may not do are prohibitive in that crew's profile. Break places
stand for "pausing here": entering one costs plain travel, leaving one always pays the next job's
setup, so a break never hides a setup the crew really has to do (it can only overestimate).
Each break place belongs to one crew (its ``owner``); edges into it are prohibitive in every other
crew's profile, so no crew can take another crew's lunch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sitecrew.routing.problem import CrewSpec, JobSpec, is_eligible, service_for
from sitecrew.routing.units import PROHIBITIVE

if TYPE_CHECKING:
    import numpy.typing as npt


@dataclass(frozen=True)
class Place:
    """A solver location: a matrix index, the site it belongs to and the job done there."""

    matrix_index: int
    site: str | None
    job: JobSpec | None = None
    is_break: bool = False
    owner: str | None = None


@dataclass(frozen=True)
class Profile:
    """Who may go where and how slowly they work: the key of one routing profile.

    ``break_owner`` is the crew whose break places this profile may enter (``None``: none).
    """

    service_factor: float
    eligible: frozenset[str]
    break_owner: str | None = None

    @classmethod
    def of(cls, crew: CrewSpec, jobs: tuple[JobSpec, ...], *, with_break: bool) -> Profile:
        """Return the profile of ``crew`` over the jobs being planned."""
        eligible = frozenset(j.id for j in jobs if is_eligible(j, crew))
        owner = crew.id if with_break else None
        return cls(service_factor=crew.service_factor, eligible=eligible, break_owner=owner)


def base_matrices(
    places: list[Place],
    durations: npt.NDArray[np.int64],
    distances: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return travel plus setup durations, and distances, between ``places``.

    Raises nothing: unreachable pairs stay prohibitive after the setup is added.
    """
    index = np.array([p.matrix_index for p in places], dtype=np.int64)
    travel = durations[np.ix_(index, index)]
    metres = distances[np.ix_(index, index)].copy()
    setup = np.array([p.job.setup_s if p.job else 0 for p in places], dtype=np.int64)
    codes = _site_codes(places)
    setup_matrix = (codes[:, None] != codes[None, :]) * setup[None, :]
    timed = np.minimum(travel + setup_matrix, PROHIBITIVE)
    np.fill_diagonal(timed, 0)
    np.fill_diagonal(metres, 0)
    return timed, metres


def _site_codes(places: list[Place]) -> npt.NDArray[np.int64]:
    """Return a code per place's site; places without a site each get their own code."""
    codes: dict[str, int] = {}
    result = np.empty(len(places), dtype=np.int64)
    for i, place in enumerate(places):
        if place.site is None:
            result[i] = -1 - i
        else:
            result[i] = codes.setdefault(place.site, len(codes))
    return result


def profile_matrices(
    profile: Profile,
    places: list[Place],
    base: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    crew: CrewSpec,
    *,
    cap: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return the duration and distance matrices one crew profile sees.

    ``crew`` is any crew of the profile; it supplies the service factor. Durations are capped
    at ``cap``, a time after every shift end: such an edge already makes a route late, and the
    small cap keeps the solver's time-warp penalties far from integer overflow.
    """
    durations, distances = base[0].copy(), base[1].copy()
    extra = np.array(
        [service_for(p.job, crew) - p.job.service_s if p.job else 0 for p in places],
        dtype=np.int64,
    )
    durations = np.minimum(durations + extra[:, None], PROHIBITIVE)
    banned = [col for col, p in enumerate(places) if not _may_enter(profile, p)]
    durations[:, banned] = PROHIBITIVE
    distances[:, banned] = PROHIBITIVE
    durations = np.minimum(durations, cap)
    np.fill_diagonal(durations, 0)
    np.fill_diagonal(distances, 0)
    return durations, distances


def _may_enter(profile: Profile, place: Place) -> bool:
    """Return whether crews of ``profile`` may visit ``place`` (their jobs, their own break)."""
    if place.is_break:
        return place.owner is not None and place.owner == profile.break_owner
    return place.job is None or place.job.id in profile.eligible
