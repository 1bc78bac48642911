"""The GraphQL endpoint: bearer-token authentication, per-request context, orjson responses."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import orjson
from cross_web import HTTPException
from strawberry.asgi import GraphQL

from sitecrew.api.context import Context
from sitecrew.errors import UnauthenticatedError
from sitecrew.services.access import authenticate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import Receive, Scope, Send
    from starlette.websockets import WebSocket
    from strawberry import Schema

    from sitecrew.config import Settings
    from sitecrew.domain.access import Principal

CONTEXT_KEY = "sitecrew_context"
#: How long an authenticated token is trusted without asking the database again (seconds).
#: A revoked token therefore stops working within this time.
TOKEN_CACHE_SECONDS = 30.0


class SitecrewGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with Sitecrew's context; unauthenticated requests get a 401."""

    def __init__(
        self, schema: Schema, *, sessions: sessionmaker[Session], settings: Settings
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.server.development else None,
            allow_queries_via_get=False,
        )
        self._sessions = sessions
        self._settings = settings
        self._token_cache: dict[str, tuple[Principal, float]] = {}

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
        context = Context(self._sessions, self._settings, principal)
        request.state.__setattr__(CONTEXT_KEY, context)
        return context

    async def _principal(self, request: Request | WebSocket) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise HTTPException(
                401, "authentication required: send 'Authorization: Bearer <token>'"
            )
        secret = secret.strip()
        cached = self._token_cache.get(secret)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            principal = await anyio.to_thread.run_sync(self._authenticate, secret)
        except UnauthenticatedError as error:
            raise HTTPException(401, str(error)) from None
        self._token_cache[secret] = (principal, time.monotonic() + TOKEN_CACHE_SECONDS)
        return principal

    def _authenticate(self, secret: str) -> Principal:
        with self._sessions() as session:
            return authenticate(session, secret)

    def encode_json(self, data: Any) -> str:
        """Encode with orjson, which passes pre-built FeatureCollections through untouched.

        Text rather than bytes, because WebSocket clients expect text frames.
        """
        return orjson.dumps(data).decode()
