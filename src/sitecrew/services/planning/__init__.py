"""Daily crew route planning: load a region's day, solve it over real streets, store, publish.

Use cases, each callable from a GraphQL resolver or the CLI:

- :func:`start_run` / :func:`get_run`: plan in a worker process and poll its progress;
- :func:`plan_day`: the same pipeline synchronously in the caller's session;
- :func:`publish_routes`: make a run's draft routes the crews' routes;
- :func:`crew_route`, :func:`routes_for_run`, :func:`route_to_geojson`, :func:`route_to_gpx`,
  :func:`unassigned_for_run`: what a run produced and what a crew drives.
"""

from __future__ import annotations

from sitecrew.services.planning.persist import publish_routes
from sitecrew.services.planning.read import (
    crew_route,
    route_to_geojson,
    route_to_gpx,
    routes_for_run,
    unassigned_for_run,
)
from sitecrew.services.planning.runs import (
    PlanOutcome,
    create_run,
    get_run,
    plan_day,
    shutdown_runs,
    start_run,
    wait_for_run,
)

__all__ = [
    "PlanOutcome",
    "create_run",
    "crew_route",
    "get_run",
    "plan_day",
    "publish_routes",
    "route_to_geojson",
    "route_to_gpx",
    "routes_for_run",
    "shutdown_runs",
    "start_run",
    "unassigned_for_run",
    "wait_for_run",
]
