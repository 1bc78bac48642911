"""Vector tiles of the database layers (issue 19): ``/tiles/{layer}/{z}/{x}/{y}.mvt``.

Layers: ``sites`` (points, and outlines where a site has one), ``furniture`` (points),
``apartments`` (one point per building with counts below zoom 16, one per flat from 16),
``districts`` (outlines), ``routes`` (a day's legs and stops: ``?date=YYYY-MM-DD`` required),
``streets`` (the router's street graph, :mod:`sitecrew.services.tiles.streets`). Each
answers ``application/vnd.mapbox-vector-tile`` with one layer named as the path says;
``?region=<slug>`` narrows to one region.

Who sees what is the API's rule (:mod:`sitecrew.services.scoping`). The caller authenticates
with ``Authorization: Bearer <token>`` or with a signed URL (``?tok=&exp=&sig=``) taken from
``GET /tiles/{layer}.json``, the layer's TileJSON 3.0.0, whose ``tiles`` template is signed for
15 minutes and for that layer only. Answers:

- 200 with the tile; 204 with no body when nothing of the layer is in the tile (an empty tile);
- ``ETag`` (a hash of the bytes) and ``Cache-Control: private`` (one day's routes for 30 s,
  other layers 300 s); ``If-None-Match`` with the same tag answers 304 without a body;
- ``X-Tile-Truncated: 1`` when the layer had more than 5,000 features in the tile (the lowest
  ids are drawn);
- errors as ``{"error": {"code", "message", "requestId"}}``: 400 INVALID_INPUT (bad z/x/y,
  missing or bad date), 401 UNAUTHENTICATED (no, revoked or expired token; expired or
  tampered signature), 403 FORBIDDEN (a role that may not list the layer), 404 NOT_FOUND
  (unknown layer or region), 503 when the server is busy.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import anyio.to_thread
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sitecrew.errors import InvalidInputError, SitecrewError, UnauthenticatedError
from sitecrew.services.tiles.encoding import encode_layer
from sitecrew.services.tiles.grid import MAX_ZOOM
from sitecrew.services.tiles.layers import (
    FIELDS,
    MAX_FEATURES,
    TileLayer,
    parse_day,
    parse_layer,
    parse_query,
)
from sitecrew.services.tiles.read import (
    LayerTile,
    layer_tile,
    require_map_reader,
    street_region_of,
    visible_bounds,
)
from sitecrew.services.tiles.signing import principal_for_token_id, sign, tile_key, verify
from sitecrew.services.tiles.streets import street_tile_features
from sitecrew.web.admission import ServerBusyError
from sitecrew.web.file_errors import busy_answer, refusal_answer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request

    from sitecrew.config import Settings
    from sitecrew.domain.access import Principal
    from sitecrew.services.tiles.layers import TileQuery
    from sitecrew.web.admission import Admission
    from sitecrew.web.auth import BearerAuthenticator

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
#: Seconds a client may keep a tile; a day's routes change as planners work, so briefly.
MAX_AGE_S = 300
ROUTES_MAX_AGE_S = 30
TILE_PATH = "/tiles/{layer}/{z}/{x}/{y}.mvt"
TILEJSON_PATH = "/tiles/{layer}.json"


def layer_prefix(layer: str) -> str:
    """Return the path prefix a signature is bound to."""
    return f"/tiles/{layer}/"


class TileEndpoints:
    """The endpoints behind ``/tiles/...`` (see :meth:`routes`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        authenticator: BearerAuthenticator,
        admission: Admission,
        settings: Settings,
        *,
        max_features: int = MAX_FEATURES,
    ) -> None:
        self._sessions = sessions
        self._authenticator = authenticator
        self._admission = admission
        self._osm = settings.osm
        # Signed URLs need a secret shared by every server process: the tenant links' one
        # (keyed apart for this purpose). Without it, each process signs with its own random
        # key, so a signed URL works only on the process that issued its TileJSON.
        self._key = tile_key(settings.tenant_links.secret or secrets.token_hex(32))
        self._max_features = max_features

    def routes(self) -> list[Route]:
        """Return the tile route and the TileJSON route."""
        return [
            Route(TILE_PATH, self.tile, methods=["GET"]),
            Route(TILEJSON_PATH, self.tilejson, methods=["GET"]),
        ]

    async def tile(self, request: Request) -> Response:
        """Answer one tile request."""
        principal: Principal | None = None
        params = request.path_params
        try:
            async with self._admission.admitted():
                principal = await self._caller(request, params["layer"])
                query = parse_query(
                    params["layer"],
                    params["z"],
                    params["x"],
                    params["y"],
                    date=request.query_params.get("date"),
                    region=request.query_params.get("region"),
                )
                found = await anyio.to_thread.run_sync(self._draw, principal, query)
        except SitecrewError as error:
            return refusal_answer(error, principal, what="vector tile")
        except ServerBusyError as busy:
            return busy_answer(busy)
        return tile_answer(request, found, query)

    async def tilejson(self, request: Request) -> Response:
        """Answer a layer's TileJSON 3.0.0 with a signed tile URL template."""
        principal: Principal | None = None
        try:
            async with self._admission.admitted():
                principal = await self._authenticator.principal(request.headers)
                body = await anyio.to_thread.run_sync(self._tilejson, principal, request)
        except SitecrewError as error:
            return refusal_answer(error, principal, what="tilejson")
        except ServerBusyError as busy:
            return busy_answer(busy)
        return JSONResponse(body, headers={"Cache-Control": "private, no-store"})

    async def _caller(self, request: Request, layer: str) -> Principal:
        """Return who asks: the signed URL's token when it carries one, else the bearer."""
        params = dict(request.query_params)
        if "sig" not in params and "tok" not in params:
            return await self._authenticator.principal(request.headers)
        token_id = verify(self._key, params, layer_prefix(layer))
        return await anyio.to_thread.run_sync(self._principal_by_id, token_id)

    def _principal_by_id(self, token_id: int) -> Principal:
        with self._sessions() as session:
            return principal_for_token_id(session, token_id)

    def _draw(self, principal: Principal, query: TileQuery) -> LayerTile:
        if query.layer is TileLayer.STREETS:
            return self._draw_streets(principal, query)
        with self._sessions() as session:
            return layer_tile(session, principal, query, cap=self._max_features)

    def _draw_streets(self, principal: Principal, query: TileQuery) -> LayerTile:
        """Draw the streets layer: its module cuts the street graph, this encodes it."""
        require_map_reader(principal)
        tile = query.tile
        with self._sessions() as session:
            region = street_region_of(session, query.region)
        found = street_tile_features(
            self._osm, region, tile.z, tile.x, tile.y, max_features=self._max_features + 1
        )
        kept = [
            {"geometry": street.geometry, "properties": street.properties()}
            for street in found[: self._max_features]
        ]
        return LayerTile(encode_layer("streets", kept, tile), len(found) > len(kept))

    def _tilejson(self, principal: Principal, request: Request) -> dict[str, Any]:
        layer = parse_layer(request.path_params["layer"])
        if principal.token_id is None:
            raise UnauthenticatedError("signed tile URLs need an API token")
        extra = _passed_on(layer, request.query_params)
        with self._sessions() as session:
            bounds = visible_bounds(session, principal)
        signed = sign(self._key, principal.token_id, layer_prefix(layer.value), now=time.time())
        base = str(request.base_url).rstrip("/")
        template = f"{base}/tiles/{layer.value}/{{z}}/{{x}}/{{y}}.mvt?{urlencode(signed | extra)}"
        return {
            "tilejson": "3.0.0",
            "name": f"sitecrew {layer.value}",
            "scheme": "xyz",
            "tiles": [template],
            "minzoom": 0,
            "maxzoom": MAX_ZOOM,
            "bounds": list(bounds),
            "expires": int(signed["exp"]),
            "vector_layers": [
                {"id": layer.value, "fields": FIELDS[layer], "minzoom": 0, "maxzoom": MAX_ZOOM}
            ],
        }


def _passed_on(layer: TileLayer, params: Any) -> dict[str, str]:
    """Return the ``date`` and ``region`` the TileJSON request gave, checked, for the template."""
    extra: dict[str, str] = {}
    date = params.get("date")
    if date is not None and layer is TileLayer.ROUTES:
        extra["date"] = str(parse_day(layer, date))
    region = params.get("region")
    if region:
        if len(region) > 100:  # noqa: PLR2004
            raise InvalidInputError("region must be a region's slug (1 to 100 characters)")
        extra["region"] = region
    return extra


def tile_answer(request: Request, found: LayerTile, query: TileQuery) -> Response:
    """Answer tile bytes with ETag, caching and truncation headers (204 when empty)."""
    max_age = ROUTES_MAX_AGE_S if query.layer is TileLayer.ROUTES else MAX_AGE_S
    headers = {"Cache-Control": f"private, max-age={max_age}", "Vary": "Authorization"}
    if found.truncated:
        headers["X-Tile-Truncated"] = "1"
    if not found.body:
        return Response(status_code=204, headers=headers)
    etag = f'"{hashlib.sha256(found.body).hexdigest()[:32]}"'
    headers["ETag"] = etag
    matches = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if etag in matches or f"W/{etag}" in matches:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=MEDIA_TYPE, headers=headers)
