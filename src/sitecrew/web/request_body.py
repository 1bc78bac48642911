"""The HTTP request body: at most ``max_request_bytes``, then GraphQL operations of the right shape.

The size is checked twice: the declared ``Content-Length`` before anything is read, and the
bytes actually received (a chunked body declares no length), so no body larger than the limit
is ever held in memory. The shape is checked before strawberry sees the data, so a body such as
``"x"``, ``123``, ``null`` or ``[1, 2]`` is a 400 with a code rather than an exception.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from strawberry.http import GraphQLRequestData

from sitecrew.web.http_errors import RequestError

if TYPE_CHECKING:
    from starlette.datastructures import Headers
    from starlette.types import Message, Receive


def too_large(limit: int) -> RequestError:
    """Return the error that refuses a body above ``limit`` bytes."""
    msg = f"the request body is larger than {limit} bytes"
    return RequestError(413, "REQUEST_TOO_LARGE", msg, {"Connection": "close"})


def check_declared_length(headers: Headers, limit: int) -> None:
    """Refuse a request whose ``Content-Length`` is above ``limit`` (or not a number).

    Raises
    ------
    RequestError
        413 REQUEST_TOO_LARGE, or 400 BAD_REQUEST for a malformed length.
    """
    declared = headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise RequestError(400, "BAD_REQUEST", f"Content-Length is not a number: {declared!r}")
    if int(declared) > limit:
        raise too_large(limit)


def limit_receive(receive: Receive, limit: int) -> Receive:
    """Wrap an ASGI ``receive`` so that more than ``limit`` body bytes raise 413."""
    received = 0

    async def receive_at_most() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return receive_at_most


def content_type_of(value: str | None) -> str:
    """Return the media type of a ``Content-Type`` header, lower case, without parameters."""
    return (value or "").split(";", 1)[0].strip().lower()


def operations_from_body(
    body: bytes, *, max_batch: int
) -> GraphQLRequestData | list[GraphQLRequestData]:
    """Return the operation (a JSON object) or batch (a JSON list) a POST body carries.

    Raises
    ------
    RequestError
        400 BAD_REQUEST for a body that is not JSON or not of the GraphQL request shape,
        BATCHING_DISABLED for a list when ``max_batch`` is 0, BATCH_TOO_LARGE beyond it.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # ValueError covers bad JSON and bad UTF-8
        raise RequestError(400, "BAD_REQUEST", "the request body is not valid JSON") from None
    if not isinstance(data, list):
        return _operation(data, where="the request body")
    if max_batch == 0:
        msg = "batching is off: send one operation as a JSON object"
        raise RequestError(400, "BATCHING_DISABLED", msg)
    if not data:
        raise RequestError(400, "BAD_REQUEST", "the batch holds no operation")
    if len(data) > max_batch:
        msg = f"a batch holds at most {max_batch} operations, this one {len(data)}"
        raise RequestError(400, "BATCH_TOO_LARGE", msg)
    return [_operation(item, where=f"operation {n} of the batch") for n, item in enumerate(data, 1)]


def _operation(data: object, *, where: str) -> GraphQLRequestData:
    if not isinstance(data, dict):
        msg = f"{where} must be a JSON object with a query"
        raise RequestError(400, "BAD_REQUEST", msg)
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, "BAD_REQUEST", f"{where} has no query (a non-empty string)")
    return GraphQLRequestData(
        query=query,
        variables=_member(data, "variables", dict, where=where),
        operation_name=_member(data, "operationName", str, where=where),
        extensions=_member(data, "extensions", dict, where=where),
        protocol="http",
    )


def _member(data: dict[str, Any], name: str, kind: type, *, where: str) -> Any:
    value = data.get(name)
    if value is not None and not isinstance(value, kind):
        expected = "an object" if kind is dict else "a string"
        raise RequestError(400, "BAD_REQUEST", f"{where}: {name} must be {expected} or null")
    return value
