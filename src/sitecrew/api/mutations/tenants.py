"""Tenants' personal data through the API: erase it (admins), read who handled it (admins).

``personalDataLog`` is itself personal data (who read which tenant), so only admins read it;
reading it shows no tenant's contact and leaves no ``read`` line of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.cost import PERSONAL_DATA_LOG_MAX
from sitecrew.api.mutations.problems import Forbidden, InvalidInput, NotFound, returns_problems
from sitecrew.api.pagination import decode_cursor, encode_cursor
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


@strawberry.type(
    description="Who imported, edited, exported, read or erased tenants' data, when, and what."
)
class PersonalDataLogLine:
    id: strawberry.ID
    cursor: str = strawberry.field(description="Pass as `after` for the lines before this one.")
    at: dt.datetime
    actor: str = strawberry.field(
        description="`api:<role>:token/<id>` (see `sitecrew token list`) or `cli:<user>@<host>`."
    )
    action: str = strawberry.field(
        description="`import:<kind>`, `edit:tenant`, `export:tenant_links`, `read` or `erase`."
    )
    subject: str = strawberry.field(
        description="The file, `apartment/<id>`, `campaign/<id>`, or for a read the operation "
        "(`graphql <type> <name>: <root fields>`)."
    )
    file_sha256: str | None
    rows_read: int | None = strawberry.field(description="Rows read, for imports.")
    apartment_ids: list[strawberry.ID] = strawberry.field(
        description="The apartments the line is about."
    )
    fields: list[str] = strawberry.field(
        description="For a read: which tenant fields were shown (`tenant.name`, `tenant.phone`, "
        "`tenant.email`, `accessNotes`, `recipient`), never their values."
    )

    @classmethod
    def from_domain(cls, line: tenant_service.PersonalDataLine) -> PersonalDataLogLine:
        """Convert the service's line (counts only; no personal data is ever logged)."""
        detail = line.detail or {}
        rows = detail.get("rows_read")
        groups = detail.get("read")
        read = {
            field
            for group in (groups if isinstance(groups, list) else [])
            for field in group.get("fields", [])
        }
        return cls(
            id=strawberry.ID(str(line.id)),
            cursor=encode_cursor(line.id),
            at=line.at,
            actor=line.actor,
            action=line.action,
            subject=line.subject,
            file_sha256=line.file_sha256,
            rows_read=rows if isinstance(rows, int) else None,
            apartment_ids=[strawberry.ID(str(a)) for a in line.apartment_ids],
            fields=sorted(read),
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
            "The personal-data log, newest first (admins only; at most "
            f"{PERSONAL_DATA_LOG_MAX} lines a page): imports, edits, exports, erasures and "
            "every staff read of tenants' data. Filters combine; `since` is inclusive, `until` "
            "exclusive; `after` takes a line's cursor for the older lines."
        )
    )
    async def personal_data_log(
        self,
        info: Info,
        *,
        first: int | None = None,
        after: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        apartment_id: strawberry.ID | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        last: Annotated[int | None, strawberry.argument(deprecation_reason="Use `first`.")] = None,
    ) -> list[PersonalDataLogLine]:
        context = info.context
        wanted = first if first is not None else (last if last is not None else 100)
        query = tenant_service.PersonalDataLogQuery(
            limit=max(1, min(wanted, PERSONAL_DATA_LOG_MAX)),
            actor=actor,
            action=action,
            apartment_id=None if apartment_id is None else parse_id(apartment_id, "apartment"),
            since=since,
            until=until,
            before_id=decode_cursor(after),
        )
        lines, _ = await context.read(tenant_service.personal_data_log, context.user, query)
        return [PersonalDataLogLine.from_domain(line) for line in lines]
