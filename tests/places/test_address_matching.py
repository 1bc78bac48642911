"""Matching register addresses to OSM address points: never a guess, nearly always a match.

The bar: a register made from real Oslo address points, spoiled with the noise real registers
hold, is matched to the right points for at least 97% of its rows; every address that does not
exist is refused; no row is lost.
"""

from __future__ import annotations

import math
import time
from collections import Counter

import pytest
from tests.places.noisy_register import FAKE_STREETS, noisy_register

from sitecrew.places.addresses import OsmAddress, addresses_from_extract
from sitecrew.places.matching import (
    AddressIndex,
    AddressMatch,
    AddressMismatch,
    KnownAddress,
    MatchProblem,
    MatchQuality,
    RegisterAddress,
)
from sitecrew.places.normalise import parse_housenumber

REQUIRED_ACCURACY = 0.97


@pytest.fixture(scope="module")
def oslo_addresses(osm_dir) -> list[OsmAddress]:
    return addresses_from_extract(osm_dir / "oslo.osm.pbf").addresses


@pytest.fixture(scope="module")
def oslo(oslo_addresses) -> AddressIndex:
    return AddressIndex(_known(oslo_addresses))


def _known(addresses: list[OsmAddress]) -> list[KnownAddress]:
    return [
        KnownAddress(key, a.street, a.housenumber, a.postcode, a.city, a.lon, a.lat)
        for key, a in enumerate(addresses)
    ]


def _at(key, street, number, *, postcode="0555", lon=10.76, lat=59.93, city="Oslo"):
    return KnownAddress(key, street, number, postcode, city, lon, lat)


def _match(index, street, number, letter=None, *, postcode=None, city=None):
    return index.match(RegisterAddress(street, number, letter, postcode, city))


# --- Single rows, by the rule they show ---------------------------------------------------------


def test_an_exact_address_matches_exactly(oslo):
    found = _match(oslo, "Thorvald Meyers gate", "12C", postcode="0555")
    assert isinstance(found, AddressMatch)
    assert (found.address.street, found.address.housenumber) == ("Thorvald Meyers gate", "12C")
    assert found.quality is MatchQuality.EXACT
    assert found.score == 100
    assert not found.postcode_differs


def test_case_spacing_and_letter_forms_still_match_exactly(oslo):
    for number, letter in (("12 c", None), ("12-C", None), ("12", "c"), (" 12c ", None)):
        found = _match(oslo, "  THORVALD MEYERS  GATE", number, letter)
        assert isinstance(found, AddressMatch), (number, letter, found)
        assert found.address.housenumber == "12C"
        assert found.quality is MatchQuality.EXACT


def test_abbreviations_and_folded_letters_match_as_normalised(oslo):
    cases = {
        "Thorvald Meyers gt.": "Thorvald Meyers gate",
        "Tøyengt": "Tøyengata",
        "Toeyengata": "Tøyengata",
        "Trondheimsvn": "Trondheimsveien",
        "Sorengkaia": "Sørengkaia",
        "Sankt Olavs gate": "St. Olavs gate",
        "Th. Meyers gate": "Thorvald Meyers gate",
        "Chr. Michelsens gate": "Christian Michelsens gate",
    }
    for written, street in cases.items():
        found = _match(oslo, written, "2" if "Tøyen" in street or "Trond" in street else "1")
        if isinstance(found, AddressMismatch):  # the number may not exist; the street must
            assert found.problem is MatchProblem.UNKNOWN_NUMBER, (written, found)
            assert street in found.reason
            continue
        assert found.address.street == street, written
        assert found.quality is MatchQuality.NORMALISED, written


@pytest.mark.parametrize(
    ("written", "street"),
    [
        ("G. Drammens vei", "Gamle Drammens vei"),
        ("Gml. Drammensvei", "Gamle Drammens vei"),
        ("gml drammens v.", "Gamle Drammens vei"),
        ("St. Ringvei", "Store Ringvei"),
        ("St Ringveien", "Store Ringvei"),
        ("S. gate", "Søndre gate"),
        ("Sdr. gt.", "Søndre gate"),
        ("N. gate", "Nordre gate"),
        ("Ndr gate", "Nordre gate"),
        ("Hans N. Hauges plass", "Hans Nielsen Hauges plass"),
    ],
)
def test_abbreviated_words_match_the_whole_words_they_stand_for(written, street):
    streets = ["Gamle Drammens vei", "Store Ringvei", "Søndre gate", "Nordre gate",
               "Hans Nielsen Hauges plass", "Sofienberggata"]
    index = AddressIndex([_at(key, name, "5") for key, name in enumerate(streets)])
    found = _match(index, written, "5")
    assert isinstance(found, AddressMatch), found
    assert found.address.street == street
    assert found.quality is MatchQuality.NORMALISED


def test_a_typo_in_a_long_name_matches_as_fuzzy_with_its_similarity(oslo):
    found = _match(oslo, "Thorvald Meyres gate", "12C")
    assert isinstance(found, AddressMatch)
    assert found.address.street == "Thorvald Meyers gate"
    assert found.quality is MatchQuality.FUZZY
    assert 80 <= found.score < 100


@pytest.mark.parametrize(
    ("written", "street"),
    [
        ("Kingos gtae", "Kingos gate"),  # a typo in the street type, the name right
        ("Tønsberggaa", "Tønsberggata"),
        ("Ullevålsvie", "Ullevålsveien"),
        ("Helgesensg ate", "Helgesens gate"),  # the space slipped
        ("Pilestredet pak", "Pilestredet park"),  # a typo in a word many names share
        ("F. Nansens plsas", "Fridtjof Nansens plass"),  # an abbreviation and a typo
        ("Maridalvseien", "Maridalsveien"),  # a swap across the joint
        ("Votgs gate", "Vogts gate"),  # a swap in a short name
        ("Ole Buls gate", "Ole Bulls gate"),  # a lost double letter
    ],
)
def test_sure_typos_match_without_a_postcode(oslo, written, street):
    resolved = oslo._directory.resolve(written)
    assert resolved.keys, written
    assert oslo._directory.spellings(resolved.keys[0]) == [street]
    assert resolved.quality == "fuzzy"
    assert not resolved.needs_postcode


@pytest.mark.parametrize(
    "written", ["Fosshagen", "Kirkehagen", "Store gate", "Dalstredet", "Lyng gate", "Skog vei"]
)
def test_names_one_letter_from_a_real_one_but_plausible_themselves_are_not_sure_typos(oslo, written):
    resolved = oslo._directory.resolve(written)
    assert getattr(resolved, "needs_postcode", True), (written, resolved)


def test_a_possible_typo_needs_the_postcode_to_confirm_it():
    index = AddressIndex([_at(1, "Toftes gate", "5", postcode="0552")])
    refused = _match(index, "Tofes gate", "5")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.UNKNOWN_STREET
    assert "Toftes gate" in refused.reason
    assert "0552" in refused.reason
    confirmed = _match(index, "Tofes gate", "5", postcode="0552")
    assert isinstance(confirmed, AddressMatch)
    assert confirmed.quality is MatchQuality.FUZZY


@pytest.mark.parametrize(
    "street", [*FAKE_STREETS, "Fjellbekkveien", "Solsikkegata", "Trollhaugen terrasse"]
)
def test_an_invented_street_is_refused_and_the_nearest_real_one_named(oslo, street):
    for number in ("1", "2", "5", "12"):
        refused = _match(oslo, street, number)
        assert isinstance(refused, AddressMismatch), (street, number, refused)
        assert refused.problem is MatchProblem.UNKNOWN_STREET
        assert street in refused.reason


def test_a_number_that_does_not_exist_is_refused_with_what_exists(oslo):
    refused = _match(oslo, "Thorvald Meyers gate", "999")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.UNKNOWN_NUMBER
    assert refused.reason == "no house number 999 on Thorvald Meyers gate (known: 1-89)"


def test_a_letter_that_does_not_exist_is_refused_and_the_letters_listed():
    index = AddressIndex([_at(1, "Toftes gate", "12"), _at(2, "Toftes gate", "12B")])
    refused = _match(index, "Toftes gate", "12C")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.UNKNOWN_NUMBER
    assert refused.reason == "no house number 12C on Toftes gate (known at 12: 12, 12B)"


def test_a_number_without_its_letter_is_never_guessed():
    index = AddressIndex([_at(1, "Toftes gate", "12A"), _at(2, "Toftes gate", "12B")])
    refused = _match(index, "Toftes gate", "12")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.UNKNOWN_NUMBER
    assert "exists only with a letter (12A, 12B)" in refused.reason


def test_a_letter_on_a_number_mapped_without_one_is_refused():
    index = AddressIndex([_at(1, "Toftes gate", "12")])
    refused = _match(index, "Toftes gate", "12", letter="A")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.UNKNOWN_NUMBER


def test_a_wrong_postcode_does_not_refuse_a_unique_address_but_is_reported():
    index = AddressIndex([_at(1, "Toftes gate", "12", postcode="0552")])
    found = _match(index, "Toftes gate", "12", postcode="0999")
    assert isinstance(found, AddressMatch)
    assert found.postcode_differs
    same = _match(index, "Toftes gate", "12", postcode="552")  # a spreadsheet dropped the 0
    assert isinstance(same, AddressMatch)
    assert not same.postcode_differs


def test_copies_of_one_address_close_together_are_one_place_and_the_lowest_key_wins():
    index = AddressIndex(
        [_at(7, "Toftes gate", "12", lon=10.7601), _at(3, "Toftes gate", "12", lon=10.7600)]
    )
    found = _match(index, "Toftes gate", "12")
    assert isinstance(found, AddressMatch)
    assert found.address.key == 3


def test_copies_far_apart_need_the_postcode_to_choose():
    index = AddressIndex(
        [
            _at(1, "Storgata", "5", postcode="0155", lon=10.75, city="Oslo"),
            _at(2, "Storgata", "5", postcode="2000", lon=11.05, city="Lillestrøm"),
        ]
    )
    refused = _match(index, "Storgata", "5")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.AMBIGUOUS_ADDRESS
    assert "0155 Oslo" in refused.reason
    assert "2000 Lillestrøm" in refused.reason
    chosen = _match(index, "Storgata", "5", postcode="2000")
    assert isinstance(chosen, AddressMatch)
    assert chosen.address.key == 2
    by_city = _match(index, "Storgata", "5", city="lillestrøm")
    assert isinstance(by_city, AddressMatch)
    assert by_city.address.key == 2


def test_an_abbreviation_that_fits_two_streets_is_ambiguous_unless_the_postcode_decides():
    index = AddressIndex(
        [_at(1, "Nedre gate", "2", postcode="0551"), _at(2, "Nordre gate", "2", postcode="0551"),
         _at(3, "Nordre gate", "4", postcode="0552")]
    )
    refused = _match(index, "N. gate", "2")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.AMBIGUOUS_STREET
    assert "Nedre gate" in refused.reason
    assert "Nordre gate" in refused.reason
    decided = _match(index, "N. gate", "4", postcode="0552")
    assert isinstance(decided, AddressMatch)
    assert decided.address.key == 3


@pytest.mark.parametrize(
    ("street", "number", "problem"),
    [
        ("", "12", MatchProblem.MISSING_STREET),
        ("   ", "12", MatchProblem.MISSING_STREET),
        ("Toftes gate", "", MatchProblem.MISSING_NUMBER),
        ("Toftes gate", "tolv", MatchProblem.INVALID_NUMBER),
        ("Toftes gate", "12-14", MatchProblem.INVALID_NUMBER),
    ],
)
def test_missing_and_unreadable_parts_are_refused_by_name(street, number, problem):
    index = AddressIndex([_at(1, "Toftes gate", "12")])
    refused = _match(index, street, number)
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is problem
    assert refused.reason


def test_a_house_number_mapped_as_text_matches_when_written_the_same():
    index = AddressIndex([_at(1, "Triq San Pawl", "30/39", postcode=None)])
    found = _match(index, "triq san pawl", "30/39")
    assert isinstance(found, AddressMatch)


def test_an_empty_index_refuses_everything_politely():
    index = AddressIndex([])
    assert len(index) == 0
    refused = _match(index, "Toftes gate", "12")
    assert isinstance(refused, AddressMismatch)
    assert refused.problem is MatchProblem.UNKNOWN_STREET


# --- The bar: a noisy register made from real address points ----------------------------------


def _outcomes(index, register):
    return [(row, index.match(row.address)) for row in register]


def _right(found: KnownAddress, source: OsmAddress) -> bool:
    """The point the row was made from, or the same street, number and letter within 150 m."""
    if found.street != source.street:
        return False
    if parse_housenumber(found.housenumber) != parse_housenumber(source.housenumber):
        return False
    scale = math.cos(math.radians(source.lat))
    metres = 111_195 * math.hypot((found.lon - source.lon) * scale, found.lat - source.lat)
    return metres <= 150


def _measure(outcomes, *, ambiguous_in_osm=frozenset()):
    real = [(row, result) for row, result in outcomes if row.source is not None]
    fakes = [(row, result) for row, result in outcomes if row.source is None]
    right = sum(
        isinstance(result, AddressMatch) and _right(result.address, row.source)
        for row, result in real
    )
    wrong = [
        (row.address, result.address)
        for row, result in real
        if isinstance(result, AddressMatch) and not _right(result.address, row.source)
    ]
    excused = sum(
        isinstance(result, AddressMismatch)
        and result.problem is MatchProblem.AMBIGUOUS_ADDRESS
        and (row.source.street, row.source.housenumber) in ambiguous_in_osm
        for row, result in real
    )
    matched_fakes = [(row.address, result) for row, result in fakes if isinstance(result, AddressMatch)]
    refusals = Counter(result.problem.value for _, result in real if isinstance(result, AddressMismatch))
    accuracy = right / (len(real) - excused)
    report = (
        f"{right} of {len(real) - excused} real rows matched right ({accuracy:.2%}), "
        f"{len(wrong)} wrong {wrong[:5]}, refusals {dict(refusals)}, "
        f"{len(fakes) - len(matched_fakes)} of {len(fakes)} made-up rows refused {matched_fakes[:5]}"
    )
    return accuracy, wrong, matched_fakes, report


def test_a_noisy_oslo_register_is_matched_to_the_right_points(oslo, oslo_addresses):
    register = noisy_register(oslo_addresses, rows=4000, fakes=60, seed=13)
    outcomes = _outcomes(oslo, register)
    accuracy, wrong, matched_fakes, report = _measure(outcomes)
    print(report)  # noqa: T201 (the measured accuracy, shown with -s)
    assert len(outcomes) == len(register), "a row was lost"
    assert all(isinstance(result, AddressMatch | AddressMismatch) for _, result in outcomes)
    assert accuracy >= REQUIRED_ACCURACY, report
    assert wrong == [], report
    assert matched_fakes == [], report


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_noisy_oslo_registers_clear_the_bar_too(oslo, oslo_addresses, seed):
    register = noisy_register(oslo_addresses, rows=2000, fakes=40, seed=seed)
    accuracy, wrong, matched_fakes, report = _measure(_outcomes(oslo, register))
    assert accuracy >= REQUIRED_ACCURACY, report
    assert wrong == [], report
    assert matched_fakes == [], report


#: Maltese names are short words (``Triq is-Sur``): one edit in them is as likely another name,
#: so a typo the postcode cannot confirm (most Maltese points have none) is refused.
MALTA_ACCURACY = 0.90


def test_a_noisy_malta_register_is_matched_too(osm_dir):
    addresses = [
        a for a in addresses_from_extract(osm_dir / "malta.osm.pbf").addresses
        if parse_housenumber(a.housenumber) is not None
    ]
    index = AddressIndex(_known(addresses))
    register = noisy_register(addresses, rows=len(addresses), fakes=30, seed=5)
    # Some Maltese numbers are mapped twice, hundreds of metres apart and without postcodes:
    # refusing them is right, so they are not counted against the matcher.
    places: dict[tuple[str, str], list[OsmAddress]] = {}
    for address in addresses:
        places.setdefault((address.street, address.housenumber), []).append(address)
    ambiguous = frozenset(key for key, copies in places.items() if len(copies) > 1)
    accuracy, wrong, matched_fakes, report = _measure(
        _outcomes(index, register), ambiguous_in_osm=ambiguous
    )
    assert any(row.address.street.lower().startswith("triq") for row in register)
    assert accuracy >= MALTA_ACCURACY, report
    assert wrong == [], report
    assert matched_fakes == [], report


def test_twenty_two_thousand_lookups_take_well_under_five_seconds(oslo_addresses):
    index = AddressIndex(_known(oslo_addresses))  # a cold index: no name resolved yet
    register = noisy_register(oslo_addresses, rows=13_000, fakes=0, seed=21)
    register += noisy_register(oslo_addresses, rows=9_000, fakes=0, seed=22)
    started = time.perf_counter()
    for row in register:
        index.match(row.address)
    seconds = time.perf_counter() - started
    assert len(register) == 22_000
    assert seconds < 5, f"22,000 lookups took {seconds:.2f} s"
