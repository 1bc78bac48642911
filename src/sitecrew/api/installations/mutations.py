"""Ordering and cancelling installations: one input, a union payload each."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.installations.types import Installation
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.domain.ids import parse_id
from sitecrew.domain.installations import CreateInstallation, InstallationLine
from sitecrew.services.care.installations import (
    CancelInstallation,
    cancel_installation,
    create_installation,
)

Info = strawberry.Info[Context, None]

InstallationPayload = Annotated[
    Installation | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("InstallationPayload"),
]
CancelInstallationPayload = Annotated[
    Installation | InvalidInput | NotFound | Forbidden | Conflict | IllegalTransition,
    strawberry.union("CancelInstallationPayload"),
]


@strawberry.input(description="Pieces of one catalogue model to install.")
class InstallationLineInput:
    model_id: strawberry.ID
    count: int
    minutes_per_piece: int | None = strawberry.field(
        default=None, description="Minutes to install one piece (default 90)."
    )


@strawberry.input(description="New furniture for a site, in a wanted window (default 4 weeks).")
class CreateInstallationInput:
    site_id: strawberry.ID
    lines: list[InstallationLineInput]
    wanted_from: date | None = None
    wanted_to: date | None = None
    notes: str | None = None


@strawberry.input
class CancelInstallationInput:
    id: strawberry.ID
    version: int


def _line(given: InstallationLineInput) -> InstallationLine:
    model_id = parse_id(given.model_id, "furniture model")
    if given.minutes_per_piece is None:
        return InstallationLine(model_id, given.count)
    return InstallationLine(model_id, given.count, given.minutes_per_piece)


@strawberry.type
class InstallationMutations:
    @strawberry.mutation(
        description="Order new furniture for a site: one job for two people with the van per "
        "crew-day of work (its parts), planned like any job (admins and the site's region's "
        "planners; others: FORBIDDEN). At most 200 pieces and 20 crew-days: INVALID_INPUT."
    )
    @returns_problems
    async def create_installation(
        self, info: Info, input: CreateInstallationInput
    ) -> InstallationPayload:
        context = info.context
        command = CreateInstallation(
            parse_id(input.site_id, "site"),
            tuple(_line(line) for line in input.lines),
            input.wanted_from,
            input.wanted_to,
            input.notes,
        )
        order = await context.write(create_installation, context.user, command)
        return Installation.from_domain(order)

    @strawberry.mutation(
        description="Cancel the parts of an installation still to do; parts done stay done "
        "(ILLEGAL_TRANSITION when nothing is left to cancel or a part is in progress)."
    )
    @returns_problems
    async def cancel_installation(
        self, info: Info, input: CancelInstallationInput
    ) -> CancelInstallationPayload:
        context = info.context
        command = CancelInstallation(parse_id(input.id, "installation"), input.version)
        order = await context.write(cancel_installation, context.user, command)
        return Installation.from_domain(order)
