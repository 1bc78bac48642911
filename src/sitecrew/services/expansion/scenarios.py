"""Expansion scenarios (issue 18 item 5): create, cancel, read, list and compare.

A scenario is stored queued with its checked input (:mod:`.scenario_input`); a worker runs it
(:mod:`.scenario_run`), writing its stage and ``done`` of ``total`` as it goes and its result
(siting, crews, costs, each site's depot) once it succeeded; the result is kept. Access rules
are :func:`~sitecrew.services.scoping.require_scenario_access`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from sitecrew.db import models as m
from sitecrew.db.models._columns import as_utc
from sitecrew.domain.organisations import normalise_slug
from sitecrew.domain.routes import RunState
from sitecrew.errors import IllegalTransitionError, InvalidInputError, NotFoundError
from sitecrew.services._persist import save
from sitecrew.services.expansion.scenario_input import ScenarioInput
from sitecrew.services.planning.runs import EXPANSION_RUN_S, cancel_run
from sitecrew.services.regions import get_region_by_ref
from sitecrew.services.scoping import require_scenario_access, visible_scenarios
from sitecrew.streets.regions import extract_path_for, load_regions, manifest_path_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal

#: Time a scenario's run may take from its start (seconds): graph, siting, sample days.
SCENARIO_RUN_S = EXPANSION_RUN_S
#: Most scenarios compared side by side, and listed at once.
MAX_COMPARED = 10
MAX_LISTED = 100
ACTIVE = (RunState.QUEUED.value, RunState.RUNNING.value)


@dataclass(frozen=True)
class ScenarioRegion:
    """Where a scenario runs: the database region (if any), the street graph and the extract."""

    region_id: int | None
    street_region: str
    extract: Path
    own_extract: bool


@dataclass(frozen=True)
class ScenarioInfo:
    """A scenario as its readers see it."""

    id: int
    name: str
    region_id: int | None
    street_region: str
    state: RunState
    stage: str
    done: int
    total: int
    input: ScenarioInput
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


def scenario_info(row: m.ExpansionScenario) -> ScenarioInfo:
    """Return the domain view of a scenario row."""
    return ScenarioInfo(
        id=row.id,
        name=row.name,
        region_id=row.region_id,
        street_region=row.street_region,
        state=RunState(row.status),
        stage=row.stage,
        done=row.done,
        total=row.total,
        input=ScenarioInput.from_json(row.input),
        result=row.result,
        error=row.error,
        created_at=as_utc(row.created_at),
        started_at=as_utc(row.started_at),
        finished_at=as_utc(row.finished_at),
    )


def resolve_region(
    session: Session, principal: Principal | None, ref: str, *, osm: OsmSettings
) -> ScenarioRegion:
    """Return where a scenario of the region named ``ref`` runs.

    A database region (slug or id, as the caller may see it) comes first; otherwise a region
    of the OSM manifest by its slug.

    Raises
    ------
    NotFoundError
        When neither knows ``ref``, or the region's extract is missing.
    InvalidInputError
        When the database region has no street graph.
    """
    try:
        region = get_region_by_ref(session, ref, principal=principal)
    except NotFoundError:
        manifest = load_regions(manifest_path_for(osm.directory))
        slug = normalise_slug(ref)
        if slug not in manifest:
            known = ", ".join(sorted(manifest))
            msg = f"unknown region {ref[:60]!r}; known: {known} (or a database region's slug)"
            raise NotFoundError(msg) from None
        return ScenarioRegion(
            None, slug, extract_path_for(manifest[slug], directory=osm.directory), own_extract=False
        )
    if region.street_region is None:
        raise InvalidInputError(f"region {region.slug!r} has no street graph to plan over")
    if region.extract_path:
        return ScenarioRegion(
            region.id, region.street_region, Path(region.extract_path), own_extract=True
        )
    manifest = load_regions(manifest_path_for(osm.directory))
    entry = manifest.get(normalise_slug(region.street_region))
    if entry is None:
        raise NotFoundError(f"the street graph {region.street_region!r} has no known extract")
    return ScenarioRegion(
        region.id,
        normalise_slug(region.street_region),
        extract_path_for(entry, directory=osm.directory),
        own_extract=False,
    )


def create_scenario(
    session: Session, principal: Principal, command: ScenarioInput, *, osm: OsmSettings
) -> ScenarioInfo:
    """Check and store a queued scenario; the caller dispatches it after commit.

    Raises
    ------
    PermissionDeniedError
        For callers who may not plan expansions (or not in that region).
    InvalidInputError, NotFoundError
        For bad input or an unknown region; nothing is written then.
    """
    require_scenario_access(principal, principal.region_id, action="plan an expansion")
    question = command.checked()
    where = resolve_region(session, principal, question.region, osm=osm)
    require_scenario_access(principal, where.region_id, action="plan an expansion")
    now = datetime.now(UTC)
    row = m.ExpansionScenario(
        name=question.name,
        region_id=where.region_id,
        street_region=where.street_region,
        status=RunState.QUEUED.value,
        stage="queued",
        done=0,
        total=0,
        input=question.to_json(),
        requested_by=principal.token_id,
        deadline_at=now + timedelta(seconds=SCENARIO_RUN_S),
    )
    return scenario_info(save(session, row))


def get_scenario(session: Session, principal: Principal, scenario_id: int) -> ScenarioInfo:
    """Return a scenario the caller may see.

    Raises
    ------
    NotFoundError
        When there is none with that id (or the caller's region does not hold it).
    PermissionDeniedError
        For callers who may not plan expansions.
    """
    require_scenario_access(principal, principal.region_id, action="read expansion scenarios")
    row = session.get(m.ExpansionScenario, scenario_id, populate_existing=True)
    if row is None or not _may_see(principal, row):
        raise NotFoundError(f"no expansion scenario {scenario_id}")
    return scenario_info(row)


def _may_see(principal: Principal, row: m.ExpansionScenario) -> bool:
    return principal.region_id is None or row.region_id == principal.region_id


def list_scenarios(
    session: Session, principal: Principal, region_id: int | None = None
) -> list[ScenarioInfo]:
    """Return the newest scenarios the caller may see, of one region when given."""
    require_scenario_access(principal, principal.region_id, action="read expansion scenarios")
    query = select(m.ExpansionScenario).where(visible_scenarios(principal))
    if region_id is not None:
        query = query.where(m.ExpansionScenario.region_id == region_id)
    rows = session.scalars(query.order_by(m.ExpansionScenario.id.desc()).limit(MAX_LISTED))
    return [scenario_info(row) for row in rows]


def cancel_scenario(session: Session, principal: Principal, scenario_id: int) -> ScenarioInfo:
    """Cancel a queued or running scenario; a running one stops at its next progress report.

    Raises
    ------
    NotFoundError
        When the caller sees no such scenario.
    IllegalTransitionError
        When the scenario has already finished.
    """
    info = get_scenario(session, principal, scenario_id)
    require_scenario_access(principal, info.region_id, action="cancel expansion scenarios")
    result = session.execute(
        update(m.ExpansionScenario)
        .where(
            m.ExpansionScenario.id == scenario_id,
            m.ExpansionScenario.status.in_(ACTIVE),
        )
        .values(
            status=RunState.CANCELLED.value,
            stage="cancelled",
            error="cancelled at a planner's request",
            finished_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        msg = f"expansion scenario {scenario_id} has already {info.state.value}"
        raise IllegalTransitionError(msg)
    for run_id in session.scalars(
        select(m.PlanningRun.id).where(
            m.PlanningRun.scenario_id == scenario_id, m.PlanningRun.status.in_(ACTIVE)
        )
    ).all():
        cancel_run(session, run_id)  # a queued run never starts; a running one stops
    return get_scenario(session, principal, scenario_id)


#: The figures a comparison shows, one row each, in order.
COMPARED = (
    ("region", "region"),
    ("objective", "objective"),
    ("depots", "k"),
    ("sites", "sites"),
    ("pieces", "pieces"),
    ("unreachable sites", "unreachable_sites"),
    ("gap %", "gap_pct"),
    ("crews", "crews"),
    ("crew-days a year", "crew_days_per_year"),
    ("km a year", "km_per_year"),
    ("cost a year", "cost_per_year"),
    ("cost per piece a year", "cost_per_piece_year"),
)


@dataclass(frozen=True)
class ComparisonRow:
    """One figure across the compared scenarios (``None`` where a scenario has no result)."""

    label: str
    key: str
    values: tuple[str | None, ...]


def compare_scenarios(
    session: Session, principal: Principal, scenario_ids: list[int]
) -> tuple[list[ScenarioInfo], list[ComparisonRow]]:
    """Return the scenarios and their figures side by side (one row per figure).

    Raises
    ------
    InvalidInputError
        When fewer than one or more than :data:`MAX_COMPARED` ids are given, or an id twice.
    NotFoundError
        When the caller sees no scenario of one of the ids.
    """
    if not 1 <= len(scenario_ids) <= MAX_COMPARED or len(set(scenario_ids)) != len(scenario_ids):
        msg = f"compare 1 to {MAX_COMPARED} different scenarios"
        raise InvalidInputError(msg)
    found = [get_scenario(session, principal, i) for i in scenario_ids]
    rows = [
        ComparisonRow(label, key, tuple(figure_of(info, key) for info in found))
        for label, key in COMPARED
    ]
    return found, rows


def figure_of(info: ScenarioInfo, key: str) -> str | None:
    """Return one figure of a scenario's result as text (``None`` without a result)."""
    result = info.result
    if result is None:
        return None
    value = result["siting"].get(key) if key == "gap_pct" else result.get(key)
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:,.4f}" if key == "gap_pct" else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
