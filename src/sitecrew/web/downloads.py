"""Route downloads: a crew's day as a GPX track (for navigation apps) or GeoJSON (for maps).

``GET /routes/{crew_id}/{date}.gpx`` and ``…/{date}.geojson`` with the same bearer token as the
GraphQL API and the same visibility rule as ``crewRoute`` (a crew downloads only its own
published route). Errors answer with a status and ``{"error": {"code", "message",
"requestId"}}`` and are logged as one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
import orjson
from starlette.responses import Response

from sitecrew.domain.days import parse_day
from sitecrew.domain.ids import parse_id
from sitecrew.errors import (
    InvalidInputError,
    NotFoundError,
    SitecrewError,
)
from sitecrew.services.planning.exports import route_to_geojson, route_to_gpx
from sitecrew.services.planning.read import visible_crew_route
from sitecrew.web.admission import ServerBusyError
from sitecrew.web.file_errors import busy_answer, refusal_answer

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request

    from sitecrew.domain.access import Principal
    from sitecrew.web.admission import Admission
    from sitecrew.web.auth import BearerAuthenticator

MEDIA_TYPES = {"gpx": "application/gpx+xml", "geojson": "application/geo+json"}


class RouteDownloads:
    """The endpoint behind ``/routes/{crew_id}/{date}.{format}`` (use :meth:`download`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        authenticator: BearerAuthenticator,
        admission: Admission,
    ) -> None:
        self._sessions = sessions
        self._authenticator = authenticator
        self._admission = admission

    async def download(self, request: Request) -> Response:
        """Answer one download request (once admitted, like every request that reads)."""
        principal: Principal | None = None
        try:
            async with self._admission.admitted():
                principal = await self._authenticator.principal(request.headers)
                crew_id, day, file_format = _parse(request.path_params)
                body = await anyio.to_thread.run_sync(
                    self._export, principal, crew_id, day, file_format
                )
        except SitecrewError as error:
            return refusal_answer(error, principal, what="route download")
        except ServerBusyError as busy:
            return busy_answer(busy)
        filename = f"route-crew{crew_id}-{day.isoformat()}.{file_format}"
        return Response(
            body,
            media_type=MEDIA_TYPES[file_format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def _export(self, principal: Principal, crew_id: int, day: dt.date, file_format: str) -> bytes:
        """Read the route and write the file, both off the event loop."""
        with self._sessions() as session:
            route = visible_crew_route(session, principal, crew_id, day)
        if route is None:
            message = f"crew {crew_id} has no route on {day.isoformat()} that you may see"
            raise NotFoundError(message)
        if file_format == "gpx":
            return route_to_gpx(route).encode()
        return orjson.dumps(route_to_geojson(route))


def _parse(params: dict[str, str]) -> tuple[int, dt.date, str]:
    """Return crew id, day and format from the path, or raise a typed error naming the bad part."""
    file_format = params["format"]
    if file_format not in MEDIA_TYPES:
        message = f"unknown format {file_format!r}: use .gpx or .geojson"
        raise InvalidInputError(message)
    crew_id = parse_id(params["crew_id"], "crew")
    return crew_id, parse_day(params["day"]), file_format
