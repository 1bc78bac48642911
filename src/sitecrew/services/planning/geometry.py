"""Road geometry of a planned day: one road-following leg into every stop and one back home."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitecrew.domain.plans import SolverPlan
    from sitecrew.routing.problem import RoutingProblem
    from sitecrew.services.planning.problem import SnappedDay
    from sitecrew.services.progress import ProgressCallback
    from sitecrew.streets import Leg, StreetNetwork


def legs_for_plan(
    plan: SolverPlan,
    problem: RoutingProblem,
    snapped: SnappedDay,
    network: StreetNetwork,
    *,
    progress: ProgressCallback,
) -> dict[str, list[Leg]]:
    """Return, per crew with stops, the legs start -> stop 1 -> ... -> end, in order.

    Each leg follows the fastest street path, the same one the travel-time matrix measured.
    """
    crews = {c.id: c for c in problem.crews}
    working = [r for r in plan.routes if r.stops]
    found: dict[str, list[Leg]] = {}
    for done, route in enumerate(working, 1):
        crew = crews[route.crew_id]
        order = [crew.start_location, *(s.location for s in route.stops), crew.end_location]
        found[route.crew_id] = network.legs(snapped.points.take(order))
        progress("geometry", done, len(working))
    return found
