"""Refusals of the file endpoints (route downloads, campaign charts), in one shape.

A file endpoint answers bytes, so its errors cannot be GraphQL JSON; they answer a status and
``{"error": {"code", "message", "requestId"}}``, and each refusal is logged as one line naming
the endpoint and who asked (role and token id, never the secret).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse

from sitecrew.errors import (
    FileTooLargeError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    SitecrewError,
    UnauthenticatedError,
    UnsupportedMediaError,
)
from sitecrew.logs import current_request_id, describe_principal, principal_fields

if TYPE_CHECKING:
    from sitecrew.domain.access import Principal
    from sitecrew.web.admission import ServerBusyError

LOGGER = logging.getLogger("sitecrew.web.files")
STATUS_BY_ERROR: tuple[tuple[type[SitecrewError], int], ...] = (
    (UnauthenticatedError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (FileTooLargeError, 413),
    (UnsupportedMediaError, 415),
    (InvalidInputError, 400),
)


def busy_answer(busy: ServerBusyError) -> JSONResponse:
    """Answer a request the admission gate refused (503 with ``Retry-After``)."""
    body = {"code": busy.code, "message": busy.reason, "requestId": current_request_id()}
    return JSONResponse({"error": body}, status_code=busy.status_code, headers=busy.headers)


def refusal_answer(error: SitecrewError, principal: Principal | None, *, what: str) -> JSONResponse:
    """Answer a typed error of the file endpoint ``what`` with its status, and log one line."""
    status = next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None  # noqa: PLR2004
    LOGGER.info(
        "%s (%d) in %s by %s: %r",
        error.code,
        status,
        what,
        describe_principal(principal),
        str(error)[:300],
        extra={"code": error.code, "status": status, **principal_fields(principal)},
    )
    body = {"code": error.code, "message": str(error), "requestId": current_request_id()}
    return JSONResponse({"error": body}, status_code=status, headers=headers)
