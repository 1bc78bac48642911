"""API tokens, one home for their use cases: create, list, revoke and authenticate.

Secrets are 256-bit random strings, so a plain SHA-256 digest is enough to store them safely
(slow password hashes are for low-entropy human passwords) and lets a request be authenticated
with one indexed lookup.

A token lasts :data:`DEFAULT_LIFETIME` unless its creator asks otherwise: a leaked secret stops
working on its own, and a credential that never expires (a service account) has to be asked for
explicitly, where ``sitecrew token list`` shows it. Tokens are managed by the operator, whoever
may run ``sitecrew`` against the database, so these use cases take no principal: there is no API
through which a token could create another.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.ids import parse_id, parse_optional_id
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.errors import InvalidInputError, UnauthenticatedError
from sitecrew.services._persist import save
from sitecrew.services.scoping import with_local_clock

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TOKEN_PREFIX = "sc_"  # noqa: S105 (a visible prefix that marks Sitecrew secrets, not a secret)
#: How long a token lasts when its creator does not say.
DEFAULT_LIFETIME = timedelta(days=90)
#: The longest lifetime one may ask for; beyond it, ask for a token that never expires.
LONGEST_LIFETIME = timedelta(days=3650)
#: Longest token name (the column's width).
NAME_LENGTH = 200
#: The one answer for every refused secret, so a caller cannot tell which tokens exist.
REFUSED = "invalid, revoked or expired API token"


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: everything but its secret."""

    id: int
    name: str
    role: Role
    region_id: int | None
    organisation_id: int | None
    crew_id: int | None
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def scope(self) -> str:
        """Say what the token is limited to (``"everything"`` for an unscoped one)."""
        for label, value in (
            ("crew", self.crew_id),
            ("organisation", self.organisation_id),
            ("region", self.region_id),
        ):
            if value is not None:
                return f"{label} {value}"
        return "everything"

    def is_active(self, now: datetime) -> bool:
        """Return whether the token authenticates at ``now`` (neither revoked nor expired)."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class IssuedToken(NamedTuple):
    """A new token: its secret (shown only now) and what may be shown about it later."""

    secret: str
    token: TokenInfo


@dataclass(frozen=True)
class Authenticated:
    """Whom a bearer secret speaks for, and until when (None: until revoked)."""

    principal: Principal
    expires_at: datetime | None


def hash_secret(secret: str) -> str:
    """Return the stored form of a token secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime_from_days(days: int | None, *, no_expiry: bool = False) -> timedelta | None:
    """Return the lifetime that ``--expires-in-days`` / ``--no-expiry`` ask for.

    ``None`` days means the default; ``no_expiry`` a token that lasts until it is revoked.

    Raises
    ------
    InvalidInputError
        When both are given, or the days fall outside 1 to the longest lifetime.
    """
    if no_expiry:
        if days is not None:
            raise InvalidInputError("ask for an expiry in days or for no expiry, not both")
        return None
    if days is None:
        return DEFAULT_LIFETIME
    if not 1 <= days <= LONGEST_LIFETIME.days:
        msg = (
            f"a token lasts 1 to {LONGEST_LIFETIME.days} days, not {days}; "
            "ask for no expiry for a long-lived service token"
        )
        raise InvalidInputError(msg)
    return timedelta(days=days)


def create_token(
    session: Session,
    *,
    name: str,
    role: Role,
    region_id: int | None = None,
    organisation_id: int | None = None,
    crew_id: int | None = None,
    lifetime: timedelta | None = DEFAULT_LIFETIME,
) -> IssuedToken:
    """Create a token that lasts ``lifetime`` (None: until revoked) and return its secret.

    Raises
    ------
    InvalidInputError
        For an empty or overlong name, a lifetime outside 0 to the longest allowed, a crew
        token naming no crew, or a contractor token naming no organisation or one that is
        not a contractor.
    NotFoundError
        When the named region, organisation or crew does not exist.
    """
    _check_request(name, lifetime)
    Principal(role, region_id=region_id, organisation_id=organisation_id, crew_id=crew_id)
    for model, entity_id in (
        (m.Region, parse_optional_id(region_id, "region")),
        (m.Organisation, parse_optional_id(organisation_id, "organisation")),
        (m.Crew, parse_optional_id(crew_id, "crew")),
    ):
        if entity_id is not None:
            get_or_raise(session, model, entity_id)
    if role is Role.CONTRACTOR and organisation_id is not None:
        _require_contractor(session, organisation_id)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = m.ApiToken(
        name=name.strip(),
        token_hash=hash_secret(secret),
        role=role.value,
        region_id=region_id,
        organisation_id=organisation_id,
        crew_id=crew_id,
        created_at=now,
        expires_at=None if lifetime is None else now + lifetime,
    )
    return IssuedToken(secret, _info(save(session, row)))


def _require_contractor(session: Session, organisation_id: int) -> None:
    """Refuse a contractor token for an owner or a maker: it would see no district's work."""
    organisation = get_or_raise(session, m.Organisation, organisation_id)
    if organisation.kind != OrganisationKind.CONTRACTOR.value:
        msg = (
            f"organisation {organisation_id} ({organisation.name}) is a {organisation.kind}, "
            "not a contractor: a contractor token needs a contractor"
        )
        raise InvalidInputError(msg)


def _check_request(name: str, lifetime: timedelta | None) -> None:
    if not name.strip() or len(name) > NAME_LENGTH:
        msg = f"a token's name has 1 to {NAME_LENGTH} characters, not {len(name.strip())}"
        raise InvalidInputError(msg)
    if lifetime is not None and not timedelta(0) < lifetime <= LONGEST_LIFETIME:
        msg = f"a token's lifetime is more than 0 and at most {LONGEST_LIFETIME.days} days"
        raise InvalidInputError(msg)


def list_tokens(session: Session) -> list[TokenInfo]:
    """Return every token, oldest first (revoked and expired ones too, marked as such)."""
    return [_info(row) for row in session.scalars(select(m.ApiToken).order_by(m.ApiToken.id))]


def revoke_token(session: Session, token_id: int) -> TokenInfo:
    """Revoke a token; requests with it are refused from now on (revoking twice keeps the first).

    Raises
    ------
    NotFoundError
        When no token has this id.
    """
    row = get_or_raise(session, m.ApiToken, parse_id(token_id, "token"))
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        save(session, row)
    return _info(row)


def authenticate(session: Session, secret: str) -> Authenticated:
    """Return whom a bearer secret speaks for, and until when.

    Raises
    ------
    UnauthenticatedError
        For an unknown, revoked or expired token (the message does not say which).
    """
    row = session.scalar(select(m.ApiToken).where(m.ApiToken.token_hash == hash_secret(secret)))
    if row is None:
        raise UnauthenticatedError(REFUSED)
    token = _info(row)
    if not token.is_active(datetime.now(UTC)):
        raise UnauthenticatedError(REFUSED)
    return Authenticated(with_local_clock(session, row.to_principal()), token.expires_at)


def _info(row: m.ApiToken) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        region_id=row.region_id,
        organisation_id=row.organisation_id,
        crew_id=row.crew_id,
        created_at=_utc(row.created_at),
        expires_at=_utc(row.expires_at),
        revoked_at=_utc(row.revoked_at),
    )


def _utc(moment: datetime | None) -> datetime | None:
    """Return ``moment`` in UTC: SQLite hands back the UTC wall time it stored, without zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
