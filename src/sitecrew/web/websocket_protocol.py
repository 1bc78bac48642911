"""The ``graphql-transport-ws`` messages and the checks made on them before anything runs.

Kept apart from the connection's state machine (:mod:`sitecrew.web.websocket_view`): reading a
message, finding the bearer secret, pricing a subscription and shaping errors are pure
functions of what the client sent, each testable without a socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse

from sitecrew.api.cost import CostLimits, operation_cost
from sitecrew.api.errors import rewrite_errors
from sitecrew.errors import InvalidInputError, SitecrewError
from sitecrew.web.auth import bearer_secret
from sitecrew.web.http_errors import error_extensions

if TYPE_CHECKING:
    from collections.abc import Mapping

    from graphql import GraphQLFormattedError
    from starlette.datastructures import Headers
    from strawberry import Schema

    from sitecrew.config import ServerSettings
    from sitecrew.domain.access import Principal

#: Close reasons are at most 123 bytes (RFC 6455 5.5).
REASON_LENGTH = 100


class OperationNotAllowedError(InvalidInputError):
    """A query or mutation sent over the WebSocket, which serves subscriptions only."""

    code = "OPERATION_NOT_ALLOWED"


class TooManySubscriptionsError(InvalidInputError):
    """One subscription more than a connection may run at once."""

    code = "TOO_MANY_SUBSCRIPTIONS"


class QueryTooCostlyError(InvalidInputError):
    """A subscription whose results would each cost more than ``max_cost`` (as on HTTP)."""

    code = "QUERY_TOO_COSTLY"


class CloseConnection(Exception):  # noqa: N818  (a signal to close the connection, not a failure)
    """The connection must close with this code and reason (a protocol violation)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason[:REASON_LENGTH]


@dataclass(frozen=True)
class SubscribeRequest:
    """One ``subscribe`` message, checked for shape."""

    id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> SubscribeRequest:
        """Read a ``subscribe`` message; a malformed one closes the connection (4400)."""
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or not isinstance(payload, dict):
            raise CloseConnection(4400, "Invalid subscribe message")
        query, variables = payload.get("query"), payload.get("variables")
        name = payload.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(name, str | None)
        ):
            raise CloseConnection(4400, "Invalid subscribe payload")
        return cls(operation_id, query, variables, name)


def secret_from(payload: dict[str, Any], headers: Headers) -> str:
    """Return the bearer secret of a connection: from ``connection_init``, else the upgrade.

    Raises
    ------
    UnauthenticatedError
        When neither carries a bearer token.
    """
    for key in ("Authorization", "authorization"):
        value = payload.get(key)
        if isinstance(value, str):
            return bearer_secret(value)
    token = payload.get("token")
    if isinstance(token, str) and token.strip():
        scheme, _, rest = token.strip().partition(" ")
        return rest.strip() if scheme.lower() == "bearer" and rest.strip() else token.strip()
    return bearer_secret(headers.get("authorization"))


def operation_type(request: SubscribeRequest, *, max_tokens: int) -> OperationType | None:
    """Return the type of the operation asked for (None when the document does not say).

    A document that does not parse gets None: the schema then reports its error with a code.

    Raises
    ------
    OperationNotAllowedError
        When the document parses but names no one operation (several and no ``operationName``,
        or a name it does not hold). strawberry would pick the first operation itself: a
        subscription then ran unnamed, and a query first failed as INTERNAL past this check.
    """
    try:
        document = parse(request.query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, request.operation_name)
    if operation is None:
        msg = "name one operation of the document in operationName (the subscription to run)"
        raise OperationNotAllowedError(msg)
    return operation.operation


def subscription_cost(schema: Schema, request: SubscribeRequest, settings: ServerSettings) -> int:
    """Return the cost of one result of the subscription asked for (0: a broken document).

    strawberry runs the schema's cost check only for queries and mutations, so the WebSocket
    prices each subscription itself, with the budget and caps of HTTP. A document that does
    not parse costs nothing here: the schema then reports its error with a code.
    """
    try:
        document = parse(request.query, no_location=True, max_tokens=settings.max_tokens)
        return operation_cost(
            schema._schema,  # noqa: SLF001  (graphql-core's schema behind strawberry's)
            document,
            operation_name=request.operation_name,
            variables=request.variables,
            limits=CostLimits.from_settings(settings),
        )
    except GraphQLError:
        return 0


def formatted_errors(
    errors: list[GraphQLError], operation: str | None, principal: Principal | None = None
) -> list[GraphQLFormattedError]:
    """Return errors as a client may see them, with the same codes and masking as on HTTP.

    The schema rewrites what it reports (``process_errors``); an error that still carries its
    original exception did not pass through that, so it is rewritten here by the same rules.
    """
    if any(error.original_error is not None for error in errors):
        rewrite_errors(errors, operation, principal)
    return [error.formatted for error in errors]


def refusal(error: SitecrewError) -> list[GraphQLFormattedError]:
    """Return the errors of an ``error`` message that refuses a subscription with a code."""
    return [GraphQLError(str(error), extensions=error_extensions(error.code)).formatted]


def decoded_message(message: Mapping[str, Any]) -> dict[str, Any]:
    """Return a text frame's JSON object; anything else closes the connection (4400)."""
    text = message.get("text")
    if text is None:
        raise CloseConnection(4400, "WebSocket message type must be text")
    try:
        decoded = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise CloseConnection(4400, "WebSocket message must be valid JSON") from None
    if not isinstance(decoded, dict):
        raise CloseConnection(4400, "Failed to parse message")
    return decoded
