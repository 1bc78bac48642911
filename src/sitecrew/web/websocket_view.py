"""GraphQL subscriptions over WebSocket (``graphql-transport-ws``), one context per subscription.

strawberry's own WebSocket handler builds one context per connection, so a token revoked after
connecting kept working, DataLoaders remembered what the caller could see for as long as the
socket lived, queries and mutations ran over the socket beside HTTP's limits, subscriptions per
connection were unlimited, and the connection's session pinned a pooled database connection (on
SQLite an open read transaction, which stalled every writer). This endpoint speaks the same
protocol (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md) with these rules:

- a connection holds nothing but the bearer secret it was opened with (``connection_init``
  payload ``Authorization``/``authorization``/``token``, else the upgrade request's
  ``Authorization`` header);
- every ``subscribe`` checks that secret against the database again and gets a
  :class:`~sitecrew.api.context.Context` of its own (fresh loaders, the principal as it is now);
  a revoked or expired token gets ``UNAUTHENTICATED`` and the connection is closed (4403);
- while subscriptions run, the token is checked again every :data:`TOKEN_RECHECK_S` seconds:
  once it is revoked or expired each running subscription gets ``UNAUTHENTICATED`` and the
  connection is closed (4403), so a revoked token stops receiving even on an open stream;
- only subscriptions run here (``OPERATION_NOT_ALLOWED`` otherwise: HTTP serves the rest), at
  most ``max_subscriptions`` at once per connection (``TOO_MANY_SUBSCRIPTIONS``);
- errors carry the same codes and masking as on HTTP; each operation has a request id of its
  own (the connection's id and a counter: ``<id>.3``), in its log lines and its errors'
  ``extensions.requestId``;
- between two results a subscription holds no session, so an idle socket costs the database
  nothing.
"""

from __future__ import annotations

import logging
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.types.execution import PreExecutionError

from sitecrew.api.context import Context
from sitecrew.api.cost import CostLimits, operation_cost
from sitecrew.api.errors import INTERNAL, UNEXPECTED, rewrite_errors
from sitecrew.db.engine import read_session_factory, write_session_factory
from sitecrew.errors import InvalidInputError, SitecrewError, UnauthenticatedError
from sitecrew.logs import current_request_id, new_request_id, request_id_bound
from sitecrew.web.auth import bearer_secret
from sitecrew.web.http_errors import error_extensions

if TYPE_CHECKING:
    from collections.abc import Mapping

    from anyio.abc import TaskGroup
    from graphql import GraphQLFormattedError
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.datastructures import Headers
    from starlette.types import Receive, Scope, Send
    from strawberry import Schema

    from sitecrew.config import ServerSettings, Settings
    from sitecrew.domain.access import Principal
    from sitecrew.web.auth import BearerAuthenticator

LOGGER = logging.getLogger("sitecrew.web.websocket")
PROTOCOL = "graphql-transport-ws"
#: Seconds a client has to send ``connection_init`` after connecting.
INIT_TIMEOUT_S = 10.0
#: Close reasons are at most 123 bytes (RFC 6455 5.5).
REASON_LENGTH = 100
#: Seconds between two checks of a connection's token while it runs subscriptions.
TOKEN_RECHECK_S = 2.0


class OperationNotAllowedError(InvalidInputError):
    """A query or mutation sent over the WebSocket, which serves subscriptions only."""

    code = "OPERATION_NOT_ALLOWED"


class TooManySubscriptionsError(InvalidInputError):
    """One subscription more than a connection may run at once."""

    code = "TOO_MANY_SUBSCRIPTIONS"


class QueryTooCostlyError(InvalidInputError):
    """A subscription whose results would each cost more than ``max_cost`` (as on HTTP)."""

    code = "QUERY_TOO_COSTLY"


class _Close(Exception):  # noqa: N818  (a signal to close the connection, not a failure)
    """The connection must close with this code and reason (a protocol violation)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason[:REASON_LENGTH]


@dataclass(frozen=True)
class _Subscribe:
    """One ``subscribe`` message, checked for shape."""

    id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> _Subscribe:
        """Read a ``subscribe`` message; a malformed one closes the connection (4400)."""
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or not isinstance(payload, dict):
            raise _Close(4400, "Invalid subscribe message")
        query, variables = payload.get("query"), payload.get("variables")
        name = payload.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(name, str | None)
        ):
            raise _Close(4400, "Invalid subscribe payload")
        return cls(operation_id, query, variables, name)


class SubscriptionEndpoint:
    """The ASGI endpoint behind ``WebSocketRoute("/graphql")``."""

    def __init__(
        self,
        schema: Schema,
        *,
        sessions: sessionmaker[Session],
        settings: Settings,
        authenticator: BearerAuthenticator,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.authenticator = authenticator
        self._sessions = sessions
        self._read_sessions = read_session_factory(sessions.kw["bind"])
        self._write_sessions = write_session_factory(sessions.kw["bind"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one WebSocket connection until either side closes it."""
        websocket = WebSocket(scope, receive, send)
        if PROTOCOL not in scope.get("subprotocols", ()):
            await websocket.accept()
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        await websocket.accept(subprotocol=PROTOCOL)
        await _Connection(self, websocket).serve()

    def context_for(self, principal: Principal) -> Context:
        """Return a new context for one subscription of ``principal``."""
        return Context(
            self._sessions,
            self.settings,
            principal,
            read_sessions=self._read_sessions,
            write_sessions=self._write_sessions,
        )


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


def operation_type(request: _Subscribe, *, max_tokens: int) -> OperationType | None:
    """Return the type of the operation asked for (None when the document does not say).

    A document that does not parse gets None: the schema then reports its error with a code.
    """
    try:
        document = parse(request.query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, request.operation_name)
    return None if operation is None else operation.operation


def subscription_cost(schema: Schema, request: _Subscribe, settings: ServerSettings) -> int:
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


def _formatted(
    errors: list[GraphQLError], operation: str | None, principal: Principal | None = None
) -> list[GraphQLFormattedError]:
    """Return errors as a client may see them, with the same codes and masking as on HTTP.

    The schema rewrites what it reports (``process_errors``); an error that still carries its
    original exception did not pass through that, so it is rewritten here by the same rules.
    """
    if any(error.original_error is not None for error in errors):
        rewrite_errors(errors, operation, principal)
    return [error.formatted for error in errors]


def _refusal(error: SitecrewError) -> list[GraphQLFormattedError]:
    return [GraphQLError(str(error), extensions=error_extensions(error.code)).formatted]


class _Connection:
    """One client's socket: the protocol's state and the subscriptions it runs."""

    def __init__(self, endpoint: SubscriptionEndpoint, websocket: WebSocket) -> None:
        self._endpoint = endpoint
        self._websocket = websocket
        self._secret: str | None = None
        self._init_received = False
        self._closed = False
        self._operations: dict[str, anyio.CancelScope] = {}
        self._send_lock = anyio.Lock()
        self._tasks: TaskGroup | None = None
        self._request_id = current_request_id() or new_request_id()
        self._subscribed = 0

    async def serve(self) -> None:
        """Answer messages until the client leaves; then stop its subscriptions."""
        async with anyio.create_task_group() as tasks:
            self._tasks = tasks
            tasks.start_soon(self._close_unless_initialised)
            try:
                await self._receive_all()
            finally:
                tasks.cancel_scope.cancel()

    async def _receive_all(self) -> None:
        while True:
            message = await self._websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                await self._handle(_decoded(message))
            except _Close as close:
                await self._close(close.code, close.reason)
                return

    async def _handle(self, message: dict[str, Any]) -> None:
        handlers = {
            "connection_init": self._on_init,
            "ping": self._on_ping,
            "pong": self._on_pong,
            "subscribe": self._on_subscribe,
            "complete": self._on_complete,
        }
        kind = message.get("type")
        handler = handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            raise _Close(4400, f"Unknown message type: {kind!r}")
        await handler(message)

    async def _on_init(self, message: dict[str, Any]) -> None:
        if self._init_received:
            raise _Close(4429, "Too many initialisation requests")
        self._init_received = True
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            raise _Close(4400, "Invalid connection init payload")
        try:
            secret = secret_from(payload, self._websocket.headers)
            await self._endpoint.authenticator.principal_for(secret, fresh=True)
        except UnauthenticatedError:
            raise _Close(4403, "Forbidden") from None
        self._secret = secret
        await self._send({"type": "connection_ack"})
        assert self._tasks is not None  # noqa: S101  (serve() set it before receiving)
        self._tasks.start_soon(self._watch_token, secret)

    async def _on_ping(self, _message: dict[str, Any]) -> None:
        await self._send({"type": "pong"})

    async def _on_pong(self, _message: dict[str, Any]) -> None:
        """Answers to pings are welcome and need nothing."""

    async def _on_subscribe(self, message: dict[str, Any]) -> None:
        if self._secret is None:
            raise _Close(4401, "Unauthorized")
        request = _Subscribe.from_message(message)
        if request.id in self._operations:
            raise _Close(4409, f"Subscriber for {request.id} already exists")
        self._subscribed += 1
        # The operation's own id: its task, started inside, keeps it; the next message does not.
        with request_id_bound(f"{self._request_id}.{self._subscribed}"):
            await self._start(request, self._secret)

    async def _start(self, request: _Subscribe, secret: str) -> None:
        """Check the token and the operation again, then run the subscription in a task."""
        try:
            principal = await self._endpoint.authenticator.principal_for(secret, fresh=True)
        except UnauthenticatedError as error:
            await self._refuse(request.id, error)
            raise _Close(4403, "Forbidden") from None
        try:
            self._check_allowed(request)
        except SitecrewError as error:
            await self._refuse(request.id, error)
            return
        scope = anyio.CancelScope()
        self._operations[request.id] = scope
        assert self._tasks is not None  # noqa: S101  (serve() set it before receiving)
        self._tasks.start_soon(self._run, request, principal, scope)

    def _check_allowed(self, request: _Subscribe) -> None:
        server = self._endpoint.settings.server
        kind = operation_type(request, max_tokens=server.max_tokens)
        if kind is not None and kind is not OperationType.SUBSCRIPTION:
            msg = f"{kind.value} operations are not served over WebSocket: POST them to /graphql"
            raise OperationNotAllowedError(msg)
        cost = subscription_cost(self._endpoint.schema, request, server)
        if cost > server.max_cost:
            msg = f"query cost {cost} exceeds the limit of {server.max_cost}; ask for less"
            raise QueryTooCostlyError(msg)
        if len(self._operations) >= server.max_subscriptions:
            msg = f"a connection runs at most {server.max_subscriptions} subscriptions at once"
            raise TooManySubscriptionsError(msg)

    async def _on_complete(self, message: dict[str, Any]) -> None:
        scope = self._operations.pop(str(message.get("id")), None)
        if scope is not None:
            scope.cancel()

    async def _run(
        self, request: _Subscribe, principal: Principal, scope: anyio.CancelScope
    ) -> None:
        context = self._endpoint.context_for(principal)
        try:
            with scope:
                await self._stream(request, context)
        except Exception:  # a fault of ours: this subscription ends, the connection goes on
            LOGGER.exception("subscription %r failed", request.id[:40])
            masked = {"message": UNEXPECTED, "extensions": error_extensions(INTERNAL)}
            await self._send({"id": request.id, "type": "error", "payload": [masked]})
        finally:
            if self._operations.get(request.id) is scope:
                del self._operations[request.id]
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(context.close)

    async def _stream(self, request: _Subscribe, context: Context) -> None:
        """Send the subscription's results, holding no session between two of them."""
        results = await self._endpoint.schema.subscribe(
            request.query,
            variable_values=request.variables,
            context_value=context,
            operation_name=request.operation_name,
        )
        async with aclosing(results):
            async for result in results:
                errors = _formatted(result.errors or [], request.operation_name, context.principal)
                if isinstance(result, PreExecutionError):
                    await self._send({"id": request.id, "type": "error", "payload": errors})
                    return
                payload: dict[str, Any] = {"data": result.data}
                if errors:
                    payload["errors"] = errors
                await self._send({"id": request.id, "type": "next", "payload": payload})
                await context.between_results()
        await self._send({"id": request.id, "type": "complete"})

    async def _refuse(self, operation_id: str, error: SitecrewError) -> None:
        LOGGER.info(
            "%s: subscription %r refused: %s",
            error.code,
            operation_id[:40],
            error,
            extra={"code": error.code},
        )
        await self._send({"id": operation_id, "type": "error", "payload": _refusal(error)})

    async def _watch_token(self, secret: str) -> None:
        """End the running subscriptions and the connection once the token is revoked."""
        while not self._closed:
            await anyio.sleep(TOKEN_RECHECK_S)
            if not self._operations:
                continue  # nothing is being sent; the next subscribe checks the token anyway
            try:
                await self._endpoint.authenticator.principal_for(secret, fresh=True)
            except UnauthenticatedError as error:
                for operation_id in list(self._operations):
                    await self._refuse(operation_id, error)
                await self._close(4403, "Forbidden")
                assert self._tasks is not None  # noqa: S101  (serve() set it before starting this)
                self._tasks.cancel_scope.cancel()
                return
            except SQLAlchemyError:  # the database is away: the subscriptions report that
                LOGGER.warning("connection %s: token not checked (database)", self._request_id)

    async def _close_unless_initialised(self) -> None:
        await anyio.sleep(INIT_TIMEOUT_S)
        if self._secret is None and not self._closed:
            await self._close(4408, "Connection initialisation timeout")
            assert self._tasks is not None  # noqa: S101  (serve() set it before starting this)
            self._tasks.cancel_scope.cancel()

    async def _send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self._closed:
                return
            try:
                await self._websocket.send_text(orjson.dumps(message).decode())
            except (WebSocketDisconnect, RuntimeError):
                self._closed = True

    async def _close(self, code: int, reason: str) -> None:
        async with self._send_lock:
            if self._closed:
                return
            self._closed = True
            try:
                await self._websocket.close(code, reason)
            except (WebSocketDisconnect, RuntimeError):
                LOGGER.debug("socket already gone when closing it (%s)", code)


def _decoded(message: Mapping[str, Any]) -> dict[str, Any]:
    """Return a text frame's JSON object; anything else closes the connection (4400)."""
    text = message.get("text")
    if text is None:
        raise _Close(4400, "WebSocket message type must be text")
    try:
        decoded = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise _Close(4400, "WebSocket message must be valid JSON") from None
    if not isinstance(decoded, dict):
        raise _Close(4400, "Failed to parse message")
    return decoded
