"""The GraphQL endpoint: bearer-token authentication, per-request context, orjson responses.

Over HTTP every answer is GraphQL JSON: a request refused before execution (too large, not JSON,
wrong content type, refused batch, no token) gets ``{"errors": [...]}`` with an
``extensions.code`` and a 4xx status (:mod:`sitecrew.web.http_errors`); a batch shares one cost
budget; an answer above ``max_response_bytes`` is replaced by a RESPONSE_TOO_LARGE error.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response as HTTPResponse
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from sitecrew.api.context import Context
from sitecrew.api.cost import CostLimits, request_cost
from sitecrew.api.errors import (
    DATABASE_UNAVAILABLE,
    INTERNAL,
    UNAVAILABLE,
    UNEXPECTED,
)
from sitecrew.api.security import too_costly
from sitecrew.db.engine import read_session_factory, write_session_factory
from sitecrew.db.outages import database_unavailable
from sitecrew.errors import UnauthenticatedError
from sitecrew.web.http_errors import RequestError, error_body, error_response
from sitecrew.web.json_bytes import json_bytes
from sitecrew.web.request_body import (
    check_declared_length,
    content_type_of,
    limit_receive,
    operations_from_body,
)

if TYPE_CHECKING:
    from cross_web import AsyncHTTPRequestAdapter
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.responses import Response
    from starlette.types import Receive, Scope, Send
    from starlette.websockets import WebSocket
    from strawberry import Schema
    from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
    from strawberry.http.base import BaseRequestProtocol

    from sitecrew.config import Settings
    from sitecrew.domain.access import Principal
    from sitecrew.web.admission import Admission
    from sitecrew.web.auth import BearerAuthenticator

LOGGER = logging.getLogger("sitecrew.web")
CLIENT_LEFT = "the client closed the connection before the request was read"
CONTEXT_KEY = "sitecrew_context"


def _last_net(error: Exception, path: object) -> RequestError:
    """Answer a failure no resolver handled: 503 UNAVAILABLE or a logged 500 INTERNAL.

    A client that closed its connection before its body was read (a page navigated away) is
    no server fault: it is noted, not logged as an error.

    Authenticating the token reads the database, so while PostgreSQL restarts every request
    fails here, before any resolver: that is a 503 a retry outlives, not a server bug.
    """
    if database_unavailable(error):
        LOGGER.warning("database unavailable serving %s: %s", path, str(error).splitlines()[0])
        return RequestError(503, UNAVAILABLE, DATABASE_UNAVAILABLE, {"Retry-After": "2"})
    if isinstance(error, ClientDisconnect):  # a browser that left mid-upload: nobody to answer
        LOGGER.info("client left before its request to %s was read", path)
        return RequestError(400, "BAD_REQUEST", CLIENT_LEFT)
    LOGGER.error("unexpected error serving %s", path, exc_info=error)
    return RequestError(500, INTERNAL, UNEXPECTED)


class SitecrewGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with Sitecrew's context; unauthenticated requests get a 401."""

    def __init__(
        self,
        schema: Schema,
        *,
        sessions: sessionmaker[Session],
        settings: Settings,
        authenticator: BearerAuthenticator,
        admission: Admission,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,  # the console at /console serves GraphiQL without a CDN
            allow_queries_via_get=False,
        )
        self._sessions = sessions
        self._read_sessions = read_session_factory(sessions.kw["bind"])
        self._write_sessions = write_session_factory(sessions.kw["bind"])
        self._settings = settings
        self._authenticator = authenticator
        self._admission = admission
        self._cost_limits = CostLimits.from_settings(settings.server)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request, then release its database session."""
        try:
            if scope["type"] == "http":
                await self._serve_http(scope, receive, send)
            else:
                await super().__call__(scope, receive, send)
        finally:
            await _release_context(scope)

    async def _serve_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request; every refusal, even an unexpected failure, is GraphQL JSON.

        The body limit is checked on the declared length before anything runs, and on the bytes
        received while the body is read (a chunked body declares none). The request runs once
        admitted (:mod:`sitecrew.web.admission`) and gives its slot back with its session, before
        the answer is sent, so a slow reader holds neither.
        """
        limit = self._settings.server.max_request_bytes
        try:
            check_declared_length(Headers(scope=scope), limit)
            async with self._admission.admitted():
                try:
                    response = await self.run(
                        Request(scope, receive=limit_receive(receive, limit))
                    )
                finally:
                    await _release_context(scope)
        except HTTPException as error:
            response = error_response(error)
        except Exception as error:  # noqa: BLE001  (the last net: JSON 503/500, never HTML)
            response = error_response(_last_net(error, scope.get("path")))
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Never serve strawberry's GraphiQL (it loads a CDN): a GET is refused as a method."""
        return self.graphql_ide is not None and super().should_render_graphql_ide(request)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Return the operation or batch of a JSON POST; refuse anything else with a code."""
        if request.method != "POST":
            msg = "send GraphQL operations with POST"
            raise RequestError(405, "METHOD_NOT_ALLOWED", msg, {"Allow": "POST"})
        if content_type_of(request.content_type) != "application/json":
            msg = "send the operation as JSON with 'Content-Type: application/json'"
            raise RequestError(415, "UNSUPPORTED_MEDIA_TYPE", msg)
        body = await request.get_body()
        return operations_from_body(body, max_batch=self._settings.server.max_batch)

    async def execute_operation(  # noqa: PLR0917  (strawberry's signature)
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        """Run the operation or batch; a batch beyond the cost budget runs none of its parts."""
        if isinstance(request_data, list):
            refused = self._refuse_costly_batch(request_data)
            if refused is not None:
                return refused
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    def _refuse_costly_batch(
        self, operations: list[GraphQLRequestData]
    ) -> list[ExecutionResult] | None:
        """Return one QUERY_TOO_COSTLY result per operation when the batch costs too much.

        Each operation is also checked alone when it runs; the batch shares one budget so that
        ten operations cannot each spend the whole of it.
        """
        server = self._settings.server
        schema = self.schema._schema  # type: ignore[attr-defined]  # noqa: SLF001
        costs = [
            request_cost(
                schema,
                operation.query or "",
                operation_name=operation.operation_name,
                variables=operation.variables,
                limits=self._cost_limits,
                max_tokens=server.max_tokens,
            )
            for operation in operations
        ]
        total = sum(costs)
        if total <= server.max_cost:
            return None
        msg = f"the batch costs {total} together, beyond the limit of {server.max_cost}"
        return [ExecutionResult(data=None, errors=[too_costly(msg)]) for _ in operations]

    async def get_context(
        self,
        request: Request | WebSocket,
        response: Response | WebSocket,  # noqa: ARG002  (part of strawberry's signature)
    ) -> Context:
        """Authenticate the bearer token and build the request's context."""
        principal = await self._principal(request)
        context = Context(
            self._sessions,
            self._settings,
            principal,
            read_sessions=self._read_sessions,
            write_sessions=self._write_sessions,
        )
        request.state.__setattr__(CONTEXT_KEY, context)
        return context

    async def _principal(self, request: Request | WebSocket) -> Principal:
        try:
            return await self._authenticator.principal(request.headers)
        except UnauthenticatedError as error:
            headers = {"WWW-Authenticate": "Bearer"}
            raise RequestError(401, error.code, str(error), headers) from None

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """Answer HTTP with orjson bytes as they are (a viewport is ~0.5 MB: no str round trip).

        An answer above ``max_response_bytes`` is replaced by a RESPONSE_TOO_LARGE error (one
        per operation of a batch): the client asks for less or pages.
        """
        body = json_bytes(response_data)
        limit = self._settings.server.max_response_bytes
        if len(body) > limit:
            body = json_bytes(_too_large_answer(response_data, len(body), limit))
        response = HTTPResponse(body, status_code=200, media_type="application/json")
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    def encode_json(self, data: Any) -> str:
        """Encode with orjson, which passes pre-built FeatureCollections through untouched.

        Text rather than bytes, because WebSocket clients expect text frames (HTTP answers
        go through :meth:`create_response`).
        """
        return json_bytes(data).decode()


async def _release_context(scope: Scope) -> None:
    """Release the database session of the request in ``scope``, if it opened one."""
    context = scope.get("state", {}).get(CONTEXT_KEY)
    if isinstance(context, Context):
        await context.aclose()


def _too_large_answer(
    response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], size: int, limit: int
) -> object:
    """Return what replaces an answer of ``size`` bytes above ``limit``."""
    LOGGER.warning("answer of %d bytes refused (limit %d)", size, limit)
    msg = f"the answer is {size} bytes, more than the limit of {limit}; ask for less or page"
    answer = {"data": None, **error_body(msg, "RESPONSE_TOO_LARGE")}
    return [answer] * len(response_data) if isinstance(response_data, list) else answer
