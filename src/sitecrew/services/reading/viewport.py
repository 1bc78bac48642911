"""Map viewports as one GeoJSON FeatureCollection, built by the database in one query.

Typed GraphQL lists cost ~5 µs a field in resolution; a whole viewport of thousands of features
is therefore assembled as JSON text by PostGIS (``json_build_object``/``json_agg``) or SQLite's
JSON1 (``json_object``/``json_group_array``) and passed through untouched.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, literal, select

from sitecrew.db import models as m
from sitecrew.db.dialects.common import spatial_dialect_for
from sitecrew.db.engine import backend_name
from sitecrew.errors import ViewportTooLargeError
from sitecrew.services.reading.scoping import visible

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.geo import BBox


class Layer(StrEnum):
    """What a viewport shows."""

    SITES = "sites"
    FURNITURE = "furniture"
    APARTMENTS = "apartments"


#: Per layer: the model and the properties each feature carries.
LAYERS: dict[Layer, tuple[Any, tuple[str, ...]]] = {
    Layer.SITES: (m.Site, ("name", "kind", "district_id")),
    Layer.FURNITURE: (m.Furniture, ("serial", "condition_grade", "site_id", "last_maintained_on")),
    Layer.APARTMENTS: (m.Apartment, ("unit", "installation_status", "building_id", "district_id")),
}


def viewport_collection(
    session: Session, principal: Principal, layer: Layer, bbox: BBox, *, max_features: int
) -> str:
    """Return the layer's features inside ``bbox`` as FeatureCollection JSON text.

    Raises
    ------
    ViewportTooLargeError
        When more than ``max_features`` features fall inside (zoom in or use a list query).
    PermissionDeniedError
        When the caller may not see the layer.
    """
    model, properties = LAYERS[layer]
    inner = (
        select(model.id, model.location, *(getattr(model, name) for name in properties))
        .where(spatial_dialect_for(session).intersects_bbox(model.location, bbox))
        .where(visible(model, principal))
        .order_by(model.id)
        .limit(max_features + 1)
        .subquery()
    )
    postgis = backend_name(session) == "postgis"
    build = func.json_build_object if postgis else func.json_object
    geometry = (
        func.cast(func.ST_AsGeoJSON(inner.c.location, 7), _json_type())
        if postgis
        else func.json(func.AsGeoJSON(inner.c.location, 7))
    )
    props = build(*(part for name in properties for part in (literal(name), inner.c[name])))
    feature = build(
        literal("type"),
        literal("Feature"),
        literal("id"),
        inner.c.id,
        literal("geometry"),
        geometry,
        literal("properties"),
        props,
    )
    features = (
        func.coalesce(func.json_agg(feature), func.cast(literal("[]"), _json_type()))
        if postgis
        else func.json_group_array(func.json(feature))
    )
    collection = build(literal("type"), literal("FeatureCollection"), literal("features"), features)
    count, text = session.execute(select(func.count(), func.cast(collection, _text_type()))).one()
    if count > max_features:
        msg = f"more than {max_features} {layer.value} in this viewport; zoom in"
        raise ViewportTooLargeError(msg)
    return str(text)


def _json_type() -> Any:
    from sqlalchemy.dialects.postgresql import JSON  # noqa: PLC0415

    return JSON()


def _text_type() -> Any:
    from sqlalchemy import Text  # noqa: PLC0415

    return Text()
