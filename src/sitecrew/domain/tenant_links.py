"""Tenant self-service links: the signed token in a tenant's URL, and what a tenant may answer.

A link token names a stored link (its id) and the link's version, signed with the server's
secret (HMAC-SHA256): ``sct1.<id>.<version>.<signature>``. The database keeps only the id, the
version, the expiry and whether it was revoked, so someone who reads the database (or a backup)
cannot make a link; revoking or re-issuing bumps the version, and every token of an older
version stops working. The same id and version always give the same token, so a link can be
shown again (GraphQL, the mail merge) without storing it.

A form on the tenant's page carries a nonce signed for the link, the action and the version of
the home it was shown with: a page another site makes cannot post a valid one, and a form shown
before the visit changed is refused rather than applied to a changed visit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from enum import StrEnum

from sitecrew.errors import UnauthenticatedError

#: Marks a Sitecrew tenant link token (the version of this format comes with it).
LINK_PREFIX = "sct1"
#: The one answer for every refused link, so a caller cannot tell a forged one from a revoked one.
REFUSED_LINK = "this link is not valid: it may have expired or been replaced by a newer one"
#: Longest token accepted (anything longer is refused before any work is done).
MAX_TOKEN_LENGTH = 120


class AccessChoice(StrEnum):
    """How the crew gets in, as the tenant said."""

    HOME = "home"  # the tenant is at home
    CARETAKER_KEY = "caretaker_key"  # the tenant leaves a key with the caretaker
    MASTER_KEY = "master_key"  # the crew may use the housing company's master key


def _signature(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_link(secret: str, link_id: int, version: int) -> str:
    """Return the token of version ``version`` of link ``link_id``."""
    payload = f"{LINK_PREFIX}.{link_id}.{version}"
    return f"{payload}.{_signature(secret, 'link:' + payload)}"


def is_link_token(secret: str) -> bool:
    """Tell whether a bearer secret looks like a tenant link (not an API token)."""
    return secret.startswith(LINK_PREFIX + ".")


def read_link(secret: str | None, token: str) -> tuple[int, int]:
    """Return the link id and version a token names, after checking its signature.

    Raises
    ------
    UnauthenticatedError
        When no secret is configured, or the token is garbled, too long or not signed by it
        (one message for all).
    """
    if secret is None or len(token) > MAX_TOKEN_LENGTH:
        raise UnauthenticatedError(REFUSED_LINK)
    prefix, _, rest = token.partition(".")
    link, _, rest = rest.partition(".")
    version, _, signature = rest.partition(".")
    if prefix != LINK_PREFIX or not (link.isascii() and link.isdigit()):
        raise UnauthenticatedError(REFUSED_LINK)
    if not (version.isascii() and version.isdigit()) or len(link) > 12 or len(version) > 9:  # noqa: PLR2004
        raise UnauthenticatedError(REFUSED_LINK)
    expected = _signature(secret, f"link:{prefix}.{link}.{version}")
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise UnauthenticatedError(REFUSED_LINK)
    return int(link), int(version)


def form_nonce(secret: str, token: str, action: str, version: int) -> str:
    """Return the nonce a form of the tenant's page carries for ``action`` at ``version``."""
    return _signature(secret, f"form:{token}:{action}:{version}")


def nonce_matches(secret: str, token: str, action: str, version: int, nonce: str) -> bool:
    """Tell whether ``nonce`` was made by :func:`form_nonce` for these values."""
    expected = form_nonce(secret, token, action, version)
    return hmac.compare_digest(expected.encode(), nonce.encode("utf-8", "replace"))
