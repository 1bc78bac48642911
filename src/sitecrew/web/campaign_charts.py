"""Campaign burn-down charts: ``GET /campaigns/{id}/burndown.png`` (or ``.svg``).

The same bearer token as the GraphQL API and the same rule as the ``campaign`` query (admins and
the campaign region's planners); ``?asOf=YYYY-MM-DD`` draws as of another day than today. Like
the route downloads (:mod:`sitecrew.web.downloads`), the request waits its turn at the admission
gate, errors answer with a status and ``{"error": {"code", "message", "requestId"}}``, and each
refusal is logged as one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.responses import Response

from sitecrew.domain.days import parse_day
from sitecrew.domain.ids import parse_id
from sitecrew.errors import InvalidInputError, SitecrewError
from sitecrew.services.campaigns.read import CHART_MEDIA_TYPES, CampaignChart, ChartFile
from sitecrew.services.campaigns.read import campaign_chart as draw_campaign_chart
from sitecrew.web.admission import ServerBusyError
from sitecrew.web.file_errors import busy_answer, refusal_answer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request

    from sitecrew.domain.access import Principal
    from sitecrew.web.admission import Admission
    from sitecrew.web.auth import BearerAuthenticator

#: The path the app registers.
CHART_PATH = "/campaigns/{campaign_id}/burndown.{format}"


class CampaignCharts:
    """The endpoint behind :data:`CHART_PATH` (use :meth:`download`)."""

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
        """Answer one chart request (once admitted, like every request that reads)."""
        principal: Principal | None = None
        try:
            async with self._admission.admitted():
                principal = await self._authenticator.principal(request.headers)
                query = _parse(request.path_params, request.query_params.get("asOf"))
                chart = await anyio.to_thread.run_sync(self._draw, principal, query)
        except SitecrewError as error:
            return refusal_answer(error, principal, what="campaign chart")
        except ServerBusyError as busy:
            return busy_answer(busy)
        return Response(
            chart.data,
            media_type=chart.media_type,
            headers={
                "Content-Disposition": f'inline; filename="{chart.filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    def _draw(self, principal: Principal, query: CampaignChart) -> ChartFile:
        """Read the campaign and draw its chart, off the event loop."""
        with self._sessions() as session:
            return draw_campaign_chart(session, principal, query)


def _parse(params: dict[str, str], as_of: str | None) -> CampaignChart:
    """Return the chart asked for, or raise a typed error naming the bad part of the path."""
    file_format = params["format"]
    if file_format not in CHART_MEDIA_TYPES:
        raise InvalidInputError(f"unknown chart format {file_format[:20]!r}: use .png or .svg")
    campaign_id = parse_id(params["campaign_id"], "campaign")
    day = None if as_of is None else parse_day(as_of, name="asOf")
    return CampaignChart(campaign_id, file_format, day)
