"""Tenants' personal data through the API: erase it (admins), read who handled it (admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.cost import PERSONAL_DATA_LOG_MAX
from sitecrew.api.mutations.problems import Forbidden, InvalidInput, NotFound, returns_problems
from sitecrew.domain.ids import parse_id
from sitecrew.services import tenants as tenant_service
from sitecrew.services.personal_data import api_actor

Info = strawberry.Info[Context, None]


@strawberry.type(description="A tenant's name, phone and e-mail removed; the work history kept.")
class TenantErased:
    apartment_id: strawberry.ID
    erased_at: dt.datetime
    fields_cleared: list[str] = strawberry.field(
        description="Which of name, phone and email held a value and were cleared."
    )
    notes_scrubbed: int = strawberry.field(
        description="Notes (access notes, job and appointment notes) the values were removed from."
    )

    @classmethod
    def from_domain(cls, erasure: tenant_service.TenantErasure) -> TenantErased:
        """Convert the service's result."""
        return cls(
            apartment_id=strawberry.ID(str(erasure.apartment_id)),
            erased_at=erasure.erased_at,
            fields_cleared=list(erasure.fields_cleared),
            notes_scrubbed=erasure.notes_scrubbed,
        )


EraseTenantPayload = Annotated[
    TenantErased | InvalidInput | NotFound | Forbidden, strawberry.union("EraseTenantPayload")
]


@strawberry.input
class EraseTenantInput:
    apartment_id: strawberry.ID


@strawberry.type(description="Who imported or erased personal data, when, and from which file.")
class PersonalDataLogLine:
    id: strawberry.ID
    at: dt.datetime
    actor: str
    action: str
    subject: str
    file_sha256: str | None
    rows_read: int | None = strawberry.field(description="Rows read, for imports.")

    @classmethod
    def from_domain(cls, line: tenant_service.PersonalDataLine) -> PersonalDataLogLine:
        """Convert the service's line (counts only; no personal data is ever logged)."""
        rows = (line.detail or {}).get("rows_read")
        return cls(
            id=strawberry.ID(str(line.id)),
            at=line.at,
            actor=line.actor,
            action=line.action,
            subject=line.subject,
            file_sha256=line.file_sha256,
            rows_read=rows if isinstance(rows, int) else None,
        )


@strawberry.type
class TenantMutations:
    @strawberry.mutation(
        description=(
            "Erase a tenant's name, phone and e-mail everywhere Sitecrew keeps them (admins "
            "only); jobs, appointments and routes stay. Logged in the personal-data log."
        )
    )
    @returns_problems
    async def erase_tenant(self, info: Info, input: EraseTenantInput) -> EraseTenantPayload:
        context = info.context
        apartment_id = parse_id(input.apartment_id, "apartment")
        principal = context.user
        erasure = await context.write(
            tenant_service.erase_tenant, principal, apartment_id, actor=api_actor(principal)
        )
        return TenantErased.from_domain(erasure)


@strawberry.type
class TenantQueries:
    @strawberry.field(
        description=(
            "The newest lines of the personal-data log (admins only; at most "
            f"{PERSONAL_DATA_LOG_MAX})."
        )
    )
    async def personal_data_log(self, info: Info, last: int = 100) -> list[PersonalDataLogLine]:
        context = info.context
        limit = max(1, min(last, PERSONAL_DATA_LOG_MAX))
        lines = await context.read(tenant_service.personal_data_log, context.user, limit=limit)
        return [PersonalDataLogLine.from_domain(line) for line in lines]
