"""A tenant's own visit in GraphQL (issue 16, item 2), under the ``tenant`` role.

A tenant authenticates with its link token as the bearer secret
(``Authorization: Bearer sct1.…``, the token in its page's address ``/t/<token>``). The
operations name no id: ``tenantVisit`` is the caller's own visit, and the mutations change it,
so there is nothing a tenant could swap for another home's id. Every other field refuses or
hides what a tenant asks for (``services.scoping``). A chosen window that no crew can make (any
more) is a ``Conflict`` with code ``WINDOW_NOT_OFFERED``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.domain.campaigns import HomeState
from sitecrew.domain.offers import MAX_OFFERS
from sitecrew.domain.tenant_links import AccessChoice, sign_link
from sitecrew.services.tenant_visits import book, change, read
from sitecrew.services.tenant_visits.calendar import tenant_calendar
from sitecrew.services.tenant_visits.home import TenantVisit as VisitFacts

Info = strawberry.Info[Context, None]
strawberry.enum(AccessChoice, name="TenantAccess", description="How the crew gets in.")
_VERSION = "The visit's version you last read (a stale one is a Conflict); null: no check."


@strawberry.type(description="A window the tenant may choose.")
class TenantOffer:
    date: dt.date
    window_start: dt.datetime
    window_end: dt.datetime


@strawberry.type(description="The caller's own visit (a tenant link's home in its campaign).")
class TenantVisit:
    campaign_name: str
    address: str
    unit: str
    state: HomeState
    date: dt.date | None
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    access: AccessChoice | None
    version: int
    changeable: bool = strawberry.field(description="Whether it may still be confirmed, moved…")
    calendar_url: str | None = strawberry.field(
        description="Path of the visit's .ics file (once it was confirmed; kept after a cancel)."
    )

    @classmethod
    def from_domain(cls, visit: VisitFacts, info: Info) -> TenantVisit:
        """Return the GraphQL view of the tenant's visit."""
        secret = info.context.settings.tenant_links.secret
        link_id = info.context.user.token_id
        url = None
        if visit.in_calendar and secret is not None and link_id is not None:
            url = f"/t/{sign_link(secret, link_id, visit.link_version)}/visit.ics"
        return cls(
            campaign_name=visit.campaign_name,
            address=visit.address,
            unit=visit.unit,
            state=visit.state,
            date=visit.day,
            window_start=visit.window_start,
            window_end=visit.window_end,
            access=visit.access,
            version=visit.version,
            changeable=visit.changeable,
            calendar_url=url,
        )

    @strawberry.field(
        description=f"Windows a crew can come in, from tomorrow for two weeks (1..{MAX_OFFERS})."
    )
    async def offers(self, info: Info, limit: int = 10) -> list[TenantOffer]:
        context = info.context
        found = await context.read(
            read.tenant_offers, context.user, osm=context.settings.osm, limit=limit
        )
        return [
            TenantOffer(date=o.day, window_start=o.window_start, window_end=o.window_end)
            for o in found
        ]

    @strawberry.field(description="The .ics file itself (null until the visit was confirmed).")
    async def calendar(self, info: Info) -> str | None:
        if self.calendar_url is None:
            return None
        ics = await info.context.read(tenant_calendar, info.context.user)
        return ics.decode()


_PROBLEMS = InvalidInput | NotFound | Forbidden | Conflict
TenantVisitPayload = Annotated[TenantVisit | _PROBLEMS, strawberry.union("TenantVisitPayload")]


@strawberry.input(description="Confirm the proposed time.")
class ConfirmTenantVisitInput:
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="Take an offered window (its start, as offered).")
class ChooseTenantVisitTimeInput:
    window_start: dt.datetime
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="Say how the crew gets in.")
class SetTenantAccessInput:
    access: AccessChoice
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.input(description="Cancel the visit at its time (the campaign proposes another).")
class CancelTenantVisitInput:
    version: int | None = strawberry.field(default=None, description=_VERSION)


@strawberry.type
class TenantVisitQueries:
    @strawberry.field(description="The caller's own visit (tenant links only).")
    async def tenant_visit(self, info: Info) -> TenantVisit:
        found = await info.context.read(read.tenant_visit, info.context.user)
        return TenantVisit.from_domain(found, info)


@strawberry.type
class TenantVisitMutations:
    @strawberry.mutation(description="Confirm the proposed time, if a crew can still make it.")
    @returns_problems
    async def confirm_tenant_visit(
        self, info: Info, input: ConfirmTenantVisitInput
    ) -> TenantVisitPayload:
        context = info.context
        command = book.ConfirmVisit(input.version)
        found = await context.write(
            book.confirm_tenant_visit, context.user, command, osm=context.settings.osm
        )
        return TenantVisit.from_domain(found, info)

    @strawberry.mutation(
        description="Book an offered window (checked again at once: WINDOW_NOT_OFFERED if taken)."
    )
    @returns_problems
    async def choose_tenant_visit_time(
        self, info: Info, input: ChooseTenantVisitTimeInput
    ) -> TenantVisitPayload:
        context = info.context
        command = book.ChooseTime(input.window_start, input.version)
        found = await context.write(
            book.choose_tenant_time, context.user, command, osm=context.settings.osm
        )
        return TenantVisit.from_domain(found, info)

    @strawberry.mutation(description="Say how the crew gets in.")
    @returns_problems
    async def set_tenant_access(
        self, info: Info, input: SetTenantAccessInput
    ) -> TenantVisitPayload:
        command = change.SetAccess(input.access, input.version)
        found = await info.context.write(change.set_tenant_access, info.context.user, command)
        return TenantVisit.from_domain(found, info)

    @strawberry.mutation(description="Cancel the visit at its time.")
    @returns_problems
    async def cancel_tenant_visit(
        self, info: Info, input: CancelTenantVisitInput
    ) -> TenantVisitPayload:
        command = change.CancelVisit(input.version)
        found = await info.context.write(change.cancel_tenant_visit, info.context.user, command)
        return TenantVisit.from_domain(found, info)
