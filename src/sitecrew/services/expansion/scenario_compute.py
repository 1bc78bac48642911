"""Computing an expansion scenario's answer: sites, depots, crews and costs, as JSON to keep.

No database: the caller (the background run, a test) hands the checked input, the region's
street graph slug and extract, and a progress callback that doubles as the cancel check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitecrew.domain.siting import SolveOptions
from sitecrew.services.expansion.candidates import (
    CandidateDepot,
    candidates_from_csv,
    candidates_from_extract,
)
from sitecrew.services.expansion.crews import CrewRates, estimate_crews
from sitecrew.services.expansion.demand import demand_from_csv, demand_from_extract
from sitecrew.services.expansion.siting import site_depots
from sitecrew.services.graphs import get_network

if TYPE_CHECKING:
    from pathlib import Path

    from sitecrew.config import OsmSettings
    from sitecrew.services.expansion.scenario_input import ScenarioInput
    from sitecrew.services.progress import ProgressCallback

#: Stages of a scenario's run, in order (``stage`` on the row).
STAGES = ("street graph", "demand", "candidates", "siting", "crews")
#: Most sites whose points a result keeps for its map (all are counted).
MAX_MAPPED_SITES = 5_000
#: The siting solver's limits within a scenario (seconds, relative gap).
SITING_OPTIONS = SolveOptions(time_limit_s=60.0, mip_rel_gap=0.005)


def compute_scenario(
    question: ScenarioInput,
    *,
    street_region: str,
    extract: Path,
    own_extract: bool,
    osm: OsmSettings,
    progress: ProgressCallback,
) -> dict[str, Any]:
    """Return a scenario's result: the siting, each depot's crews and costs, the sites' depots.

    Parameters
    ----------
    question
        The checked input.
    street_region, extract, own_extract
        The region's street-graph slug and extract (``own_extract``: a region added from its
        own file, whose graph is built from it rather than found in the manifest).
    osm
        Where street graphs live.
    progress
        ``progress(stage, done, total)``; raising stops the run.

    Raises
    ------
    InvalidInputError, NotFoundError, StreetGraphError, InfeasiblePlanError
        When the data cannot answer (no sites, k beyond the candidates, no streets).
    """
    progress("street graph", 0, 1)
    network = get_network(
        street_region, settings=osm, extract=extract if own_extract else None, progress=progress
    )
    progress("demand", 0, 1)
    if question.sites_csv is not None:
        sites = demand_from_csv(question.sites_csv)
    else:
        sites = demand_from_extract(extract, kinds=question.site_kinds)
    progress("demand", 1, 1)
    progress("candidates", 0, 1)
    if question.depots:
        candidates = [
            CandidateDepot(f"depot {n}", lon, lat, "given")
            for n, (lon, lat) in enumerate(question.depots, start=1)
        ]
    elif question.candidates_csv is not None:
        candidates = candidates_from_csv(question.candidates_csv)
    else:
        candidates = candidates_from_extract(extract, count=question.candidates, seed=question.seed)
    progress("candidates", 1, 1)
    progress("siting", 0, 1)
    objective = "pmedian" if question.depots else question.objective
    siting = site_depots(
        network,
        sites,
        candidates,
        question.k,
        objective="pmedian" if objective == "pmedian" else "coverage",
        limit_minutes=question.limit_minutes,
        options=SITING_OPTIONS,
    )
    progress("siting", 1, 1)
    rates = CrewRates.from_json(question.rates)
    crews = estimate_crews(
        siting,
        street_region=street_region,
        osm=osm,
        rates=rates,
        extract=str(extract) if own_extract else None,
        progress=progress,
    )
    result = siting.result
    order = {j: n for n, j in enumerate(result.depots)}
    return {
        "name": question.name,
        "region": street_region,
        "objective": objective,
        "fixed_depots": bool(question.depots),
        "k": question.k,
        "sites": len(sites),
        "pieces": sum(s.pieces for s in sites),
        "candidates": len(candidates),
        "unreachable_sites": len(result.unreachable_sites),
        "siting": {
            "objective": result.objective,
            "bound": result.bound,
            "gap_pct": result.gap_pct,
            "status": result.status.value,
            "solve_s": round(result.solve_s, 3),
        },
        "crews": crews.crews,
        "crew_days_per_year": round(crews.crew_days_per_year, 1),
        "km_per_year": round(crews.km_per_year, 1),
        "cost_per_year": round(crews.cost_per_year, 2),
        "cost_per_piece_year": (
            None if crews.cost_per_piece_year is None else round(crews.cost_per_piece_year, 2)
        ),
        "rates": rates.to_json(),
        "depots": [
            {
                "name": d.name,
                "lon": d.lon,
                "lat": d.lat,
                "sites": d.sites,
                "pieces": d.pieces,
                "visits_per_year": d.visits_per_year,
                "crews": d.crews,
                "crew_days_per_year": round(d.crew_days_per_year, 1),
                "km_per_year": d.km_per_year,
                "travel_hours_per_year": d.travel_hours_per_year,
                "cost_per_year": d.cost_per_year,
                "cost_per_piece_year": d.cost_per_piece_year,
                "day_crews": list(d.day_crews),
            }
            for d in crews.depots
        ],
        "site_points": [
            [round(s.lon, 6), round(s.lat, 6), -1 if j is None else order[j]]
            for s, j in list(zip(sites, result.assignment, strict=True))[:MAX_MAPPED_SITES]
        ],
    }
