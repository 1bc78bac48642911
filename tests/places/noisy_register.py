"""Build a register the way housing companies keep them, from real OSM address points.

Each row is made from one real address and then spoiled at random with the noise real registers
hold (case, spacing, abbreviated street types and first words, house letters written apart or in
their own column, folded Norwegian letters, hyphens, typos, wrong or missing postcodes), several
kinds on one row sometimes. Rows for addresses that do not exist are mixed in: invented street
names, real streets with impossible numbers, real numbers with a letter that does not exist.
The seed fixes everything, so a failure can be replayed.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass

from sitecrew.places.addresses import OsmAddress
from sitecrew.places.matching import RegisterAddress
from sitecrew.places.normalise import parse_housenumber, parse_street

#: Invented street names, plausible in Norway (none exists in the test extracts).
FAKE_STREETS = (
    "Fjellbekkveien",
    "Solsikkegata",
    "Trollhaugen terrasse",
    "Multebærstien",
    "Ugleveien",
    "Revehiet",
    "Tyttebærlia",
    "Bjørnebærveien",
    "Granholtveien",
    "Lyngåsen",
    "Måkeskjærgata",
    "Elgtråkket",
    "Nøkkerosegata",
    "Kvitveisbakken",
    "Hegrestien",
    "Furumoen gate",
    "Blåklokkeveien",
    "Skogsnipegata",
    "Rypeveien",
    "Ospelia",
    "Tiurveien",
    "Stjerneskuddet",
    "Bekkasinstien",
    "Nordlysgata",
    "Fiolinmakers gate",
)

_TYPE_WORDS = {
    "gate": ("gt.", "gt", "g.", "gaten", "Gate", "GT."),
    "gata": ("g.", "gt.", "gt", "gaten"),
    "veien": ("v.", "vn", "vei", "vn."),
    "vei": ("v.", "veien", "vn."),
    "plass": ("pl.",),
    "allé": ("alle", "Alle"),
    "alléen": ("alleen",),
}
_FIRST_WORDS = {
    "Gamle": ("G.", "Gml."),
    "Store": ("St.",),
    "Søndre": ("S.", "Sdr."),
    "Nordre": ("N.", "Ndr."),
    "Nedre": ("N.", "Ndr."),
    "Øvre": ("Ø.",),
    "Vestre": ("V.",),
    "Østre": ("Ø.",),
    "Lille": ("L.",),
    "Professor": ("Prof.",),
    "Kristian": ("Kr.",),
    "Christian": ("Chr.",),
    "Dronning": ("Dr.",),
    "Sankt": ("St.",),
}
_LETTERS = {
    "ø": ("o", "oe"),
    "Ø": ("O", "Oe"),
    "å": ("aa", "a"),
    "Å": ("Aa", "A"),
    "æ": ("ae",),
    "Æ": ("Ae",),
    "é": ("e",),
    "ü": ("u", "ue"),
    "ä": ("a", "ae"),
    "ö": ("o", "oe"),
    "ħ": ("h",),
    "Ħ": ("H",),
    "ż": ("z",),
    "ġ": ("g",),
    "ċ": ("c",),
    "à": ("a",),
}
_ALPHABET = "abcdefghijklmnoprstuvy"


@dataclass(frozen=True)
class RegisterRow:
    """A register row and, for a real address, the address point it was made from."""

    address: RegisterAddress
    source: OsmAddress | None
    noises: tuple[str, ...]


def noisy_register(
    addresses: list[OsmAddress], *, rows: int, fakes: int, seed: int
) -> list[RegisterRow]:
    """``rows`` spoiled rows made from real ``addresses`` and ``fakes`` made-up ones, shuffled."""
    rng = random.Random(seed)
    real = rng.sample(addresses, min(rows, len(addresses)))
    postcodes = sorted({address.postcode for address in addresses if address.postcode})
    result = [_spoil(rng, address, postcodes) for address in real]
    result.extend(_fakes(rng, addresses, fakes))
    rng.shuffle(result)
    return result


def _spoil(rng: random.Random, source: OsmAddress, postcodes: list[str]) -> RegisterRow:
    street, number, letter = source.street, source.housenumber, None
    postcode: str | None = source.postcode
    chosen = rng.choices(
        [(), *[(noise,) for noise in _NOISES]]
        + [tuple(rng.sample(list(_NOISES), k)) for k in (2, 3)],
        weights=[10] + [6] * len(_NOISES) + [25, 12],
    )[0]
    applied: list[str] = []
    for noise in chosen:
        spoiled = _NOISES[noise](rng, street, number)
        if spoiled is not None:
            street, number, letter = spoiled[0], spoiled[1], spoiled[2] or letter
            applied.append(noise)
    if rng.random() < 0.25:
        postcode, label = _spoil_postcode(rng, postcode, postcodes)
        applied.append(label)
    return RegisterRow(
        RegisterAddress(street, number, letter, postcode, source.city), source, tuple(applied)
    )


Spoiled = tuple[str, str, str | None] | None


def _case(rng: random.Random, street: str, number: str) -> Spoiled:
    change = rng.choice((str.upper, str.lower, str.title))
    return change(street), change(number), None


def _spacing(rng: random.Random, street: str, number: str) -> Spoiled:
    words = street.split(" ")
    return "  ".join(words) + rng.choice(("", " ", "  ")), f" {number} ", None


def _street_type(rng: random.Random, street: str, number: str) -> Spoiled:
    for word, replacements in _TYPE_WORDS.items():
        if street.endswith(f" {word}"):
            return f"{street[: -len(word)]}{rng.choice(replacements)}", number, None
    for ending in ("gata", "gate", "veien", "plass", "alléen", "allé"):
        if street.endswith(ending) and len(street) > len(ending) + 2:
            return f"{street[: -len(ending)]}{rng.choice(_TYPE_WORDS[ending])}", number, None
    return None


def _first_word(rng: random.Random, street: str, number: str) -> Spoiled:
    words = street.split()
    if len(words) < 3 and not (len(words) == 2 and words[0] in _FIRST_WORDS):
        return None
    if words[0] in _FIRST_WORDS:
        words[0] = rng.choice(_FIRST_WORDS[words[0]])
    elif words[0].isalpha() and len(words[0]) > 3:
        words[0] = words[0][: rng.choice((1, 2, 3))] + "."
    else:
        return None
    return " ".join(words), number, None


def _house_letter(rng: random.Random, street: str, number: str) -> Spoiled:
    parsed = parse_housenumber(number)
    if parsed is None or not parsed.letter:
        return None
    letter = rng.choice((parsed.letter, parsed.letter.lower()))
    form = rng.randrange(5)
    if form == 0:
        return street, parsed.number, letter
    return street, f"{parsed.number}{('', ' ', '-', ' ')[form - 1]}{letter}", None


def _letters(rng: random.Random, street: str, number: str) -> Spoiled:
    if not any(char in _LETTERS for char in street):
        return None
    folded = "".join(rng.choice(_LETTERS[char]) if char in _LETTERS else char for char in street)
    return folded, number, None


def _hyphens(rng: random.Random, street: str, number: str) -> Spoiled:
    if "-" in street:
        return street.replace("-", rng.choice((" ", ""))), number, None
    words = street.split()
    if len(words) < 3:
        return None
    return "-".join(words[:2]) + " " + " ".join(words[2:]), number, None


def _typo(rng: random.Random, street: str, number: str) -> Spoiled:
    positions = [i for i, char in enumerate(street) if char.isalpha() and i > 0]
    if len(parse_street(street).canonical) < 8:
        return None
    i = rng.choice(positions)
    kind = rng.randrange(4)
    if kind == 0:
        spoiled = street[:i] + street[i + 1 :]
    elif kind == 1:
        spoiled = street[:i] + rng.choice(_ALPHABET) + street[i:]
    elif kind == 2:
        spoiled = street[:i] + rng.choice(_ALPHABET) + street[i + 1 :]
    else:
        spoiled = street[: i - 1] + street[i] + street[i - 1] + street[i + 1 :]
    return spoiled, number, None


_NOISES = {
    "case": _case,
    "spacing": _spacing,
    "street type": _street_type,
    "first word": _first_word,
    "house letter": _house_letter,
    "letters": _letters,
    "hyphens": _hyphens,
    "typo": _typo,
}


def _spoil_postcode(
    rng: random.Random, postcode: str | None, postcodes: list[str]
) -> tuple[str | None, str]:
    choice = rng.randrange(3)
    if choice == 0 or not postcode:
        return None, "no postcode"
    if choice == 1 and postcode.startswith("0"):
        return postcode.lstrip("0"), "postcode without its 0"
    return rng.choice(postcodes), "wrong postcode"


def _fakes(rng: random.Random, addresses: list[OsmAddress], count: int) -> list[RegisterRow]:
    """Invented streets, impossible numbers on real streets, letters that do not exist."""
    numbers: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    # One street may be mapped in two spellings (``Triq is-Sur``, ``Triq is-sur``): numbers are
    # gathered per normalised name, so an "impossible" number is impossible in every spelling.
    by_key: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for address in addresses:
        parsed = parse_housenumber(address.housenumber)
        if parsed is not None:
            by_key[parse_street(address.street).key][int(parsed.number)].add(parsed.letter)
    for address in addresses:
        known = by_key.get(parse_street(address.street).key)
        if known:
            numbers[address.street] = known
    streets = sorted(numbers)
    rows: list[RegisterRow] = []
    for index in range(count):
        street = rng.choice(streets)
        kind = index % 4
        if kind == 0:
            row = RegisterAddress(FAKE_STREETS[index // 4 % len(FAKE_STREETS)], str(rng.randint(1, 60)))
        elif kind == 1:
            row = RegisterAddress(street, str(max(numbers[street]) + rng.randint(20, 400)))
        elif kind == 2:
            number = rng.choice(sorted(numbers[street]))
            taken = numbers[street][number]
            letter = next(char for char in "ABCDEFGHJKLMN" if char not in taken)
            row = RegisterAddress(street, f"{number}{rng.choice((letter, ' ' + letter.lower()))}")
        else:
            row = _missing_letter(rng, numbers) or RegisterAddress(street, "0")
        rows.append(RegisterRow(row, None, ("does not exist",)))
    return rows


def _missing_letter(
    rng: random.Random, numbers: dict[str, dict[int, set[str]]]
) -> RegisterAddress | None:
    """``12`` on a street where only ``12A`` and ``12B`` exist: never to be guessed."""
    candidates = [
        (street, number)
        for street, by_number in sorted(numbers.items())
        for number, letters in sorted(by_number.items())
        if "" not in letters
    ]
    if not candidates:
        return None
    street, number = rng.choice(candidates)
    return RegisterAddress(re.sub(r"\s+", " ", street), str(number))
