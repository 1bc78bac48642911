"""Reading address points and the buildings around them from real OSM extracts."""

from __future__ import annotations

import time

import pytest

from sitecrew.errors import NotFoundError, StreetGraphError
from sitecrew.places.addresses import addresses_from_extract, split_housenumbers


@pytest.fixture(scope="module")
def oslo(osm_dir):
    started = time.perf_counter()
    extract = addresses_from_extract(osm_dir / "oslo.osm.pbf")
    return extract, time.perf_counter() - started


def test_central_oslo_has_its_thirteen_thousand_address_points_read_in_seconds(oslo):
    extract, seconds = oslo
    assert 13_000 <= len(extract.addresses) <= 14_000
    assert all(address.osm_ref.startswith("node/") for address in extract.addresses)
    assert all(address.postcode and address.city == "Oslo" for address in extract.addresses)
    assert seconds < 15, f"reading oslo.osm.pbf took {seconds:.1f} s"


def test_an_address_point_knows_the_apartment_building_it_lies_in(oslo):
    extract, _ = oslo
    (address,) = [
        a
        for a in extract.addresses
        if a.street == "Thorvald Meyers gate" and a.housenumber == "12C"
    ]
    assert address.osm_ref == "node/2790200653"
    assert address.postcode == "0555"
    assert address.lon == pytest.approx(10.759993)
    assert address.lat == pytest.approx(59.928966)
    assert address.building_ref == "way/171967653"
    (building,) = [b for b in extract.buildings if b.osm_ref == address.building_ref]
    assert building.building == "apartments"
    assert building.levels == 7
    assert building.address == "Thorvald Meyers gate 12A"  # the lowest address inside it
    assert building.footprint.covers(_point(address))


def test_most_oslo_addresses_lie_in_a_building_and_only_buildings_with_addresses_are_kept(oslo):
    extract, _ = oslo
    inside = sum(address.building_ref is not None for address in extract.addresses)
    assert inside / len(extract.addresses) > 0.9
    referenced = {address.building_ref for address in extract.addresses} - {None}
    assert {building.osm_ref for building in extract.buildings} == referenced
    assert all(building.address for building in extract.buildings)


def test_addresses_and_buildings_come_sorted_for_a_deterministic_load(oslo):
    extract, _ = oslo
    refs = [address.osm_ref for address in extract.addresses]
    assert refs == sorted(refs)
    assert [b.osm_ref for b in extract.buildings] == sorted(b.osm_ref for b in extract.buildings)


def test_malta_addresses_on_building_outlines_sit_inside_their_own_outline(osm_dir):
    extract = addresses_from_extract(osm_dir / "malta.osm.pbf")
    on_outlines = [a for a in extract.addresses if not a.osm_ref.startswith("node/")]
    assert len(on_outlines) >= 25
    assert all(address.building_ref == address.osm_ref for address in on_outlines)
    outlines = {building.osm_ref: building for building in extract.buildings}
    for address in on_outlines:
        assert outlines[address.osm_ref].footprint.covers(_point(address))
    blanche = next(a for a in on_outlines if a.street == "Blanche Street")
    assert (blanche.osm_ref, blanche.housenumber, blanche.postcode) == (
        "way/164627045",
        "1",
        "SLM2051",
    )
    assert any(a.street.startswith("Triq ") for a in extract.addresses)


def test_one_node_with_two_house_numbers_becomes_two_addresses(osm_dir):
    extract = addresses_from_extract(osm_dir / "malta.osm.pbf")
    numbers = [a.housenumber for a in extract.addresses if a.osm_ref == "node/2112233777"]
    assert numbers == ["4", "5"]


def test_house_numbers_are_split_on_semicolons_and_on_commas_between_numbers_only():
    assert split_housenumbers("12;14") == ["12", "14"]
    assert split_housenumbers("12, 14B") == ["12", "14B"]
    assert split_housenumbers("37, Prinjola") == ["37, Prinjola"]
    assert split_housenumbers("12B") == ["12B"]


def test_swedish_addresses_keep_their_letters_as_mapped(osm_dir):
    extract = addresses_from_extract(osm_dir / "lund-station.osm.pbf")
    assert {a.street for a in extract.addresses} >= {"Bangatan", "Västra Stationstorget"}
    assert extract.buildings


@pytest.mark.parametrize(
    "name", ["uppsala-central-roads", "oslo-east-roads", "rhein-neckar-roads"]
)
def test_a_roads_only_extract_reads_without_error_and_has_no_buildings(osm_dir, name):
    extract = addresses_from_extract(osm_dir / f"{name}.osm.pbf")
    assert extract.buildings == []
    assert len(extract.addresses) < 10  # a stray node or two: the caller decides what is enough


def test_a_missing_extract_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="does not exist"):
        addresses_from_extract(tmp_path / "nowhere.osm.pbf")


def test_a_file_that_is_no_osm_data_is_a_street_graph_error(tmp_path):
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"this is not protobuf" * 10)
    with pytest.raises(StreetGraphError, match=r"cannot read broken\.osm\.pbf"):
        addresses_from_extract(broken)


def _point(address):
    from shapely.geometry import Point

    return Point(address.lon, address.lat)
