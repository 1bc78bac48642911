"""Scalars: GeoJSON geometries in and out, and pre-serialised FeatureCollections."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NewType, TypeAlias

import orjson
import strawberry
from shapely.geometry.base import BaseGeometry

from sitecrew.domain.geo import geometry_from_geojson, geometry_to_geojson
from sitecrew.errors import InvalidInputError


def _serialize_geometry(value: Any) -> Any:
    if isinstance(value, BaseGeometry):
        return geometry_to_geojson(value)
    return value


def _parse_geometry(value: Any) -> BaseGeometry:
    if not isinstance(value, dict):
        raise InvalidInputError("a GeoJSON geometry must be an object")
    return geometry_from_geojson(value)


_GEOJSON = strawberry.scalar(
    NewType("GeoJSON", object),
    name="GeoJSON",
    description="An RFC 7946 geometry object: lon/lat (WGS 84) coordinates, no crs member.",
    serialize=_serialize_geometry,
    parse_value=_parse_geometry,
)


def _serialize_collection(value: Any) -> Any:
    # The collection was built as JSON text by the database; hand it to orjson untouched.
    return orjson.Fragment(value) if isinstance(value, str | bytes) else value


_FEATURE_COLLECTION = strawberry.scalar(
    NewType("FeatureCollection", object),
    name="FeatureCollection",
    description="An RFC 7946 FeatureCollection (built in the database, passed through as is).",
    serialize=_serialize_collection,
    parse_value=lambda _value: None,
)

# mypy cannot use a scalar object as a type; it sees the Python values (geometries, JSON text).
if TYPE_CHECKING:
    GeoJSON: TypeAlias = Any
    FeatureCollection: TypeAlias = Any
else:
    GeoJSON = _GEOJSON
    FeatureCollection = _FEATURE_COLLECTION
