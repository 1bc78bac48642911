"""Demand of a new region: sites from OSM areas or the customer's file, with work per year."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sitecrew.errors import InvalidInputError
from sitecrew.services.expansion.demand import (
    MINUTES_PER_PIECE_YEAR,
    SETUP_MINUTES_YEAR,
    demand_from_csv,
    demand_from_extract,
    minutes_per_year_for,
)
from sitecrew.services.expansion.files import SiteFileError

if TYPE_CHECKING:
    from pathlib import Path


def test_grunerlokka_gives_school_and_residential_sites_with_work(osm_dir: Path):
    """The Grünerløkka clip's schools and residential areas become sites inside the clip."""
    sites = demand_from_extract(
        osm_dir / "oslo-grunerlokka.osm.pbf", kinds=("school", "residential")
    )
    kinds = {site.kind for site in sites}
    assert kinds == {"school", "residential"}
    assert sum(site.kind == "school" for site in sites) >= 10
    for site in sites:
        assert 10.70 < site.lon < 10.80
        assert 59.90 < site.lat < 59.95
        assert site.pieces >= 2
        assert site.minutes_per_year == pytest.approx(minutes_per_year_for(site.pieces))
        assert site.source.startswith("osm:")


def test_work_per_year_follows_the_default_care_plans():
    """Ten pieces cost ten pieces' care plus one site's setup; the plans give 20-60 min a piece."""
    assert 20 < MINUTES_PER_PIECE_YEAR < 60
    assert minutes_per_year_for(10) == pytest.approx(
        10 * MINUTES_PER_PIECE_YEAR + SETUP_MINUTES_YEAR
    )
    assert minutes_per_year_for(0) == 0


def test_roads_only_extract_is_refused_politely(osm_dir: Path):
    """An extract of roads only holds no areas: the refusal says so and what to do instead."""
    with pytest.raises(InvalidInputError, match="no school, residential, park areas"):
        demand_from_extract(osm_dir / "uppsala-central-roads.osm.pbf")


def test_unknown_site_kind_is_refused(osm_dir: Path):
    """Only schools, residential areas and parks become sites."""
    with pytest.raises(InvalidInputError, match="site kinds"):
        demand_from_extract(osm_dir / "oslo-grunerlokka.osm.pbf", kinds=("church",))


def test_customer_file_gives_one_site_per_row():
    """Pieces give work from the plans; minutes_per_year (a campaign's apartments) is taken as is."""
    sites = demand_from_csv(
        "lon,lat,name,pieces,minutes_per_year\n"
        "10.75,59.92,Skolen,12,\n"
        "10.76,59.93,Borettslaget,,900\n"
    )
    assert [s.name for s in sites] == ["Skolen", "Borettslaget"]
    assert sites[0].minutes_per_year == pytest.approx(minutes_per_year_for(12))
    assert sites[1].minutes_per_year == 900
    assert sites[1].source == "file:line 3"


def test_customer_file_with_bad_rows_names_every_one():
    """Bad coordinates, numbers and missing work are each named with their line; nothing is read."""
    text = (
        "lon,lat,name,pieces\n"
        "10.75,59.92,Good,3\n"
        "10.75,95,Pole,3\n"
        "east,59.92,Word,3\n"
        "10.75,59.92,,3\n"
        "10.75,59.92,No work,\n"
        "10.75,59.92,Half,2.5\n"
    )
    with pytest.raises(SiteFileError) as caught:
        demand_from_csv(text)
    assert [p.line for p in caught.value.problems] == [3, 4, 5, 6, 7]
    assert "line 3: lat 95 is not a latitude" in str(caught.value)
    assert isinstance(caught.value, InvalidInputError)


def test_customer_file_without_a_work_column_is_refused():
    """A file must say pieces or minutes per year."""
    with pytest.raises(InvalidInputError, match="pieces or a minutes_per_year column"):
        demand_from_csv("lon,lat,name\n10.75,59.92,A\n")


def test_customer_file_as_excel_saves_it_in_norway(tmp_path: Path):
    """Semicolons, decimal commas and a byte-order mark: the sites are read as written."""
    path = tmp_path / "sites.csv"
    path.write_bytes("lon;lat;name;pieces\n10,75;59,92;Skolen på Løkka;12\n".encode("utf-8-sig"))
    (site,) = demand_from_csv(path)
    assert (site.lon, site.lat, site.name) == (10.75, 59.92, "Skolen på Løkka")


def test_customer_file_that_is_not_utf8_says_how_to_save_it(tmp_path: Path):
    """A Windows-1252 file is refused with the line and how to save it, not a traceback."""
    path = tmp_path / "sites.csv"
    path.write_bytes("lon,lat,name,pieces\n10.75,59.92,Skolen på Løkka,12\n".encode("cp1252"))
    with pytest.raises(InvalidInputError, match=r"sites.csv is not UTF-8 \(line 2\).*CSV UTF-8"):
        demand_from_csv(path)
