"""Daily crew route planning: load a region's day, solve it over real streets, store, publish.

Use cases, each callable from a GraphQL resolver or the CLI, live in their own modules (import
them from there: this package imports nothing, so reading a route never loads the solver or the
street graph):

- :mod:`~sitecrew.services.planning.runs`: :func:`start_run` / :func:`get_run` plan in a worker
  process and poll its progress; :func:`plan_day` runs the same pipeline synchronously;
- :mod:`~sitecrew.services.planning.persist`: :func:`publish_routes` makes a run's draft routes
  the crews' routes;
- :mod:`~sitecrew.services.planning.read`: :func:`crew_route`, :func:`routes_for_run` and
  :func:`unassigned_for_run`, what a run produced and what a crew drives;
- :mod:`~sitecrew.services.planning.exports`: :func:`route_to_geojson` and :func:`route_to_gpx`.
"""
