"""API tokens: creation (the secret is shown once) and authentication of bearer tokens.

Secrets are 256-bit random strings, so a plain SHA-256 digest is enough to store them safely
(slow password hashes are for low-entropy human passwords) and lets a request be authenticated
with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.access import Principal, Role
from sitecrew.errors import UnauthenticatedError
from sitecrew.services._persist import save

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TOKEN_PREFIX = "sc_"  # noqa: S105 (a visible prefix that marks Sitecrew secrets, not a secret)


def hash_secret(secret: str) -> str:
    """Return the stored form of a token secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session,
    *,
    name: str,
    role: Role,
    region_id: int | None = None,
    organisation_id: int | None = None,
    crew_id: int | None = None,
) -> tuple[str, Principal]:
    """Create a token and return its secret (shown only now) and whom it speaks for.

    Raises
    ------
    InvalidInputError
        When a crew token names no crew or a contractor token no organisation.
    NotFoundError
        When the named region, organisation or crew does not exist.
    """
    Principal(role, region_id=region_id, organisation_id=organisation_id, crew_id=crew_id)
    if region_id is not None:
        get_or_raise(session, m.Region, region_id)
    if organisation_id is not None:
        get_or_raise(session, m.Organisation, organisation_id)
    if crew_id is not None:
        get_or_raise(session, m.Crew, crew_id)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = m.ApiToken(
        name=name,
        token_hash=hash_secret(secret),
        role=role.value,
        region_id=region_id,
        organisation_id=organisation_id,
        crew_id=crew_id,
    )
    return secret, save(session, row).to_principal()


def authenticate(session: Session, secret: str) -> Principal:
    """Return the principal of a bearer secret.

    Raises
    ------
    UnauthenticatedError
        For an unknown or revoked token (the message does not say which).
    """
    row = session.scalar(select(m.ApiToken).where(m.ApiToken.token_hash == hash_secret(secret)))
    if row is None or row.revoked_at is not None:
        raise UnauthenticatedError("invalid or revoked API token")
    return row.to_principal()


def revoke_token(session: Session, token_id: int) -> None:
    """Revoke a token; requests with it are refused from now on."""
    row = get_or_raise(session, m.ApiToken, token_id)
    row.revoked_at = datetime.now(UTC)
    save(session, row)
