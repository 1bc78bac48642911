"""Scalars: GeoJSON geometries in and out, and pre-serialised FeatureCollections.

The Python-side types are ``NewType`` markers (so annotations type-check); their GraphQL
definitions are registered through ``StrawberryConfig.scalar_map`` (see :data:`SCALAR_MAP`).
"""

from __future__ import annotations

from typing import Any, NewType

import orjson
import strawberry
from shapely.geometry.base import BaseGeometry
from strawberry.types.scalar import ScalarDefinition

from sitecrew.domain.geo import geometry_from_geojson, geometry_to_geojson
from sitecrew.errors import InvalidInputError

#: A geometry: shapely on the Python side, an RFC 7946 geometry object on the wire.
GeoJSON = NewType("GeoJSON", object)
#: A FeatureCollection as JSON text built by the database, passed through untouched.
FeatureCollection = NewType("FeatureCollection", object)


def _serialize_geometry(value: Any) -> Any:
    if isinstance(value, BaseGeometry):
        return geometry_to_geojson(value)
    return value


def _parse_geometry(value: Any) -> BaseGeometry:
    return geometry_from_geojson(value)


def _serialize_collection(value: Any) -> Any:
    return orjson.Fragment(value) if isinstance(value, str | bytes) else value


def _refuse_collection_input(_value: Any) -> Any:
    raise InvalidInputError("FeatureCollection is an output type")


SCALAR_MAP: dict[object, ScalarDefinition] = {
    GeoJSON: strawberry.scalar(
        name="GeoJSON",
        description="An RFC 7946 geometry object: lon/lat (WGS 84) coordinates, no crs member.",
        serialize=_serialize_geometry,
        parse_value=_parse_geometry,
    ),
    FeatureCollection: strawberry.scalar(
        name="FeatureCollection",
        description="An RFC 7946 FeatureCollection, built in the database and passed through.",
        serialize=_serialize_collection,
        parse_value=_refuse_collection_input,
    ),
}
