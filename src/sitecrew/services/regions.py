"""Regions by their one name: every lookup of a region by slug or id goes through this module.

A region is named by its slug (``oslo``, any case) or its numeric id, on the command line and in
the API alike. Callers of the API see only the regions their token covers: for a planner of
another region a slug is as unknown as a misspelt one (NotFound), and the list of known slugs
in the error holds only what the caller may see, so slugs cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select, true

from sitecrew.db import models as m
from sitecrew.domain.ids import parse_id
from sitecrew.domain.jobs import JobStatus
from sitecrew.domain.organisations import SLUG_MAX, SLUG_PATTERN, normalise_slug
from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.services.scoping import visible

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.organisations import Region

CommandT = TypeVar("CommandT")
ResultT = TypeVar("ResultT")

#: A region as callers name it: its slug (any case) or its id (a number, or its digits).
RegionRef = int | str
#: Jobs that still need a visit, counted as a region's open work.
_OPEN_JOBS = tuple(
    status.value for status in JobStatus if status not in {JobStatus.DONE, JobStatus.CANCELLED}
)


@dataclass(frozen=True)
class RegionSummary:
    """One line of ``sitecrew region list``: a region's names, clock, street graph and size."""

    id: int
    slug: str
    title: str
    timezone: str
    street_region: str | None
    districts: int
    sites: int
    buildings: int
    crews: int
    open_jobs: int
    country: str = "NO"
    address_points: int = 0


def get_region_by_ref(
    session: Session,
    ref: RegionRef,
    *,
    principal: Principal | None = None,
    scope: ColumnElement[bool] | None = None,
) -> Region:
    """Return the region a slug (any case) or an id names.

    Parameters
    ----------
    session
        Any session.
    ref
        ``"oslo"``, ``"OSLO"``, ``"3"`` or ``3``.
    principal
        The API caller, whose token limits which regions exist for it; ``None`` for trusted
        callers (the command line).
    scope
        Another rule than the caller's sight of regions (from ``services.scoping``): the
        regions a caller may follow live, say. It replaces ``principal``'s rule.

    Raises
    ------
    NotFoundError
        When no region the caller may see has that name, listing the slugs it may use.
    PermissionDeniedError
        When the caller's role may not look regions up at all (crews, contractors).
    """
    if scope is None:
        scope = true() if principal is None else visible(m.Region, principal)
    row = session.scalar(select(m.Region).where(_named(ref), scope))
    if row is None:
        known = ", ".join(f"{slug} ({title})" for slug, title in _known(session, scope))
        shown = str(ref)[:60]
        raise NotFoundError(f"unknown region {shown!r}; known regions: {known or 'none'}")
    return row.to_domain()


def in_region(
    session: Session,
    principal: Principal,
    ref: RegionRef,
    use_case: Callable[[Session, Principal, CommandT], ResultT],
    command_for: Callable[[int], CommandT],
) -> ResultT:
    """Run a use case whose command names its region by slug or id, in the caller's transaction.

    The region is looked up as the caller may see it, then ``command_for(region_id)`` builds the
    command and ``use_case`` checks access and writes, all on one session and snapshot: the API
    takes ``region: "oslo"`` while the use cases keep working on ids.

    Raises
    ------
    NotFoundError
        When the caller may see no region of that name (see :func:`get_region_by_ref`).
    SitecrewError
        Whatever building the command or the use case raises.
    """
    region = get_region_by_ref(session, ref, principal=principal)
    if region.id is None:  # pragma: no cover (stored regions have ids)
        raise NotFoundError(f"unknown region {ref!r}")
    return use_case(session, principal, command_for(region.id))


def list_region_summaries(session: Session) -> list[RegionSummary]:
    """Return every region by slug: title, clock, street graph, country and how much it holds."""
    region_id = m.Region.id
    counts = [
        _count(m.District, m.District.region_id == region_id),
        _count(m.Site, m.Site.region_id == region_id),
        _count(m.Building, m.Building.region_id == region_id),
        _count(m.Crew, m.Crew.region_id == region_id),
        _count(m.Job, m.Job.region_id == region_id, m.Job.status.in_(_OPEN_JOBS)),
    ]
    extra = [m.Region.country, _count(m.AddressPoint, m.AddressPoint.region_id == region_id)]
    columns = (m.Region.id, m.Region.slug, m.Region.name, m.Region.timezone, m.Region.street_region)
    rows = session.execute(select(*columns, *counts, *extra).order_by(m.Region.slug))
    return [RegionSummary(*row) for row in rows]


def _named(ref: RegionRef) -> ColumnElement[bool]:
    """Return the clause for ``ref``: an id when it is a number, else a slug in any case.

    Text that can name no region (not a slug: NUL, quotes, 5,000 characters; a number beyond
    the keys) matches nothing without reaching the database, which might refuse it.
    """
    nothing = m.Region.id.is_(None)
    text = str(ref).strip()
    if isinstance(ref, int) or (text.isascii() and text.isdigit()):
        try:
            return m.Region.id == parse_id(text, "region")
        except (NotFoundError, InvalidInputError):  # 0, or beyond the keys
            return nothing
    slug = normalise_slug(text)
    if len(slug) > SLUG_MAX or not SLUG_PATTERN.fullmatch(slug):
        return nothing
    return m.Region.slug == slug


def _known(session: Session, scope: ColumnElement[bool]) -> list[Any]:
    query = select(m.Region.slug, m.Region.name).where(scope).order_by(m.Region.slug)
    return list(session.execute(query))


def _count(model: Any, *conditions: ColumnElement[bool]) -> Any:
    return (
        select(func.count())
        .select_from(model)
        .where(*conditions)
        .correlate(m.Region)
        .scalar_subquery()
    )
