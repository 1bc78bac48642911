"""Relay-style cursors: opaque, validated, and a capped page size."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Generic, TypeVar

import strawberry

from sitecrew.domain.ids import LARGEST_ID
from sitecrew.errors import InvalidCursorError, InvalidInputError, PageTooLargeError

NodeT = TypeVar("NodeT")
CURSOR_PREFIX = "sc:"
#: Issued cursors are short: the prefix and a key of at most ten digits, base64-encoded.
MAX_CURSOR_LENGTH = 32
_ISSUED = re.compile(rf"{CURSOR_PREFIX}([1-9][0-9]{{0,9}})")


def encode_cursor(row_id: int) -> str:
    """Return the opaque cursor that points just after ``row_id``."""
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{row_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    """Return the id a cursor points after.

    Only the exact form :func:`encode_cursor` writes is accepted: a key beyond the 32-bit
    range would make PostgreSQL refuse the whole statement, and a long string would be decoded
    for nothing.

    Raises
    ------
    InvalidCursorError
        For a cursor this server did not issue.
    """
    if cursor is None:
        return None
    match = None
    if len(cursor) <= MAX_CURSOR_LENGTH:
        try:
            text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        except (ValueError, binascii.Error):
            text = ""
        match = _ISSUED.fullmatch(text)
    if match is None or int(match.group(1)) > LARGEST_ID:
        raise InvalidCursorError(f"not a valid cursor: {cursor[:MAX_CURSOR_LENGTH]!r}")
    return int(match.group(1))


def check_page_size(first: int, maximum: int) -> int:
    """Return ``first`` if it is between 1 and ``maximum``.

    Raises
    ------
    InvalidInputError
        Below one: an empty or negative page is a mistake, not a request for too much.
    PageTooLargeError
        Above the cap (the client should page).
    """
    if first < 1:
        raise InvalidInputError(f"first must be at least 1, got {first}")
    if first > maximum:
        raise PageTooLargeError(f"first must be at most {maximum}, got {first}")
    return first


@strawberry.type
class PageInfo:
    """Where this page stands."""

    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    """A node with the cursor that continues after it."""

    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    """A page of nodes (Relay connection)."""

    edges: list[Edge[NodeT]]
    nodes: list[NodeT] = strawberry.field(description="The nodes of this page, without cursors.")
    page_info: PageInfo


def connection_of(nodes: list[NodeT], ids: list[int], *, has_next: bool) -> Connection[NodeT]:
    """Build a connection from nodes and their ids."""
    edges = [Edge(cursor=encode_cursor(i), node=n) for n, i in zip(nodes, ids, strict=True)]
    end = edges[-1].cursor if edges else None
    page_info = PageInfo(has_next_page=has_next, end_cursor=end)
    return Connection(edges=edges, nodes=nodes, page_info=page_info)
