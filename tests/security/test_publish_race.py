"""Attacks on publishing: two plans of one day published at once, runs that must not publish.

Each test adds succeeded (or unfinished) runs with draft routes for two crews on a day of its
own, committed, and deletes them afterwards; the routes have no stops, so no job changes.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date

from sqlalchemy import delete, func, select

from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, write_session_factory
from sitecrew.domain.access import Principal, Role
from sitecrew.errors import ConflictError
from sitecrew.services.planning.use_cases import PublishRoutes, publish_routes

PUBLISH = """mutation P($input: PublishRoutesInput!) { publishRoutes(input: $input) {
  __typename ... on Published { routes } ... on Problem { code message } } }"""


@contextmanager
def _plans(world_sessions, world, day: date, runs: list[tuple[str, str]]):
    """Insert runs of ``day`` (status, route status), each with a route per crew; delete after."""
    ids = []
    with world_sessions.begin() as session:
        for status, route_status in runs:
            run = m.PlanningRun(
                region_id=world.region_id,
                service_date=day,
                status=status,
                progress=1.0 if status == "succeeded" else 0.5,
                step="done",
                options={},
                summary={},
            )
            session.add(run)
            session.flush()
            session.add_all(
                m.Route(crew_id=crew, run_id=run.id, service_date=day, status=route_status)
                for crew in (world.crew_id, world.other_crew_id)
            )
            ids.append(run.id)
    try:
        yield ids
    finally:
        with world_sessions.begin() as session:
            session.execute(delete(m.Route).where(m.Route.run_id.in_(ids)))
            session.execute(delete(m.PlanningRun).where(m.PlanningRun.id.in_(ids)))


def _published_per_crew(world_sessions, day: date) -> dict[int, int]:
    with world_sessions() as session:
        rows = session.execute(
            select(m.Route.crew_id, func.count())
            .where(m.Route.service_date == day, m.Route.status == "published")
            .group_by(m.Route.crew_id)
        )
        return dict(rows.all())


def test_one_route_per_crew_is_published_when_two_plans_of_a_day_are_published_at_once(
    api_world, world_sessions
):
    """Two publishes racing (two threads, two sessions) leave one published route per crew."""
    day = date(2031, 2, 3)
    principal = Principal(Role.PLANNER, region_id=api_world.region_id)
    engine = engine_from_url(api_world.url)
    sessions = write_session_factory(engine)
    start = threading.Barrier(2)

    def publish(run_id: int) -> int | ConflictError:
        with sessions() as session:
            start.wait()
            try:
                with session.begin():
                    return publish_routes(session, principal, PublishRoutes(run_id))
            except ConflictError as error:
                return error

    runs = [("succeeded", "draft"), ("succeeded", "draft")]
    try:
        with _plans(world_sessions, api_world, day, runs) as ids:
            with ThreadPoolExecutor(2) as pool:
                outcomes = list(pool.map(publish, ids))
            per_crew = _published_per_crew(world_sessions, day)
            with world_sessions() as session:
                query = select(m.Route.run_id, m.Route.status).where(m.Route.run_id.in_(ids))
                statuses = dict(session.execute(query).all())
    finally:
        engine.dispose()
    assert per_crew == {api_world.crew_id: 1, api_world.other_crew_id: 1}
    # Publishes of one day take turns: the later supersedes the earlier (without the lock one
    # of them lost on the unique index, and before that index both won).
    assert outcomes == [2, 2], outcomes  # each publish is of two crews' routes
    assert sorted(statuses.values()) == ["published", "superseded"]


def test_publishing_is_a_conflict_when_the_run_has_not_succeeded_or_was_superseded(
    gql, api_world, world_sessions
):
    """A running run's drafts and a superseded run's routes cannot be published."""
    runs = [("running", "draft"), ("succeeded", "superseded"), ("failed", "draft")]
    with _plans(world_sessions, api_world, date(2031, 2, 4), runs) as ids:
        answers = [
            gql.data("planner", PUBLISH, input={"runId": str(run_id)})["publishRoutes"]
            for run_id in ids
        ]
        per_crew = _published_per_crew(world_sessions, date(2031, 2, 4))
    assert [a["__typename"] for a in answers] == ["Conflict"] * 3, answers
    assert "only a succeeded run" in answers[0]["message"]
    assert "no draft routes" in answers[1]["message"]
    assert per_crew == {}
