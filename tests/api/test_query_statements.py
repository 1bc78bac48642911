"""Nested reads cost a fixed number of SQL statements, however many rows they return (no N+1).

Each list is one statement and each relation one more per request (its DataLoader batches every
parent of the request), so asking for 2 or 40 parents costs the same. Counted on the app's own
engine, minus what any request costs (authentication).
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from sitecrew.db import models as m
from sitecrew.domain.geo import geometry_to_geojson

CREWS = """query Q($first: Int!) { crews(first: $first) { nodes {
  name depot { name lon lat } members { name role } organisation { name } } } }"""
INSTALLATIONS = """query Q($first: Int!) {
  jobs(filter: {kind: INSTALL_MEDIA_BOX}, first: $first) { nodes {
    id dueOn appointments { windowStart windowEnd }
    apartment { unit lon lat accessNotes tenant { name } building { address footprint } } } } }"""
FURNITURE_CARE = """query Q($first: Int!) {
  jobs(filter: {kind: OIL}, first: $first) { nodes {
    id furniture { serial lon model { name maker { name } } site { name area }
                   lastMaintenance { severity } maintenanceRecords { severity } } } } }"""
SITES = """query Q($first: Int!) { sites(first: $first) { nodes {
  name lon lat area accessNotes owner { name } furniture { serial model { name } } } } }"""

#: Reads of a request: one per list and one per relation asked for.
EXPECTED = {
    # crews, depots, members, organisations
    "crews": (CREWS, 4),
    # jobs, appointments, apartments, private details (planner), buildings, their footprints
    "installations": (INSTALLATIONS, 6),
    # jobs, furniture, models, makers, sites, site areas, latest maintenance, history
    "furniture care": (FURNITURE_CARE, 8),
    # sites, their areas, private details, owners, furniture, models
    "sites": (SITES, 6),
}


@contextmanager
def _counting(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _reads(client, gql, query: str, **variables: object) -> int:
    with _counting(client.app.state.engine) as statements:
        gql.data("planner", query, **variables)
    return sum(
        statement.startswith("SELECT") and "api_tokens" not in statement for statement in statements
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_nested_read_costs_one_statement_per_list_and_relation(client, gql, name):
    query, expected = EXPECTED[name]
    few = _reads(client, gql, query, first=2)
    many = _reads(client, gql, query, first=40)
    assert few == many == expected


def test_the_many_really_are_many(gql):
    """The counts above compare 2 parents with 40 that have children of their own."""
    data = gql.data("planner", INSTALLATIONS, first=40)["jobs"]["nodes"]
    assert len(data) == 40
    assert len({job["apartment"]["building"]["address"] for job in data}) > 2
    care = gql.data("planner", FURNITURE_CARE, first=40)["jobs"]["nodes"]
    assert len(care) == 40
    assert len({job["furniture"]["site"]["name"] for job in care}) > 2


def test_outlines_are_read_only_when_asked_for(client, gql):
    """Footprints and areas are the largest values: a list without them does not read them."""
    without = SITES.replace(" area", "")
    assert _reads(client, gql, without, first=40) == EXPECTED["sites"][1] - 1


OUTLINES = """{ jobs(filter: {kind: INSTALL_MEDIA_BOX}, first: 30) { nodes {
  apartment { building { id footprint } } } }
  sites(first: 30) { nodes { id area } } }"""


def test_outlines_read_by_id_are_the_stored_ones(gql, world_sessions):
    data = gql.data("planner", OUTLINES)
    buildings = {
        int(job["apartment"]["building"]["id"]): job["apartment"]["building"]["footprint"]
        for job in data["jobs"]["nodes"]
    }
    sites = {int(site["id"]): site["area"] for site in data["sites"]["nodes"]}
    assert any(buildings.values())
    assert any(sites.values())
    with world_sessions() as session:
        for building_id, footprint in buildings.items():
            stored = session.get(m.Building, building_id).to_domain().footprint
            assert footprint == _as_json(stored)
        for site_id, area in sites.items():
            assert area == _as_json(session.get(m.Site, site_id).to_domain().area)


def _as_json(geometry) -> object:
    return None if geometry is None else json.loads(json.dumps(geometry_to_geojson(geometry)))
