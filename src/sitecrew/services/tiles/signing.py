"""Short-lived signed tile URLs: ``?tok=<token id>&exp=<unix>&sig=<hmac>``.

Map libraries fetch tiles without custom headers, so TileJSON hands out a URL template that
carries its own credential. The signature (HMAC-SHA256) binds the token's id, the layer's path
prefix (``/tiles/<layer>/``) and the expiry: it cannot be moved to another layer, extended or
lent to another token. The token itself is still checked on every use, so revoking it ends its
signed URLs too, and the caller's access rules apply as with the bearer header.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.domain.ids import parse_id
from sitecrew.errors import InvalidInputError, UnauthenticatedError
from sitecrew.services.scoping import with_local_clock

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

#: How long a signed URL lasts (seconds).
SIGNED_URL_SECONDS = 15 * 60
#: What keys this purpose's signatures apart from others made with the same secret.
_PURPOSE = b"sitecrew tiles v1\n"
EXPIRED = "this signed tile URL has expired: fetch the TileJSON again"
BAD_SIGNATURE = "this signed tile URL is not valid (signature does not match)"


def tile_key(secret: str) -> bytes:
    """Return the key tile URLs are signed with, derived from the server's secret."""
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def signature(key: bytes, token_id: int, prefix: str, expires: int) -> str:
    """Return the hex HMAC of the token id, path prefix and expiry."""
    message = f"{token_id}\n{prefix}\n{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(key: bytes, token_id: int, prefix: str, *, now: float | None = None) -> dict[str, str]:
    """Return the query parameters that let ``token_id`` fetch tiles under ``prefix``."""
    expires = int((now or time.time()) + SIGNED_URL_SECONDS)
    return {
        "tok": str(token_id),
        "exp": str(expires),
        "sig": signature(key, token_id, prefix, expires),
    }


def verify(key: bytes, params: dict[str, str], prefix: str, *, now: float | None = None) -> int:
    """Return the token id a signed URL speaks for.

    Raises
    ------
    UnauthenticatedError
        When the expiry has passed, or the signature does not match this path prefix.
    InvalidInputError
        When ``tok`` or ``exp`` is not a whole number.
    """
    token_id = parse_id(params.get("tok", ""), "tok")
    expires_text = params.get("exp", "")
    if not expires_text.isascii() or not expires_text.isdigit() or len(expires_text) > 12:  # noqa: PLR2004
        raise InvalidInputError("exp must be a unix time in whole seconds")
    expires = int(expires_text)
    expected = signature(key, token_id, prefix, expires)
    if not hmac.compare_digest(expected, params.get("sig", "")):
        raise UnauthenticatedError(BAD_SIGNATURE)
    if expires < (now or time.time()):
        raise UnauthenticatedError(EXPIRED)
    return token_id


def principal_for_token_id(session: Session, token_id: int) -> Principal:
    """Return whom an API token speaks for, by id, if it is still active.

    Raises
    ------
    UnauthenticatedError
        When the token does not exist, is revoked or has expired.
    """
    row = session.get(m.ApiToken, token_id)
    now = datetime.now(UTC)
    expires = None if row is None else row.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if row is None or row.revoked_at is not None or (expires is not None and expires <= now):
        raise UnauthenticatedError("invalid, revoked or expired API token")
    return with_local_clock(session, row.to_principal())
