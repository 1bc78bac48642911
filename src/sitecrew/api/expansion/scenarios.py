"""Expansion scenarios in GraphQL: create (queued), cancel, read, list and compare.

Each resolver parses its input and calls one use case of
:mod:`sitecrew.services.expansion` (access, validation and the write in one transaction); the
scenario then runs in the background on the planning queue and clients poll it.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.expansion.scenario_types import ExpansionComparison, ExpansionScenario
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.domain.ids import parse_id
from sitecrew.errors import InvalidInputError
from sitecrew.services.expansion import scenarios as service
from sitecrew.services.expansion.scenario_input import ScenarioInput
from sitecrew.services.expansion.scenario_queue import queue_scenario

Info = strawberry.Info[Context, None]
_PROBLEMS = InvalidInput | NotFound | Forbidden | Conflict | IllegalTransition
ExpansionScenarioPayload = Annotated[
    ExpansionScenario | _PROBLEMS, strawberry.union("ExpansionScenarioPayload")
]
#: Most rates and fixed depots one input may carry (the service checks the depots' own limit).
MAX_RATES = 20
MAX_DEPOTS_GIVEN = 50
MAX_SITE_KINDS = 10


@strawberry.input(description="A point given as a depot (WGS 84).")
class ExpansionDepotInput:
    lon: float
    lat: float


@strawberry.input(description="One rate of the crews estimate, by name (see `sitecrew expand`).")
class ExpansionRateInput:
    name: str
    value: float


@strawberry.input(
    description="A new expansion scenario. Either `k` depots to open among candidates (a "
    "seeded sample of `candidates` addresses, or `candidatesCsv` premises) or fixed `depots`. "
    "Sites are the region's extract features of `siteKinds`, or `sitesCsv` (name,lon,lat,"
    "pieces). `objective` pmedian (least total travel) or coverage (most pieces within "
    "`limitMinutes`)."
)
class CreateExpansionScenarioInput:
    name: str
    region: str = strawberry.field(description="A region's slug or id, or an OSM extract slug.")
    k: int = 1
    objective: str = "pmedian"
    limit_minutes: float | None = None
    sites_csv: str | None = None
    site_kinds: list[str] | None = None
    candidates_csv: str | None = None
    candidates: int = 200
    seed: int = 1
    depots: list[ExpansionDepotInput] | None = None
    rates: list[ExpansionRateInput] | None = None


@strawberry.input(description="The scenario to stop.")
class CancelExpansionScenarioInput:
    id: strawberry.ID


def _question(given: CreateExpansionScenarioInput) -> ScenarioInput:
    if (
        len(given.rates or ()) > MAX_RATES
        or len(given.depots or ()) > MAX_DEPOTS_GIVEN
        or len(given.site_kinds or ()) > MAX_SITE_KINDS
    ):
        msg = f"give at most {MAX_RATES} rates, {MAX_DEPOTS_GIVEN} depots, {MAX_SITE_KINDS} kinds"
        raise InvalidInputError(msg)
    kinds = {} if given.site_kinds is None else {"site_kinds": tuple(given.site_kinds)}
    return ScenarioInput(
        name=given.name,
        region=given.region,
        k=given.k,
        objective=given.objective,
        limit_minutes=given.limit_minutes,
        sites_csv=given.sites_csv,
        candidates_csv=given.candidates_csv,
        candidates=given.candidates,
        seed=given.seed,
        depots=tuple((d.lon, d.lat) for d in given.depots or ()),
        rates={r.name: r.value for r in given.rates or ()},
        **kinds,
    )


@strawberry.type
class ExpansionScenarioQueries:
    @strawberry.field(
        description="An expansion scenario: its progress while it runs, its figures once it "
        "succeeded. NOT_FOUND for an unknown id or another region's; FORBIDDEN for crews, "
        "contractors and tenants."
    )
    async def expansion_scenario(self, info: Info, id: strawberry.ID) -> ExpansionScenario:
        context = info.context
        found = await context.read(
            service.get_scenario, context.user, parse_id(id, "expansion scenario")
        )
        return ExpansionScenario.from_domain(found)

    @strawberry.field(
        description="The newest 100 expansion scenarios you may see, of one region if given."
    )
    async def expansion_scenarios(
        self, info: Info, region_id: strawberry.ID | None = None
    ) -> list[ExpansionScenario]:
        context = info.context
        region = None if region_id is None else parse_id(region_id, "region")
        found = await context.read(service.list_scenarios, context.user, region)
        return [ExpansionScenario.from_domain(one) for one in found]

    @strawberry.field(
        description="1 to 10 different scenarios side by side (name, k, objective, gap, "
        "depots, crews, crew-days, km, cost per piece a year, ...). INVALID_INPUT for no, too "
        "many or repeated ids; NOT_FOUND for an id you cannot see."
    )
    async def compare_expansion_scenarios(
        self, info: Info, ids: list[strawberry.ID]
    ) -> ExpansionComparison:
        context = info.context
        if len(ids) > service.MAX_COMPARED:
            msg = f"compare 1 to {service.MAX_COMPARED} different scenarios"
            raise InvalidInputError(msg)
        wanted = [parse_id(i, "expansion scenario") for i in ids]
        found, rows = await context.read(service.compare_scenarios, context.user, wanted)
        return ExpansionComparison.from_domain(found, rows)


@strawberry.type
class ExpansionScenarioMutations:
    @strawberry.mutation(
        description="Store an expansion scenario and run it in the background: returns it "
        "queued at once. Admins; planners in their region. When the task queue is down the "
        "request fails with code UNAVAILABLE and nothing is stored."
    )
    @returns_problems
    async def create_expansion_scenario(
        self, info: Info, input: CreateExpansionScenarioInput
    ) -> ExpansionScenarioPayload:
        context = info.context
        settings = context.settings
        create = partial(
            queue_scenario, osm=settings.osm, redis=settings.redis, queue=settings.queue
        )
        found = await context.write(create, context.user, _question(input))
        return ExpansionScenario.from_domain(found)

    @strawberry.mutation(
        description="Stop a queued or running scenario (a running one at its next progress "
        "report; it keeps no result). IllegalTransition once it has finished."
    )
    @returns_problems
    async def cancel_expansion_scenario(
        self, info: Info, input: CancelExpansionScenarioInput
    ) -> ExpansionScenarioPayload:
        context = info.context
        scenario_id = parse_id(input.id, "expansion scenario")
        found = await context.write(service.cancel_scenario, context.user, scenario_id)
        return ExpansionScenario.from_domain(found)
