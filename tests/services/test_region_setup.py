"""A region from any extract: boundary, own street graph, address points, places, districts.

Real extracts of ``../shared/osm``: the Grünerløkka clip (fast), central Oslo, Malta (whole
administrative areas at admin_level 8) and Uppsala's roads-only extract.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import osmium
import pytest
import shapely
from shapely.geometry import mapping
from sqlalchemy import func, select

from sitecrew.config import OsmSettings
from sitecrew.db import models as m
from sitecrew.db.models._columns import to_db_geometry
from sitecrew.domain.geo import BBox
from sitecrew.domain.organisations import Organisation, OrganisationKind, Region
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError, StreetGraphError
from sitecrew.places.boundaries import districts_from_osm
from sitecrew.places.extract import extract_bounds
from sitecrew.services import organisations
from sitecrew.services.graphs import get_network
from sitecrew.services.planning.load import get_region_or_raise
from sitecrew.services.region_details import region_details, remove_region
from sitecrew.services.region_setup import (
    NewRegion,
    add_region_from_extract,
    region_has_addresses,
)

if TYPE_CHECKING:
    from pathlib import Path

#: A box inside the Grünerløkka clip (10.745,59.917,10.778,59.936): its western half.
WEST_HALF = BBox(10.745, 59.917, 10.76, 59.936)


@pytest.fixture(scope="module")
def graph_osm(tmp_path_factory) -> OsmSettings:
    """An OSM directory with no extracts (added regions need none) and a module graph cache."""
    empty = tmp_path_factory.mktemp("no-manifest-extracts")
    return OsmSettings(directory=empty, cache_directory=tmp_path_factory.mktemp("region-graphs"))


def _count(session, model, region_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.region_id == region_id)
    )


def _add(session, osm_dir: Path, graph_osm: OsmSettings, extract: str = "oslo-grunerlokka", **kw):
    command = NewRegion(kw.pop("slug", "grunerlokka"), osm_dir / f"{extract}.osm.pbf", **kw)
    return add_region_from_extract(session, command, osm=graph_osm)


def test_region_from_an_extract_holds_its_address_points_places_and_own_graph(
    session, osm_dir, graph_osm
):
    """Boundary = the extract's bounds; thousands of address points and outlines; its own graph."""
    added = _add(session, osm_dir, graph_osm, title="Grünerløkka")
    region = added.region
    assert (region.slug, region.name, region.street_region) == (
        "grunerlokka",
        "Grünerløkka",
        "grunerlokka",
    )
    assert (region.country, region.timezone) == ("NO", "Europe/Oslo")
    assert region.extract_path == str((osm_dir / "oslo-grunerlokka.osm.pbf").resolve())
    assert region.area.equals(extract_bounds(osm_dir / "oslo-grunerlokka.osm.pbf").to_polygon())
    assert added.address_points > 4000
    assert added.address_points == _count(session, m.AddressPoint, region.id)
    assert added.place_areas["building"] > 2000
    assert {"school", "park", "playground", "residential"} <= set(added.place_areas)
    assert sum(added.place_areas.values()) == _count(session, m.PlaceArea, region.id)
    assert added.street_graph is not None
    assert added.street_graph.edges > 1000
    assert added.warnings == ()
    assert region_has_addresses(session, region.id)
    point = session.scalar(
        select(m.AddressPoint).where(
            m.AddressPoint.region_id == region.id, m.AddressPoint.building_ref.is_not(None)
        )
    )
    assert point.street
    assert point.housenumber
    assert point.osm_ref.startswith(("node/", "way/"))


def test_planning_finds_the_added_regions_graph_in_its_own_extract(session, osm_dir, graph_osm):
    """The manifest does not know the slug: planning loads the graph from ``extract_path``."""
    region = _add(session, osm_dir, graph_osm, slug="lokka-routing").region
    info = get_region_or_raise(session, "LOKKA-routing")
    assert (info.street_region, info.extract_path) == ("lokka-routing", region.extract_path)
    network = get_network(info.street_region, settings=graph_osm, extract=info.extract_path)
    snapped = network.snap([(10.7600, 59.9250), (10.7700, 59.9300)])
    assert network.matrices(snapped).seconds[0, 1] > 0
    with pytest.raises(NotFoundError, match="lokka-routing"):
        get_network("lokka-routing", settings=graph_osm)  # the manifest alone does not know it


def test_central_oslo_is_added_with_its_address_register_and_bydeler(
    session, osm_dir, graph_osm
):
    """Central Oslo: over 10,000 address points, 7,000 outlines, its eight bydeler (level 9)."""
    added = _add(
        session,
        osm_dir,
        graph_osm,
        "oslo",
        slug="oslo-central",
        title="Oslo sentrum",
        districts_admin_level=9,
    )
    assert added.address_points > 10_000
    assert added.place_areas["building"] > 7000
    assert len(added.districts) == 8
    details = region_details(session, "oslo-central", osm=graph_osm)
    assert details.address_points == added.address_points
    assert details.place_areas == added.place_areas
    assert ("Sentrum", None) in details.districts
    sentrum = session.scalar(select(m.District).where(m.District.name == "Sentrum")).to_domain()
    assert sentrum.area.contains(shapely.Point(10.7520, 59.9110))  # Oslo S
    assert "cached" in details.street_graph
    assert set(details.holds.values()) == {0}


def test_a_box_keeps_only_what_lies_in_it_when_given(session, osm_dir, graph_osm):
    """Address points outside the box are left out; the boundary is the box."""
    added = _add(session, osm_dir, graph_osm, slug="lokka-west", bbox=WEST_HALF)
    box = WEST_HALF.to_polygon()
    assert added.region.area.equals(box)
    locations = session.scalars(
        select(func.ST_AsText(m.AddressPoint.location)).where(
            m.AddressPoint.region_id == added.region.id
        )
    ).all()
    assert 0 < len(locations) < 4000
    assert all(box.covers(shapely.from_wkt(text)) for text in locations)


def test_districts_from_geojson_are_named_clipped_and_bound_to_their_contractor(
    session, osm_dir, graph_osm, tmp_path
):
    """``name``/``navn`` name a district, ``contractor`` binds it; the box clips the polygons."""
    contractor = organisations.create_organisation(
        session, Organisation("Lokka Montasje AS", OrganisationKind.CONTRACTOR)
    )
    path = _geojson(
        tmp_path,
        [
            (
                {"name": "Vest", "contractor": "Lokka Montasje AS"},
                shapely.box(10.7, 59.9, 10.752, 59.95),
            ),
            ({"navn": "Midt"}, shapely.box(10.752, 59.9, 10.8, 59.95)),
        ],
    )
    added = _add(
        session, osm_dir, graph_osm, slug="lokka-districts", bbox=WEST_HALF, districts_file=path
    )
    assert added.districts == ("Midt", "Vest")
    rows = {
        d.name: d.to_domain()
        for d in session.scalars(select(m.District).where(m.District.region_id == added.region.id))
    }
    assert rows["Vest"].contractor_id == contractor.id
    assert rows["Midt"].contractor_id is None
    assert all(WEST_HALF.to_polygon().buffer(1e-9).covers(d.area) for d in rows.values())
    assert rows["Midt"].area.bounds[2] == pytest.approx(WEST_HALF.east)


def test_a_district_naming_an_unknown_contractor_writes_nothing(
    session, osm_dir, graph_osm, tmp_path
):
    """The region, its places and districts are one transaction: refused as a whole."""
    path = _geojson(
        tmp_path, [({"name": "Vest", "contractor": "Nobody AS"}, WEST_HALF.to_polygon())]
    )
    with pytest.raises(NotFoundError, match="Nobody AS"):
        _add(session, osm_dir, graph_osm, slug="lokka-nobody", districts_file=path)
    assert session.scalar(select(m.Region).where(m.Region.slug == "lokka-nobody")) is None
    assert session.scalar(select(func.count()).select_from(m.AddressPoint)) == 0


def test_malta_local_councils_become_districts_at_admin_level_8(osm_dir):
    """Malta maps its 68 local councils as whole areas of admin_level 8 (some as several)."""
    path = osm_dir / "malta.osm.pbf"
    councils = districts_from_osm(path, admin_level=8, boundary=extract_bounds(path).to_polygon())
    names = [council.name for council in councils]
    assert len(names) > 50
    assert len(set(names)) == len(names)
    assert {"Valletta", "Mdina", "Tas-Sliema"} <= set(names)


def test_bydeler_cut_open_by_the_clip_are_closed_inside_it(session, osm_dir, graph_osm):
    """The clip cut Oslo's admin_level 9 relations open; their remaining ways tile the box."""
    added = _add(session, osm_dir, graph_osm, slug="lokka-bydeler", districts_admin_level=9)
    assert added.districts == ("Gamle Oslo", "Grünerløkka", "Sagene", "St. Hanshaugen")
    rows = session.scalars(select(m.District).where(m.District.region_id == added.region.id))
    areas = {row.name: row.to_domain().area for row in rows}
    assert areas["Grünerløkka"].contains(shapely.Point(10.7575, 59.9230))  # Olaf Ryes plass
    assert areas["Sagene"].contains(shapely.Point(10.7570, 59.9350))
    covered = shapely.union_all(list(areas.values())).area
    assert covered == pytest.approx(added.region.area.area, rel=1e-3)


def test_an_admin_level_the_extract_does_not_map_is_refused_naming_what_exists(
    session, osm_dir, graph_osm
):
    """No relation of that level: refused, naming the levels there are and the GeoJSON way."""
    with pytest.raises(NotFoundError, match=r"admin_level 7.*cut open: 9 \(4\).*--districts"):
        _add(session, osm_dir, graph_osm, slug="lokka-admin", districts_admin_level=7)
    assert session.scalar(select(m.Region).where(m.Region.slug == "lokka-admin")) is None


def test_a_roads_only_extract_routes_but_warns_that_addresses_cannot_be_matched(
    session, osm_dir, graph_osm
):
    """Uppsala's roads-only extract: accepted, no address points, the warning importers show."""
    added = _add(session, osm_dir, graph_osm, "uppsala-central-roads", slug="uppsala", country="SE")
    assert added.region.timezone == "Europe/Stockholm"
    assert added.address_points == 0
    assert not region_has_addresses(session, added.region.id)
    assert added.street_graph is not None
    assert added.street_graph.edges > 1000
    (warning,) = added.warnings
    assert "holds no address points" in warning
    assert "use lon/lat columns" in warning


def test_a_taken_slug_is_refused_suggesting_region_remove(session, osm_dir, graph_osm):
    """A second region of the same slug: refused before anything is read or written."""
    _add(session, osm_dir, graph_osm, slug="lokka-twice")
    with pytest.raises(ConflictError, match="region remove lokka-twice"):
        _add(session, osm_dir, graph_osm, slug="LOKKA-twice", title="Again")
    assert session.scalar(select(func.count()).select_from(m.Region)) == 1


@pytest.mark.parametrize(
    ("box", "where"),
    [
        (BBox(11.0, 60.0, 11.1, 60.1), "outside"),
        (BBox(10.70, 59.92, 10.76, 59.93), "partly outside"),
    ],
)
def test_a_box_outside_the_extract_is_refused_naming_its_bounds(
    session, osm_dir, graph_osm, box, where
):
    """A box beyond the extract would be a region without streets: refused, bounds named."""
    with pytest.raises(InvalidInputError, match=f"lies {where} the extract.*10.74500,59.91700"):
        _add(session, osm_dir, graph_osm, slug="lokka-box", bbox=box)
    assert session.scalar(select(func.count()).select_from(m.Region)) == 0


def test_a_missing_unreadable_or_roadless_extract_is_refused(session, tmp_path, graph_osm):
    """Nothing written for a file that is not there, is not OSM data, or has no drivable road."""
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_text("not osm")
    roadless = _roadless_extract(tmp_path / "benches.osm.pbf")
    cases = [
        (tmp_path / "missing.osm.pbf", NotFoundError, "does not exist"),
        (garbage, StreetGraphError, "cannot read garbage.osm.pbf"),
        (roadless, StreetGraphError, "no drivable road"),
    ]
    for path, error, message in cases:
        with pytest.raises(error, match=message):
            add_region_from_extract(session, NewRegion("nowhere", path), osm=graph_osm)
    assert session.scalar(select(func.count()).select_from(m.Region)) == 0


@pytest.mark.parametrize("country", ["no", "NOR", "XX", ""])
def test_a_country_without_a_holiday_calendar_is_refused(country):
    """Two upper-case letters the holidays library knows (NO, SE, MT...); nothing else."""
    with pytest.raises(InvalidInputError, match="country"):
        Region("Somewhere", WEST_HALF.to_polygon(), country=country)
    assert Region("Malta", WEST_HALF.to_polygon(), country="MT").country == "MT"


def test_a_region_without_operational_data_is_removed_with_its_places(session, osm_dir, graph_osm):
    """Address points, place areas and districts go with it; the slug is free again."""
    added = _add(session, osm_dir, graph_osm, slug="lokka-gone")
    removed = remove_region(session, "lokka-gone")
    assert (removed.slug, removed.address_points) == ("lokka-gone", added.address_points)
    assert session.scalar(select(func.count()).select_from(m.AddressPoint)) == 0
    assert session.scalar(select(func.count()).select_from(m.PlaceArea)) == 0
    with pytest.raises(NotFoundError):
        region_details(session, "lokka-gone", osm=graph_osm)


def test_a_region_with_operational_data_is_not_removed_and_says_what_it_holds(
    session, osm_dir, graph_osm
):
    """A building in the region: refused, naming it; nothing deleted."""
    region = _add(session, osm_dir, graph_osm, slug="lokka-busy").region
    centre = region.area.centroid
    session.add(
        m.Building(
            region_id=region.id,
            location=to_db_geometry(centre),
            address="Thorvald Meyers gate 1",
        )
    )
    session.flush()
    with pytest.raises(ConflictError, match="holds 1 buildings"):
        remove_region(session, "lokka-busy")
    assert region_details(session, "lokka-busy", osm=graph_osm).holds["buildings"] == 1


def _geojson(tmp_path: Path, features: list[tuple[dict[str, str], shapely.Polygon]]) -> Path:
    path = tmp_path / "districts.geojson"
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(geometry)}
            for props, geometry in features
        ],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def _roadless_extract(path: Path) -> Path:
    """Write a real (tiny) extract: a few nodes and one building, no road."""
    writer = osmium.SimpleWriter(str(path))
    for index in range(4):
        node = osmium.osm.mutable.Node(
            id=index + 1, location=(10.75 + index * 0.001, 59.92 + (index % 2) * 0.001)
        )
        writer.add_node(node)
    writer.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2, 3, 4, 1], tags={"building": "yes"}))
    writer.close()
    return path
