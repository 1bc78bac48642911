"""Mutations on depots, crews (their basic fields) and crew members.

Admins everywhere, planners in their own region; a crew starts from a depot of its own region.
A crew's calendar (weekly pattern, active dates, minimum size) and members' absences have
mutations of their own. Updates and deletes take the version read (stale: Conflict).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.editing import (
    VERSION_FIELD,
    VersionedDeleteInput,
    delete_versioned,
    given,
    given_id,
    given_point,
    update_versioned,
)
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.mutations.sites import DeletePayload
from sitecrew.api.types.enums import CrewRole, Skill
from sitecrew.api.types.places import REGION_FIELD
from sitecrew.api.types.work import Crew, CrewMember, Depot
from sitecrew.domain import crews as dc
from sitecrew.domain.geo import point_from_lon_lat
from sitecrew.domain.ids import parse_id, parse_optional_id
from sitecrew.services import crews as crew_service
from sitecrew.services import regions as region_service

Info = strawberry.Info[Context, None]
DepotPayload = Annotated[
    Depot | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("DepotPayload")
]
CrewPayload = Annotated[
    Crew | InvalidInput | NotFound | Forbidden | Conflict, strawberry.union("CrewPayload")
]
CrewMemberPayload = Annotated[
    CrewMember | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("CrewMemberPayload"),
]
_DEFAULT = dc.Crew("default", 1, 1)


@strawberry.input
class CreateDepotInput:
    region: str = strawberry.field(description=REGION_FIELD)
    name: str
    lon: float
    lat: float
    address: str | None = None


@strawberry.input(description="Fields left out stay as they are; null clears optional ones.")
class UpdateDepotInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    name: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    lon: float | None = strawberry.UNSET
    lat: float | None = strawberry.UNSET


@strawberry.input(description="A crew: its day runs from its depot, shift_start to shift_end.")
class CreateCrewInput:
    region: str = strawberry.field(description=REGION_FIELD)
    name: str
    depot_id: strawberry.ID = strawberry.field(description="A depot of the same region.")
    organisation_id: strawberry.ID | None = None
    shift_start: dt.time = _DEFAULT.shift_start
    shift_end: dt.time = _DEFAULT.shift_end
    lunch_minutes: int = _DEFAULT.lunch_minutes
    lunch_earliest: dt.time = _DEFAULT.lunch_earliest
    lunch_latest: dt.time = _DEFAULT.lunch_latest
    max_jobs_per_day: int = _DEFAULT.max_jobs_per_day
    skills: list[Skill] = strawberry.field(default_factory=list)


@strawberry.input(description="Fields left out stay as they are; null clears optional ones.")
class UpdateCrewInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    name: str | None = strawberry.UNSET
    depot_id: strawberry.ID | None = strawberry.UNSET
    organisation_id: strawberry.ID | None = strawberry.UNSET
    shift_start: dt.time | None = strawberry.UNSET
    shift_end: dt.time | None = strawberry.UNSET
    lunch_minutes: int | None = strawberry.UNSET
    lunch_earliest: dt.time | None = strawberry.UNSET
    lunch_latest: dt.time | None = strawberry.UNSET
    max_jobs_per_day: int | None = strawberry.UNSET
    skills: list[Skill] | None = strawberry.UNSET


@strawberry.input(description="A person in a crew; a trainee has role TRAINEE.")
class CreateCrewMemberInput:
    crew_id: strawberry.ID
    name: str
    role: CrewRole = dc.CrewRole.MEMBER
    skills: list[Skill] = strawberry.field(default_factory=list)
    training_completed_on: dt.date | None = None


@strawberry.input(description="Fields left out stay as they are; null clears optional ones.")
class UpdateCrewMemberInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    crew_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Move the member to another crew of yours."
    )
    name: str | None = strawberry.UNSET
    role: CrewRole | None = strawberry.UNSET
    skills: list[Skill] | None = strawberry.UNSET
    training_completed_on: dt.date | None = strawberry.UNSET


def _new_depot(data: CreateDepotInput, region_id: int) -> dc.Depot:
    return dc.Depot(data.name, region_id, point_from_lon_lat(data.lon, data.lat), data.address)


def _new_crew(data: CreateCrewInput, region_id: int) -> dc.Crew:
    return dc.Crew(
        data.name,
        region_id,
        parse_id(data.depot_id, "depot"),
        shift_start=data.shift_start,
        shift_end=data.shift_end,
        lunch_minutes=data.lunch_minutes,
        lunch_earliest=data.lunch_earliest,
        lunch_latest=data.lunch_latest,
        max_jobs_per_day=data.max_jobs_per_day,
        skills=frozenset(data.skills),
        organisation_id=parse_optional_id(data.organisation_id, "organisation"),
    )


def _crew_changes(data: UpdateCrewInput) -> dict[str, object]:
    fields = ("name", "shift_start", "shift_end", "lunch_minutes", "lunch_earliest")
    values = given(data, *fields, "lunch_latest", "max_jobs_per_day", "skills")
    if "skills" in values:
        values["skills"] = frozenset(values["skills"])
    return {
        **values,
        **given_id(data, "depot_id", what="depot"),
        **given_id(data, "organisation_id", what="organisation", nullable=True),
    }


def _new_member(data: CreateCrewMemberInput) -> dc.CrewMember:
    return dc.CrewMember(
        parse_id(data.crew_id, "crew"),
        data.name,
        data.role,
        frozenset(data.skills),
        data.training_completed_on,
    )


def _member_changes(data: UpdateCrewMemberInput) -> dict[str, object]:
    optional = frozenset({"training_completed_on"})
    values = given(data, "name", "role", "skills", "training_completed_on", nullable=optional)
    if "skills" in values:
        values["skills"] = frozenset(values["skills"])
    return {**values, **given_id(data, "crew_id", what="crew")}


@strawberry.type
class TeamMutations:
    @strawberry.mutation(description="Register a depot (admins and the region's planners).")
    @returns_problems
    async def create_depot(self, info: Info, input: CreateDepotInput) -> DepotPayload:
        stored = await info.context.write(
            region_service.in_region,
            info.context.user,
            input.region,
            crew_service.register_depot,
            partial(_new_depot, input),
        )
        return Depot.from_domain(stored)

    @strawberry.mutation(description="Rename or move a depot within its region.")
    @returns_problems
    async def update_depot(self, info: Info, input: UpdateDepotInput) -> DepotPayload:
        values = {
            **given(input, "name", "address", nullable=frozenset({"address"})),
            **given_point(input),
        }
        stored = await update_versioned(info, crew_service.update_depot, input, values)
        return Depot.from_domain(stored)

    @strawberry.mutation(description="Delete a depot no crew starts from.")
    @returns_problems
    async def delete_depot(self, info: Info, input: VersionedDeleteInput) -> DeletePayload:
        return await delete_versioned(info, crew_service.delete_depot, input)

    @strawberry.mutation(description="Register a crew at a depot of its region.")
    @returns_problems
    async def create_crew(self, info: Info, input: CreateCrewInput) -> CrewPayload:
        stored = await info.context.write(
            region_service.in_region,
            info.context.user,
            input.region,
            crew_service.register_crew,
            partial(_new_crew, input),
        )
        return Crew.from_domain(stored)

    @strawberry.mutation(
        description="Change a crew's name, depot, organisation, shift, lunch, capacity or skills."
    )
    @returns_problems
    async def update_crew(self, info: Info, input: UpdateCrewInput) -> CrewPayload:
        stored = await update_versioned(
            info, crew_service.update_crew, input, _crew_changes(input)
        )
        return Crew.from_domain(stored)

    @strawberry.mutation(
        description="Delete a crew without routes, maintenance records or tokens (and its members)."
    )
    @returns_problems
    async def delete_crew(self, info: Info, input: VersionedDeleteInput) -> DeletePayload:
        return await delete_versioned(info, crew_service.delete_crew, input)

    @strawberry.mutation(description="Add a member (or trainee) to a crew you plan.")
    @returns_problems
    async def create_crew_member(
        self, info: Info, input: CreateCrewMemberInput
    ) -> CrewMemberPayload:
        stored = await info.context.write(
            crew_service.register_crew_member, info.context.user, _new_member(input)
        )
        return CrewMember.from_domain(stored)

    @strawberry.mutation(description="Change a member, or move them to another crew of yours.")
    @returns_problems
    async def update_crew_member(
        self, info: Info, input: UpdateCrewMemberInput
    ) -> CrewMemberPayload:
        stored = await update_versioned(
            info, crew_service.update_crew_member, input, _member_changes(input)
        )
        return CrewMember.from_domain(stored)

    @strawberry.mutation(description="Remove a member from their crew (with their absences).")
    @returns_problems
    async def delete_crew_member(self, info: Info, input: VersionedDeleteInput) -> DeletePayload:
        return await delete_versioned(info, crew_service.delete_crew_member, input)
