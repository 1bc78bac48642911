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
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
import orjson
from graphql import OperationType
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.types.execution import PreExecutionError

from sitecrew.api.context import Context
from sitecrew.api.errors import INTERNAL, UNEXPECTED
from sitecrew.db.engine import read_session_factory, write_session_factory
from sitecrew.errors import SitecrewError, UnauthenticatedError
from sitecrew.logs import current_request_id, new_request_id, request_id_bound
from sitecrew.web.http_errors import error_extensions
from sitecrew.web.websocket_protocol import (
    CloseConnection,
    OperationNotAllowedError,
    QueryTooCostlyError,
    SubscribeRequest,
    TooManySubscriptionsError,
    decoded_message,
    formatted_errors,
    operation_type,
    refusal,
    secret_from,
    subscription_cost,
)

if TYPE_CHECKING:
    from anyio.abc import TaskGroup
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.types import Receive, Scope, Send
    from strawberry import Schema

    from sitecrew.config import Settings
    from sitecrew.domain.access import Principal
    from sitecrew.web.admission import Admission
    from sitecrew.web.auth import BearerAuthenticator

LOGGER = logging.getLogger("sitecrew.web.websocket")
PROTOCOL = "graphql-transport-ws"
#: Seconds a client has to send ``connection_init`` after connecting.
INIT_TIMEOUT_S = 10.0
#: Seconds between two checks of a connection's token while it runs subscriptions.
TOKEN_RECHECK_S = 2.0


class SubscriptionEndpoint:
    """The ASGI endpoint behind ``WebSocketRoute("/graphql")``."""

    def __init__(
        self,
        schema: Schema,
        *,
        sessions: sessionmaker[Session],
        settings: Settings,
        authenticator: BearerAuthenticator,
        admission: Admission | None = None,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.authenticator = authenticator
        self._admission = admission
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
            fresh_read_turn=None if self._admission is None else self._admission.turn,
        )


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
                await self._handle(decoded_message(message))
            except CloseConnection as close:
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
            raise CloseConnection(4400, f"Unknown message type: {kind!r}")
        await handler(message)

    async def _on_init(self, message: dict[str, Any]) -> None:
        if self._init_received:
            raise CloseConnection(4429, "Too many initialisation requests")
        self._init_received = True
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            raise CloseConnection(4400, "Invalid connection init payload")
        try:
            secret = secret_from(payload, self._websocket.headers)
            await self._endpoint.authenticator.principal_for(secret, fresh=True)
        except UnauthenticatedError:
            raise CloseConnection(4403, "Forbidden") from None
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
            raise CloseConnection(4401, "Unauthorized")
        request = SubscribeRequest.from_message(message)
        if request.id in self._operations:
            raise CloseConnection(4409, f"Subscriber for {request.id} already exists")
        self._subscribed += 1
        # The operation's own id: its task, started inside, keeps it; the next message does not.
        with request_id_bound(f"{self._request_id}.{self._subscribed}"):
            await self._start(request, self._secret)

    async def _start(self, request: SubscribeRequest, secret: str) -> None:
        """Check the token and the operation again, then run the subscription in a task."""
        try:
            principal = await self._endpoint.authenticator.principal_for(secret, fresh=True)
        except UnauthenticatedError as error:
            await self._refuse(request.id, error)
            raise CloseConnection(4403, "Forbidden") from None
        try:
            self._check_allowed(request)
        except SitecrewError as error:
            await self._refuse(request.id, error)
            return
        scope = anyio.CancelScope()
        self._operations[request.id] = scope
        assert self._tasks is not None  # noqa: S101  (serve() set it before receiving)
        self._tasks.start_soon(self._run, request, principal, scope)

    def _check_allowed(self, request: SubscribeRequest) -> None:
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
        self, request: SubscribeRequest, principal: Principal, scope: anyio.CancelScope
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

    async def _stream(self, request: SubscribeRequest, context: Context) -> None:
        """Send the subscription's results, holding no session between two of them."""
        results = await self._endpoint.schema.subscribe(
            request.query,
            variable_values=request.variables,
            context_value=context,
            operation_name=request.operation_name,
        )
        async with aclosing(results):
            async for result in results:
                errors = formatted_errors(
                    result.errors or [], request.operation_name, context.principal
                )
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
        await self._send({"id": operation_id, "type": "error", "payload": refusal(error)})

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
