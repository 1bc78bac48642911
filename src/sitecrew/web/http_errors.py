"""Request-level errors as GraphQL JSON: ``{"errors": [{"message", "extensions": {"code"}}]}``.

A request that never reaches execution (a body that is not JSON, the wrong content type, a
refused batch, no token) still gets an answer a GraphQL client can read, with a stable code and
a fitting HTTP status, never plain text or an HTML error page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from cross_web import HTTPException
from starlette.responses import Response

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The code of an HTTP status raised by strawberry itself (with its own wording).
CODES_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class RequestError(HTTPException):
    """A refused request: HTTP status, stable code, message and extra headers.

    A subclass of the HTTP exception strawberry's views raise, so it travels the same paths.
    """

    def __init__(
        self, status_code: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.headers = dict(headers or {})


def error_body(message: str, code: str) -> dict[str, object]:
    """Return a GraphQL response holding one error with ``extensions.code``."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def error_response(error: HTTPException) -> Response:
    """Answer an HTTP exception (ours or strawberry's) as GraphQL JSON."""
    if isinstance(error, RequestError):
        code, headers = error.code, error.headers
    else:
        code, headers = CODES_BY_STATUS.get(error.status_code, "BAD_REQUEST"), {}
    return Response(
        orjson.dumps(error_body(error.reason, code)),
        status_code=error.status_code,
        media_type="application/json",
        headers=headers,
    )
