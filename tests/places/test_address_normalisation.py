"""Street names, house numbers and postcodes as registers write them, normalised."""

from __future__ import annotations

import pytest

from sitecrew.places.normalise import (
    HouseNumber,
    abbreviates,
    exact_key,
    fold,
    kinds_within_a_typo,
    natural_key,
    parse_housenumber,
    parse_street,
    postcode_key,
)
from sitecrew.places.typos import Typo, typo


def _same_key(*names: str) -> bool:
    return len({parse_street(name).key for name in names}) == 1


def test_case_and_spacing_leave_the_exact_key_alone():
    assert exact_key("  THORVALD   meyers GATE ") == exact_key("Thorvald Meyers gate")
    assert exact_key("St.Olavs gate") == exact_key("St. Olavs gate") == "st olavs gate"
    assert exact_key("Sørengkaia") == "sørengkaia"  # letters are kept in the exact key


@pytest.mark.parametrize(
    "written",
    ["Thorvald Meyers gate", "Thorvald Meyers gt.", "Thorvald Meyers gt", "thorvald meyers g.",
     "Thorvald Meyers gata", "Thorvald Meyers gaten", "Thorvald Meyersgate", "THORVALD MEYERS GT."],
)
def test_gate_gt_g_gata_and_gaten_are_one_street_type(written):
    assert _same_key(written, "Thorvald Meyers gate")


@pytest.mark.parametrize("written", ["Akersgata", "Akers gate", "Akersg.", "Akersgt.", "Akersgaten"])
def test_a_compound_street_type_is_split_off(written):
    assert parse_street(written).key == "akers|gate"


@pytest.mark.parametrize("written", ["Maridalsveien", "Maridalsvei", "Maridalsv.", "Maridalsvn", "Maridals vei"])
def test_vei_veien_v_and_vn_are_one_street_type(written):
    assert parse_street(written).key == "maridals|vei"


def test_plass_and_pl_and_alle_with_or_without_accent_are_one_street_type_each():
    assert _same_key("Carl Berners plass", "Carl Berners pl.", "Carl Berners pl")
    assert _same_key("Edvard Griegs allé", "Edvard Griegs alle", "Edvard Griegs Allé")
    assert _same_key("Ullevålsalléen", "Ullevaalsalleen", "Ullevålsallé")


def test_a_name_that_merely_ends_in_g_or_v_is_no_abbreviation():
    assert parse_street("Sandberg").kind is None
    assert parse_street("Sandberg").key == "sandberg|"
    assert parse_street("Valle").key == "valle|"  # no ``V. allé``


@pytest.mark.parametrize(
    ("written", "mapped"),
    [
        ("Soerengkaia", "Sørengkaia"),
        ("Sorengkaia", "Sørengkaia"),
        ("Aasengata", "Åsengata"),
        ("Asengata", "Åsengata"),
        ("Schaeffers gate", "Schæffers gate"),
        ("Eugene Hanssens gate", "Eugéne Hanssens gate"),
        ("Gruners gate", "Grüners gate"),
        ("Grueners gate", "Grüners gate"),
        ("Vastra Stationstorget", "Västra Stationstorget"),
        ("Goteborggata", "Gøteborggata"),
        ("Triq il-Bajja s-Sabiha", "Triq il-Bajja s-Sabiħa"),
    ],
)
def test_norwegian_swedish_and_accented_letters_fold_with_their_spellings(written, mapped):
    assert _same_key(written, mapped)


def test_fold_turns_each_spelling_of_one_letter_into_one():
    assert fold("Øvre Å Ærø") == fold("Oevre Aa Aeroe") == fold("Ovre A Aero")
    assert fold("Rosenborggata", light=True) == "rosenborggata"
    assert fold("Tøyengata", light=True) == "toyengata"


@pytest.mark.parametrize(
    "written", ["Anne-Cath. Vestlys plass", "Anne Cath. Vestlys plass", "Anne-Cath Vestlys pl."]
)
def test_hyphens_and_spaces_inside_names_do_not_matter(written):
    assert _same_key(written, "Anne-Cath. Vestlys plass")
    assert _same_key("7. juni-plassen", "7. juni plassen", "7 juniplassen")


def test_abbreviated_first_words_are_marked_for_the_matcher():
    name = parse_street("G. Drammens vei")
    assert name.words == ("g", "drammens")
    assert name.abbreviated == (True, False)
    assert parse_street("Gml Drammens vei").abbreviated == (True, False)  # no vowel, short
    assert parse_street("St. Olavs gate").abbreviated == (True, False)


@pytest.mark.parametrize(
    ("short", "full"),
    [("g", "gamle"), ("gml", "gamle"), ("st", "store"), ("st", "sankt"), ("s", "sondre"),
     ("sdr", "sondre"), ("n", "nordre"), ("ndr", "nordre"), ("pl", "plass"), ("chr", "christian")],
)
def test_an_abbreviation_keeps_the_first_letter_and_the_order_of_the_rest(short, full):
    assert abbreviates(short, full)


def test_an_abbreviation_needs_the_first_letter_and_a_longer_word():
    assert not abbreviates("gl", "lage")
    assert not abbreviates("st", "sondre")
    assert not abbreviates("gamle", "gamle")


@pytest.mark.parametrize(
    ("number", "letter", "parsed"),
    [
        ("12", None, HouseNumber("12", "")),
        ("12B", None, HouseNumber("12", "B")),
        ("12b", None, HouseNumber("12", "B")),
        ("12 b", None, HouseNumber("12", "B")),
        ("12-b", None, HouseNumber("12", "B")),
        (" 12 B ", None, HouseNumber("12", "B")),
        ("12", "b", HouseNumber("12", "B")),
        ("12", " B ", HouseNumber("12", "B")),
        ("12B", "B", HouseNumber("12", "B")),
        ("012", None, HouseNumber("12", "")),
        ("12B H0101", None, HouseNumber("12", "B")),
        ("Nr. 12", None, HouseNumber("12", "")),
    ],
)
def test_house_numbers_and_letters_as_registers_write_them(number, letter, parsed):
    assert parse_housenumber(number, letter) == parsed


@pytest.mark.parametrize(
    ("number", "letter"), [("", None), ("twelve", None), ("12B", "C"), ("12", "BB"), ("12-14", None)]
)
def test_what_is_no_house_number_is_not_read_as_one(number, letter):
    assert parse_housenumber(number, letter) is None


def test_house_numbers_sort_as_people_count():
    assert sorted(["10", "2", "10B", "1", "Lia Buildings", "10A"], key=natural_key) == [
        "1", "2", "10", "10A", "10B", "Lia Buildings"
    ]


def test_postcodes_lose_spacing_and_get_back_the_zero_a_spreadsheet_dropped():
    assert postcode_key("0555") == postcode_key("555") == postcode_key(" 0555 ") == "0555"
    assert postcode_key("555.0") == "0555"  # a spreadsheet's float
    assert postcode_key("0555 Oslo") == postcode_key("0555, OSLO") == "0555"
    assert postcode_key("752 36") == postcode_key("752 36 Uppsala") == "75236"
    assert postcode_key("vlt 1117") == "VLT1117"
    assert postcode_key("") is None
    assert postcode_key(None) is None


def test_a_typo_in_the_street_type_word_names_the_kind_it_meant():
    assert kinds_within_a_typo("gtae") == ("gate",)
    assert kinds_within_a_typo("vein") == ("vei",)
    assert kinds_within_a_typo("plsas") == ("plass",)
    assert kinds_within_a_typo("terrasse") == ()


@pytest.mark.parametrize(
    ("written", "known"),
    [("votgs", "vogts"), ("buls", "bulls"), ("trondhiems", "trondheims"), ("marstrangdata", "marstrandgata"),
     ("sandakrveien", "sandakerveien")],
)
def test_swaps_doubled_letters_and_edits_in_long_words_are_sure_typos(written, known):
    assert typo(written, known) is Typo.SURE


@pytest.mark.parametrize(
    ("written", "known"),
    [("toftes", "tofes"), ("lyngkaia", "langkaia"), ("lindgangen", "landgangen"),
     ("mollegata", "mollergata"), ("lyng", "lang"), ("eseilduksgata", "seilduksgata"),
     ("dalstredet", "damstredet"), ("pilstredet", "pilestredet")],
)
def test_one_edit_in_a_short_or_common_part_of_a_name_is_only_a_possible_typo(written, known):
    assert typo(written, known) is Typo.POSSIBLE


@pytest.mark.parametrize(("written", "known"), [("moe", "mo"), ("ask", "asa"), ("marit", "margit dahl")])
def test_a_different_short_word_is_no_typo(written, known):
    assert typo(written, known) is Typo.NONE
