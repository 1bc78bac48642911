"""The GraphQL endpoint: bearer-token authentication, per-request context, orjson responses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio.to_thread
import orjson
from cross_web import HTTPException
from starlette.responses import Response as HTTPResponse
from strawberry.asgi import GraphQL

from sitecrew.api.context import Context
from sitecrew.db.engine import read_session_factory, write_session_factory
from sitecrew.errors import UnauthenticatedError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import Receive, Scope, Send
    from starlette.websockets import WebSocket
    from strawberry import Schema
    from strawberry.http import GraphQLHTTPResponse

    from sitecrew.config import Settings
    from sitecrew.domain.access import Principal
    from sitecrew.web.auth import BearerAuthenticator

CONTEXT_KEY = "sitecrew_context"


class SitecrewGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with Sitecrew's context; unauthenticated requests get a 401."""

    def __init__(
        self,
        schema: Schema,
        *,
        sessions: sessionmaker[Session],
        settings: Settings,
        authenticator: BearerAuthenticator,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.server.development else None,
            allow_queries_via_get=False,
        )
        self._sessions = sessions
        self._read_sessions = read_session_factory(sessions.kw["bind"])
        self._write_sessions = write_session_factory(sessions.kw["bind"])
        self._settings = settings
        self._authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request, then release its database session."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            context = scope.get("state", {}).get(CONTEXT_KEY)
            if isinstance(context, Context):
                await anyio.to_thread.run_sync(context.close)

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
            raise HTTPException(401, str(error)) from None

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """Answer HTTP with orjson bytes as they are (a viewport is ~0.5 MB: no str round trip)."""
        response = HTTPResponse(
            orjson.dumps(response_data), status_code=200, media_type="application/json"
        )
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
        return orjson.dumps(data).decode()
