"""Bearer-token authentication shared by every endpoint that needs a caller.

One authenticator per app, so the GraphQL endpoint and the route downloads trust the same tokens
the same way and share one short-lived cache of recent answers.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import anyio.to_thread

from sitecrew.errors import UnauthenticatedError
from sitecrew.services.access import authenticate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.datastructures import Headers

    from sitecrew.domain.access import Principal

#: How long an authenticated token is trusted without asking the database again (seconds).
#: A revoked token therefore stops working within this time.
TOKEN_CACHE_SECONDS = 30.0
MISSING_TOKEN_MESSAGE = "authentication required: send 'Authorization: Bearer <token>'"  # noqa: S105  (a message, not a secret)


class BearerAuthenticator:
    """Turn an ``Authorization: Bearer …`` header into a principal, off the event loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._cache: dict[str, tuple[Principal, float]] = {}

    async def principal(self, headers: Headers) -> Principal:
        """Return who sent these headers.

        Raises
        ------
        UnauthenticatedError
            When there is no bearer token, or it is unknown, revoked or expired.
        """
        scheme, _, secret = headers.get("authorization", "").partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise UnauthenticatedError(MISSING_TOKEN_MESSAGE)
        cached = self._cache.get(secret)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        principal = await anyio.to_thread.run_sync(self._authenticate, secret)
        self._cache[secret] = (principal, time.monotonic() + TOKEN_CACHE_SECONDS)
        return principal

    def _authenticate(self, secret: str) -> Principal:
        with self._sessions() as session:
            return authenticate(session, secret)
