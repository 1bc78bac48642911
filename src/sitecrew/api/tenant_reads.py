"""Record every staff read of tenants' data before the answer leaves the server.

Resolvers that show a tenant's contact, an apartment's access notes or a message's recipient
call :func:`note_tenant_read` (in memory, no database call). :class:`RecordTenantReads` then
writes one personal-data log line per operation (``services.tenant_reads``): for a query or
mutation after it has run (HTTP, batch parts one by one, or over a WebSocket), for a
subscription before each of its results is sent.

**Fail closed.** A read that cannot be recorded is not answered: when the log line cannot be
written (database down, table locked, anything), the operation's data is withheld and the
client gets ``UNAVAILABLE`` ("try again"). A demanding privacy officer expects no unlogged read,
and a crew that retries a second later loses less than a tenant whose door code was read without
a trace. A mutation has already been committed by then; its answer is withheld all the same (its
version check makes a retry safe). A resolver that notes a read outside this extension (a schema
built without it) fails instead of showing the value.

The collector is per operation (a context variable set when the operation starts executing):
the parts of an HTTP batch run concurrently on one request context, and each part's line names
only what that part showed. Tenants' own reads (their self-service link) are not staff reads.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from sitecrew.api.errors import DATABASE_UNAVAILABLE, UNAVAILABLE
from sitecrew.domain.access import Role
from sitecrew.logs import current_request_id
from sitecrew.services.personal_data import api_actor
from sitecrew.services.tenant_reads import TenantReads, record_tenant_reads

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from graphql import DocumentNode

LOGGER = logging.getLogger("sitecrew.api")
#: The reads of the operation being executed (one per operation, see the module docstring).
_READS: ContextVar[TenantReads | None] = ContextVar("sitecrew_tenant_reads", default=None)
#: Longest operation description kept in the log line's subject.
_SUBJECT_MAX = 500
NOT_RECORDED = (
    "This answer shows tenants' personal data and its reading could not be recorded, so it is "
    "withheld. " + DATABASE_UNAVAILABLE
)


def note_tenant_read(apartment_id: int, field: str) -> None:
    """Remember that this operation shows ``field`` of ``apartment_id`` to the caller.

    Raises
    ------
    RuntimeError
        Outside an operation run by :class:`RecordTenantReads` (the value must not be shown).
    """
    reads = _READS.get()
    if reads is None:
        msg = "a tenant read outside RecordTenantReads would go unlogged"
        raise RuntimeError(msg)
    reads.note(apartment_id, field)


class RecordTenantReads(SchemaExtension):
    """Write one log line per operation (or subscription result) that showed tenants' data."""

    async def on_execute(self) -> AsyncIterator[None]:
        """Collect the operation's reads; record them before its answer is returned."""
        _READS.set(TenantReads())
        yield
        result = self.execution_context.result
        if result is not None:  # a subscription's results are recorded one by one below
            await self._record(result)

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        """Record what a subscription result (or a query over a WebSocket) showed, then send it."""
        await self._record(result)
        yield

    async def _record(self, result: Any) -> None:
        reads = _READS.get()
        if not reads:
            return
        taken = reads.take()
        context = self.execution_context.context
        principal = getattr(context, "principal", None)
        if principal is None or principal.role is Role.TENANT:
            return
        try:
            await context.write(
                record_tenant_reads,
                actor=api_actor(principal),
                operation=self._describe(),
                reads=taken,
                request_id=current_request_id(),
            )
        except Exception:  # any failure to record withholds the answer (fail closed)
            LOGGER.exception(
                "tenant data withheld: its reading could not be recorded",
                extra={"code": UNAVAILABLE, "operation": self.execution_context.operation_name},
            )
            result.data = None
            result.errors = [GraphQLError(NOT_RECORDED, extensions={"code": UNAVAILABLE})]

    def _describe(self) -> str:
        """Return ``graphql <type> <name>: <top-level fields>`` for the log line's subject."""
        context = self.execution_context
        kind = context.operation_type.value
        name = context.operation_name or "anonymous"
        fields = _top_fields(context.graphql_document, context.operation_name)
        return f"graphql {kind} {name}: {', '.join(fields)}"[:_SUBJECT_MAX]


def _top_fields(document: DocumentNode | None, name: str | None) -> list[str]:
    """Return the root fields the operation asked for (fragments at the root named ``...``)."""
    if document is None:
        return []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if name is None or (definition.name is not None and definition.name.value == name):
            return [
                selection.name.value if isinstance(selection, FieldNode) else "..."
                for selection in definition.selection_set.selections
            ]
    return []
