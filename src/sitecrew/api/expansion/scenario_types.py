"""GraphQL types of expansion scenarios (issue 18 item 5): the run, its result, a comparison."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import strawberry

from sitecrew.api.types.routes import PlanningRun  # noqa: F401 (registers PlanningRunStatus)
from sitecrew.domain.routes import RunState

if TYPE_CHECKING:
    from sitecrew.services.expansion.scenarios import ComparisonRow, ScenarioInfo


@strawberry.type(description="A depot a scenario opened (or was given), with its crews.")
class ExpansionDepot:
    name: str
    lon: float
    lat: float
    sites: int
    pieces: int
    crews: int
    crew_days_per_year: float
    km_per_year: float
    cost_per_year: float
    cost_per_piece_year: float | None

    @classmethod
    def from_json(cls, depot: dict[str, Any]) -> ExpansionDepot:
        """Build from one depot of a scenario's stored result."""
        return cls(
            name=str(depot["name"]),
            lon=float(depot["lon"]),
            lat=float(depot["lat"]),
            sites=int(depot["sites"]),
            pieces=int(depot["pieces"]),
            crews=int(depot["crews"]),
            crew_days_per_year=float(depot["crew_days_per_year"]),
            km_per_year=float(depot["km_per_year"]),
            cost_per_year=float(depot["cost_per_year"]),
            cost_per_piece_year=_float(depot.get("cost_per_piece_year")),
        )


@strawberry.type(
    description="An expansion scenario: where to open `k` depots and how many crews they need. "
    "It runs in the background: poll `expansionScenario(id)` for `status`, `stage` and "
    "`done` of `total`; stop it with `cancelExpansionScenario`. The figures are null until it "
    "succeeded; `error` says why it failed or was stopped."
)
class ExpansionScenario:
    id: strawberry.ID
    name: str
    region_id: strawberry.ID | None = strawberry.field(
        description="The database region (null: a region known only by its OSM extract)."
    )
    street_region: str
    status: RunState
    stage: str
    done: int
    total: int
    error: str | None
    k: int
    objective: str
    created_at: dt.datetime | None = strawberry.field(description="When it was asked (UTC).")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    sites: int | None
    pieces: int | None
    unreachable_sites: int | None
    gap_pct: float | None = strawberry.field(description="The siting's proven optimality gap.")
    crews: int | None
    crew_days_per_year: float | None
    km_per_year: float | None
    cost_per_year: float | None
    cost_per_piece_year: float | None
    depots: list[ExpansionDepot] = strawberry.field(description="Empty until it succeeded.")

    @classmethod
    def from_domain(cls, info: ScenarioInfo) -> ExpansionScenario:
        """Build from ``services.expansion.scenarios.ScenarioInfo``."""
        result = info.result or {}
        return cls(
            id=strawberry.ID(str(info.id)),
            name=info.name,
            region_id=None if info.region_id is None else strawberry.ID(str(info.region_id)),
            street_region=info.street_region,
            status=info.state,
            stage=info.stage,
            done=info.done,
            total=info.total,
            error=info.error,
            k=info.input.k,
            objective=info.input.objective,
            created_at=info.created_at,
            started_at=info.started_at,
            finished_at=info.finished_at,
            sites=_int(result.get("sites")),
            pieces=_int(result.get("pieces")),
            unreachable_sites=_int(result.get("unreachable_sites")),
            gap_pct=_float((result.get("siting") or {}).get("gap_pct")),
            crews=_int(result.get("crews")),
            crew_days_per_year=_float(result.get("crew_days_per_year")),
            km_per_year=_float(result.get("km_per_year")),
            cost_per_year=_float(result.get("cost_per_year")),
            cost_per_piece_year=_float(result.get("cost_per_piece_year")),
            depots=[ExpansionDepot.from_json(d) for d in result.get("depots") or ()],
        )


@strawberry.type(description="One figure across the compared scenarios, in their order.")
class ExpansionComparisonRow:
    label: str
    key: str
    values: list[str | None] = strawberry.field(
        description="The figure as text per scenario; null where a scenario has no result yet."
    )


@strawberry.type(description="Scenarios side by side: one row per figure, one value per scenario.")
class ExpansionComparison:
    scenarios: list[ExpansionScenario]
    rows: list[ExpansionComparisonRow]

    @classmethod
    def from_domain(
        cls, found: list[ScenarioInfo], rows: list[ComparisonRow]
    ) -> ExpansionComparison:
        """Build from ``compare_scenarios``' answer."""
        return cls(
            scenarios=[ExpansionScenario.from_domain(info) for info in found],
            rows=[
                ExpansionComparisonRow(label=r.label, key=r.key, values=list(r.values))
                for r in rows
            ],
        )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
