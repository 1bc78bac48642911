"""Attacks through region names: another region's planner, odd spellings, probing for slugs.

Regions are named by slug (any case) or id in every input since issue #12. A planner whose token
covers another region must not reach this one by any spelling, nor learn which slugs exist;
text that is no slug is an unknown region, never an error of the server.
"""

from __future__ import annotations

import pytest
import shapely
from sqlalchemy import func, select
from tests.security.schema_calls import schema_caller

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.organisations import Region
from sitecrew.services import organisations

REGION = "query R($slug: String) { region(slug: $slug) { id slug } }"
CREATE_SITE = """mutation C($input: CreateSiteInput!) { createSite(input: $input) {
  __typename ... on Site { id } ... on Problem { code message } } }"""
CREATE_JOB = """mutation J($input: CreateJobInput!) { createJob(input: $input) {
  __typename ... on Job { id } ... on Problem { code message } } }"""
PLAN = """mutation P($input: PlanRoutesInput!) { planRoutes(input: $input) {
  __typename ... on PlanningRun { id } ... on Problem { code message } } }"""
BERGEN = shapely.box(5.30, 60.37, 5.35, 60.41)
#: Every way to spell the API world's region, and text that spells none.
OSLO_SPELLINGS = ("oslo", "OSLO", " Oslo ")
NOT_SLUGS = (
    "oslo' OR '1'='1",
    "%",
    "osl_",
    "o%",
    "\uff11",  # a full-width one
    "\u0663",  # an Arabic-Indic three
    "-1",
    "0",
    "9" * 40,
    "",
    "oslo\x00",
    "x" * 5000,
)


@pytest.fixture
def call(api_world):
    """Execute the schema on a rolled-back session of the API world."""
    with schema_caller(api_world.url) as caller:
        yield caller


@pytest.fixture
def bergen_planner(call) -> Principal:
    """A planner of a second region, Bergen (created in the rolled-back session)."""
    with call.sessions.begin() as session:
        bergen = organisations.create_region(session, Region("Bergen", BERGEN, slug="bergen"))
    return Principal(Role.PLANNER, region_id=bergen.id)


def _inputs(region: str, site_id: str) -> tuple[tuple[str, str, dict], ...]:
    site = {"name": "Intruder yard", "kind": "PARK", "region": region, "lon": 10.75, "lat": 59.915}
    return (
        (CREATE_SITE, "createSite", site),
        (CREATE_JOB, "createJob", {"kind": "INSPECT", "region": region, "siteId": site_id}),
        (PLAN, "planRoutes", {"region": region, "date": "2026-06-02", "timeLimitSeconds": 1}),
    )


def _counts(call) -> tuple[int, int, int]:
    with call.sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (m.Site, m.Job, m.PlanningRun)
        )


def test_planner_of_another_region_cannot_reach_this_one_by_any_name(
    call, api_world, bergen_planner
):
    """Slug in any case or id: NotFound in queries and inputs, nothing written, no slug leaked."""
    before = _counts(call)
    for name in (*OSLO_SPELLINGS, str(api_world.region_id)):
        queried = call(bergen_planner, REGION, slug=name)
        assert [e.extensions["code"] for e in queried.errors] == ["NOT_FOUND"]
        assert "oslo" not in queried.errors[0].message.split("known regions:")[1]
        for operation, field, payload in _inputs(name, "1"):
            answer = call.data(bergen_planner, operation, input=payload)[field]
            assert answer["__typename"] == "NotFound", (name, field, answer)
            assert "bergen (Bergen)" in answer["message"]
            assert "Oslo sentrum" not in answer["message"]
    assert _counts(call) == before


def test_text_that_is_no_slug_is_an_unknown_region_when_sent_as_one(call):
    """Quotes, LIKE wildcards, other scripts' digits, huge numbers, NUL, 5,000 characters."""
    admin = Principal(Role.ADMIN)
    for text in NOT_SLUGS:
        queried = call(admin, REGION, slug=text)
        assert [e.extensions["code"] for e in queried.errors] == ["NOT_FOUND"], text
        answer = call.data(admin, CREATE_SITE, input=_inputs(text, "1")[0][2])["createSite"]
        assert answer["__typename"] == "NotFound", (text, answer)
        assert len(answer["message"]) < 300
