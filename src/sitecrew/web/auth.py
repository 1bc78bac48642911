"""Bearer-token authentication shared by every endpoint that needs a caller.

One authenticator per app, so the GraphQL endpoint, its WebSocket and the route downloads trust
the same tokens the same way and share one cache of recent answers. The cache holds an answer
for at most :data:`TOKEN_CACHE_SECONDS` (and never past the token's expiry), so a token revoked
with ``sitecrew token revoke`` stops working within a second in every server process, while a
busy client still costs one token lookup per half second rather than one per request. A tenant's
self-service link token (``sct1.…``, issue 16) is a bearer secret too: it speaks for one tenant
(``Role.TENANT``) and is revoked the same way (``sitecrew campaign links --revoke``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import anyio.to_thread

from sitecrew.domain.tenant_links import is_link_token
from sitecrew.errors import UnauthenticatedError
from sitecrew.services.access import authenticate
from sitecrew.services.tenant_links import authenticate_link

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.datastructures import Headers

    from sitecrew.domain.access import Principal
    from sitecrew.services.access import Authenticated

#: How long an authenticated token is trusted without asking the database again (seconds).
#: A revoked token therefore stops working within this time (plus one lookup).
TOKEN_CACHE_SECONDS = 0.5
#: Cached answers kept at most; beyond it the cache starts afresh (only valid tokens get in).
MAX_CACHED_TOKENS = 10_000
MISSING_TOKEN_MESSAGE = "authentication required: send 'Authorization: Bearer <token>'"  # noqa: S105  (a message, not a secret)


def bearer_secret(authorization: str | None) -> str:
    """Return the secret of an ``Authorization: Bearer <secret>`` value.

    Raises
    ------
    UnauthenticatedError
        When the value is missing or not a bearer credential.
    """
    scheme, _, secret = (authorization or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise UnauthenticatedError(MISSING_TOKEN_MESSAGE)
    return secret


class BearerAuthenticator:
    """Turn a bearer secret into a principal, off the event loop."""

    def __init__(self, sessions: sessionmaker[Session], *, link_secret: str | None = None) -> None:
        self._sessions = sessions
        self._link_secret = link_secret  # tenant links (``sct1.…``) are checked with it
        self._cache: dict[str, tuple[Principal, float]] = {}

    async def principal(self, headers: Headers) -> Principal:
        """Return who sent these headers.

        Raises
        ------
        UnauthenticatedError
            When there is no bearer token, or it is unknown, revoked or expired.
        """
        return await self.principal_for(bearer_secret(headers.get("authorization")))

    async def principal_for(self, secret: str, *, fresh: bool = False) -> Principal:
        """Return whom ``secret`` speaks for; ``fresh`` asks the database, whatever is cached.

        Raises
        ------
        UnauthenticatedError
            When the token is unknown, revoked or expired.
        """
        cached = None if fresh else self._cache.get(secret)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        self._cache.pop(secret, None)
        found = await anyio.to_thread.run_sync(self._authenticate, secret)
        self._remember(secret, found)
        return found.principal

    def _remember(self, secret: str, found: Authenticated) -> None:
        trusted_for = TOKEN_CACHE_SECONDS
        if found.expires_at is not None:
            left = (found.expires_at - datetime.now(UTC)).total_seconds()
            trusted_for = min(trusted_for, left)
        if len(self._cache) >= MAX_CACHED_TOKENS:
            self._cache.clear()
        self._cache[secret] = (found.principal, time.monotonic() + trusted_for)

    def _authenticate(self, secret: str) -> Authenticated:
        with self._sessions() as session:
            if is_link_token(secret):
                return authenticate_link(session, self._link_secret, secret)
            return authenticate(session, secret)
