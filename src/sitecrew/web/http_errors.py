"""Request-level errors as GraphQL JSON: ``{"errors": [{"message", "extensions": {"code"}}]}``.

A request that never reaches execution (a body that is not JSON, the wrong content type, a
refused batch, no token) still gets an answer a GraphQL client can read, with a stable code,
the request's id (``extensions.requestId``, as on every GraphQL error) and a fitting HTTP
status, never plain text or an HTML error page. Each refusal is one log line.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cross_web import HTTPException
from starlette.responses import Response

from sitecrew.logs import current_request_id
from sitecrew.web.json_bytes import json_bytes

if TYPE_CHECKING:
    from collections.abc import Mapping

LOGGER = logging.getLogger("sitecrew.web")
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


def error_extensions(code: str) -> dict[str, str]:
    """Return an error's ``extensions``: its code and, while serving a request, the request id."""
    request_id = current_request_id()
    return {"code": code} if request_id is None else {"code": code, "requestId": request_id}


def error_body(message: str, code: str) -> dict[str, object]:
    """Return a GraphQL response holding one error with ``extensions.code`` and ``requestId``."""
    return {"errors": [{"message": message, "extensions": error_extensions(code)}]}


def error_response(error: HTTPException) -> Response:
    """Answer an HTTP exception (ours or strawberry's) as GraphQL JSON."""
    if isinstance(error, RequestError):
        code, headers = error.code, error.headers
    else:
        code, headers = CODES_BY_STATUS.get(error.status_code, "BAD_REQUEST"), {}
    if error.status_code < 500:  # noqa: PLR2004  (a server fault was logged with its traceback)
        LOGGER.info(
            "%s (%d) refused: %s",
            code,
            error.status_code,
            error.reason[:300],
            extra={"code": code, "status": error.status_code},
        )
    return Response(
        json_bytes(error_body(error.reason, code)),
        status_code=error.status_code,
        media_type="application/json",
        headers=headers,
    )
