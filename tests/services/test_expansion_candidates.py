"""Candidate depots: a seeded sample of a region's addresses, or the customer's premises file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitecrew.errors import InvalidInputError, NotFoundError
from sitecrew.services.expansion.candidates import candidates_from_csv, candidates_from_extract
from sitecrew.services.expansion.files import SiteFileError


def test_sample_of_addresses_is_the_same_for_the_same_seed(osm_dir: Path):
    """Twenty addresses of Grünerløkka, the same twenty each time, another twenty for another seed."""
    extract = osm_dir / "oslo-grunerlokka.osm.pbf"
    first = candidates_from_extract(extract, count=20, seed=1)
    assert len(first) == 20
    assert candidates_from_extract(extract, count=20, seed=1) == first
    assert candidates_from_extract(extract, count=20, seed=2) != first
    assert all(c.source.startswith("osm:") and c.name for c in first)


ROAD_ONLY_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" version="1" lat="59.92" lon="10.75"/>
  <node id="2" version="1" lat="59.93" lon="10.76"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
</osm>
"""


def test_extract_without_addresses_or_buildings_has_no_candidates(tmp_path: Path):
    """A road and nothing else: the refusal points to a file of available premises."""
    extract = tmp_path / "road.osm"
    extract.write_text(ROAD_ONLY_OSM)
    with pytest.raises(InvalidInputError, match="file of available premises"):
        candidates_from_extract(extract)


def test_premises_file_good_rows(tmp_path: Path):
    """Each row of a premises file is a candidate, in file order."""
    path = tmp_path / "premises.csv"
    path.write_text("name,lon,lat\nLager A,10.75,59.92\nLager B,10.77,59.93\n")
    depots = candidates_from_csv(path)
    assert [(d.name, d.lon, d.lat) for d in depots] == [
        ("Lager A", 10.75, 59.92),
        ("Lager B", 10.77, 59.93),
    ]


def test_premises_file_bad_rows_are_typed_errors():
    """A longitude out of range and an empty name are both named; nothing is returned."""
    with pytest.raises(SiteFileError) as caught:
        candidates_from_csv("name,lon,lat\nA,190,59.9\n,10.7,59.9\nB,10.7,59.9\n")
    assert [p.line for p in caught.value.problems] == [2, 3]
    assert "lon 190 is not a longitude" in str(caught.value)


def test_premises_file_missing_column_or_file():
    """A header without lat, and a path that does not exist, are refused with typed errors."""
    with pytest.raises(InvalidInputError, match="column"):
        candidates_from_csv("name,lon\nA,10.7\n")
    with pytest.raises(NotFoundError):
        candidates_from_csv(Path("/nonexistent/premises.csv"))
