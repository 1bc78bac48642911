"""What the register mutations share: partial updates, versioned deletes, points and tenants.

An update input's fields are all optional: a field left out stays as it is, and ``null`` clears
a field that may be empty (an apartment's tenant, a district's contractor). ``null`` for a field
that cannot be empty is InvalidInput naming the field, never a silent no-op.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry

from sitecrew.api.mutations.problems import Deleted
from sitecrew.domain.buildings import TenantContact
from sitecrew.domain.geo import point_from_lon_lat
from sitecrew.domain.ids import parse_id
from sitecrew.errors import InvalidInputError
from sitecrew.services.sites import Changes

if TYPE_CHECKING:
    from collections.abc import Callable

    from sitecrew.api.context import Context

StoredT = TypeVar("StoredT")

#: How update inputs describe their version field.
VERSION_FIELD = "The version you last read (stale: Conflict)."


@strawberry.input(description="Delete a row you read at `version` (stale: Conflict).")
class VersionedDeleteInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)


@strawberry.input(
    description="A tenant's contact (personal data: readable by admins, the region's planners "
    "and the crew visiting today)."
)
class TenantInput:
    name: str
    phone: str | None = None
    email: str | None = None

    def to_domain(self) -> TenantContact:
        """Validate and convert."""
        return TenantContact(self.name, self.phone, self.email)


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda match: match.group(1).upper(), name)


def given(data: Any, *fields: str, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Return the fields of an update input that were sent, by their (domain) names.

    Raises
    ------
    InvalidInputError
        When a field that cannot be empty was sent as ``null``.
    """
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(data, name)
        if value is strawberry.UNSET:
            continue
        if value is None and name not in nullable:
            msg = f"{_camel(name)} cannot be null; leave it out to keep it as it is"
            raise InvalidInputError(msg)
        values[name] = value
    return values


def given_id(data: Any, name: str, *, what: str, nullable: bool = False) -> dict[str, Any]:
    """Return ``{name: id}`` for an id field that was sent (``None`` when cleared), else ``{}``.

    Raises
    ------
    InvalidInputError
        When the id is malformed, or ``null`` for a reference that cannot be empty.
    NotFoundError
        When it is a number no row can have.
    """
    value = given(data, name, nullable=frozenset({name} if nullable else ()))
    if not value:
        return {}
    raw = value[name]
    return {name: None if raw is None else parse_id(raw, what)}


def given_point(data: Any) -> dict[str, Any]:
    """Return ``{"location": Point}`` when lon and lat were both sent, ``{}`` when neither.

    Raises
    ------
    InvalidInputError
        When only one of them was sent (or null), or they are out of range.
    """
    lon, lat = data.lon, data.lat
    if lon is None or lat is None:
        raise InvalidInputError("lon and lat cannot be null; leave them out to keep the point")
    if lon is strawberry.UNSET and lat is strawberry.UNSET:
        return {}
    if lon is strawberry.UNSET or lat is strawberry.UNSET:
        raise InvalidInputError("give both lon and lat to move it")
    return {"location": point_from_lon_lat(lon, lat)}


def changes(data: Any, values: dict[str, Any]) -> Changes:
    """Return the service's partial update for an input with ``id`` and ``version``.

    Raises
    ------
    InvalidInputError
        When the id is malformed.
    """
    return Changes(parse_id(data.id), data.version, values)


async def update_versioned(
    info: strawberry.Info[Context, None],
    update: Callable[..., StoredT],
    data: Any,
    values: dict[str, Any],
) -> StoredT:
    """Write a partial update of the row ``data`` names, as the caller; return the stored row.

    Every update resolver sends the same ``Changes`` (id, version read, fields sent) to its
    service in a transaction of its own; only the fields and the service differ.

    Raises
    ------
    InvalidInputError
        When the id is malformed.
    """
    return await info.context.write(update, info.context.user, changes(data, values))


async def delete_versioned(
    info: strawberry.Info[Context, None],
    delete: Callable[..., object],
    data: VersionedDeleteInput,
) -> Deleted:
    """Delete the row ``data`` names at the version read, as the caller, and say which it was.

    Raises
    ------
    InvalidInputError
        When the id is malformed.
    """
    await info.context.write(delete, info.context.user, parse_id(data.id), data.version)
    return Deleted(id=data.id)
