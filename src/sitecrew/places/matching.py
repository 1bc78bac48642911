"""Match addresses as registers write them to a region's OpenStreetMap address points, offline.

Nothing here may guess silently: a register row either matches one known address with a stated
quality, or is refused with a reason a person can act on. Street names are resolved by
:class:`sitecrew.places.street_names.StreetDirectory` (exact, normalised, abbreviated, typo);
the house number and letter must then exist on that street exactly: ``12`` never means ``12A``
and ``12C`` never means ``12B``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sitecrew.places.normalise import (
    exact_key,
    fold,
    natural_key,
    parse_housenumber,
    parse_street,
    postcode_key,
)
from sitecrew.places.street_names import StreetDirectory, StreetResolution, StreetUnknown

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class KnownAddress:
    """One address point of the region (an ``address_points`` row, or read from an extract).

    ``key`` is the caller's handle for it (the row id); the rest is as mapped in OSM.
    """

    key: int
    street: str
    housenumber: str
    postcode: str | None
    city: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class RegisterAddress:
    """An address as a register row holds it.

    ``housenumber`` may carry the letter (``12B``, ``12 b``); ``letter`` is a separate column
    when the register has one.
    """

    street: str
    housenumber: str
    letter: str | None = None
    postcode: str | None = None
    city: str | None = None


class MatchQuality(StrEnum):
    """How sure a match is, best first."""

    #: Same street, number and letter once case and spacing are ignored.
    EXACT = "exact"
    #: Same once abbreviations (``gt.``, ``v.``, ``G.``) and letters (``ø``/``o``) are folded.
    NORMALISED = "normalised"
    #: The street name matched by similarity (a typo); number and letter exact.
    FUZZY = "fuzzy"


class MatchProblem(StrEnum):
    """Why a register address was refused."""

    MISSING_STREET = "missing_street"
    MISSING_NUMBER = "missing_number"
    INVALID_NUMBER = "invalid_number"
    UNKNOWN_STREET = "unknown_street"
    AMBIGUOUS_STREET = "ambiguous_street"
    UNKNOWN_NUMBER = "unknown_number"
    AMBIGUOUS_ADDRESS = "ambiguous_address"


@dataclass(frozen=True)
class AddressMatch:
    """The one known address a register address means."""

    address: KnownAddress
    quality: MatchQuality
    #: Similarity of the street names, 0 to 100 (100 for exact and normalised matches).
    score: float
    #: The register's postcode disagreed with OSM's (the match was made on street and number).
    postcode_differs: bool = False


@dataclass(frozen=True)
class AddressMismatch:
    """A refusal: the problem, and a sentence saying what was looked for and what exists."""

    problem: MatchProblem
    reason: str


class AddressIndex:
    """The known addresses of a region, indexed for matching register addresses.

    Addresses are grouped by the normalised key of their street, then by house number and
    letter. Where one address is mapped several times (two entrances, a node and an outline),
    the copies within :data:`SAME_PLACE_METRES` of each other are one place and the lowest
    ``key`` wins (``addresses_from_extract`` lists nodes before outlines); copies farther apart
    are told apart by the register's postcode or city, or refused.
    """

    def __init__(self, addresses: Iterable[KnownAddress]) -> None:
        streets: dict[str, dict[tuple[str, str], list[KnownAddress]]] = defaultdict(
            lambda: defaultdict(list)
        )
        spellings: list[str] = []
        self._count = 0
        for address in addresses:
            self._count += 1
            spellings.append(address.street)
            streets[parse_street(address.street).key][_number_key(address.housenumber)].append(
                address
            )
        self._streets = {
            key: {number: sorted(found, key=_by_key) for number, found in numbers.items()}
            for key, numbers in streets.items()
        }
        self._directory = StreetDirectory(spellings)

    def __len__(self) -> int:
        return self._count

    def match(self, address: RegisterAddress) -> AddressMatch | AddressMismatch:
        """Return the one known address ``address`` means, or why there is none."""
        if not address.street.strip():
            return AddressMismatch(MatchProblem.MISSING_STREET, "the street is missing")
        if not address.housenumber.strip() and not (address.letter or "").strip():
            return AddressMismatch(
                MatchProblem.MISSING_NUMBER, f"the house number on {address.street} is missing"
            )
        number = self._number(address)
        if isinstance(number, AddressMismatch):
            return number
        resolution = self._directory.resolve(address.street)
        if isinstance(resolution, StreetUnknown):
            return _unknown_street(address.street, resolution.nearest)
        if len(resolution.keys) > 1:
            return self._decide_street(address, number, resolution)
        return self._on_street(address, number, resolution, resolution.keys[0])

    def _number(self, address: RegisterAddress) -> tuple[str, str] | AddressMismatch:
        parsed = parse_housenumber(address.housenumber, address.letter)
        if parsed is not None:
            return (parsed.number, parsed.letter)
        if not (address.letter or "").strip():
            raw = (exact_key(address.housenumber), "")
            if any(raw in numbers for numbers in self._streets.values()):
                return raw  # mapped as is (Malta's "30/39", "Lia Buildings")
        written = " ".join(filter(None, (address.housenumber.strip(), address.letter)))
        return AddressMismatch(
            MatchProblem.INVALID_NUMBER,
            f"'{written}' on {address.street} is not a house number like 12 or 12B",
        )

    def _decide_street(
        self, address: RegisterAddress, number: tuple[str, str], resolution: StreetResolution
    ) -> AddressMatch | AddressMismatch:
        """Several streets fit the name: only the postcode or city may choose among them."""
        names = [self._name(key) for key in resolution.keys]
        fitting = [
            key
            for key in resolution.keys
            if any(_agrees(address, known) for known in self._streets[key].get(number, ()))
        ]
        if len(fitting) == 1:
            return self._on_street(address, number, resolution, fitting[0])
        return AddressMismatch(
            MatchProblem.AMBIGUOUS_STREET,
            f"'{address.street}' could be {_either(names)}; write the street in full"
            + ("" if address.postcode else " or give the postcode"),
        )

    def _on_street(
        self,
        address: RegisterAddress,
        number: tuple[str, str],
        resolution: StreetResolution,
        key: str,
    ) -> AddressMatch | AddressMismatch:
        numbers = self._streets[key]
        found = numbers.get(number)
        if not found and resolution.needs_postcode:
            return _unknown_street(address.street, self._name(key))
        if not found:
            return _unknown_number(self._name(key), number, numbers)
        chosen = _one_place(address, found)
        if chosen is None:
            return _ambiguous_address(self._name(key), number, found)
        quality = MatchQuality(resolution.quality)
        wanted, mapped = postcode_key(address.postcode), postcode_key(chosen.postcode)
        if resolution.needs_postcode and not (wanted and wanted == mapped):
            return _unconfirmed_typo(address.street, self._name(key), chosen)
        return AddressMatch(
            address=chosen,
            quality=quality,
            score=resolution.score,
            postcode_differs=bool(wanted and mapped and wanted != mapped),
        )

    def _name(self, key: str) -> str:
        spellings = self._directory.spellings(key)
        return spellings[0] if spellings else key


#: Copies of one address closer than this are one place (entrances of one building).
SAME_PLACE_METRES = 150.0
_METRES_PER_DEGREE = 111_195.0


def _number_key(housenumber: str) -> tuple[str, str]:
    parsed = parse_housenumber(housenumber)
    if parsed is None:
        return (exact_key(housenumber), "")
    return (parsed.number, parsed.letter)


def _by_key(address: KnownAddress) -> int:
    return address.key


def _one_place(address: RegisterAddress, found: list[KnownAddress]) -> KnownAddress | None:
    """Choose the copy a row means: any when all are at one place, else the postcode's."""
    if _one_spot(found):
        return min(found, key=lambda known: (not _agrees(address, known), known.key))
    agreeing = [known for known in found if _agrees(address, known)]
    if agreeing and _one_spot(agreeing):
        return agreeing[0]
    return None


def _agrees(address: RegisterAddress, known: KnownAddress) -> bool:
    """Tell whether the register's postcode (else its city) is the known address's."""
    wanted = postcode_key(address.postcode)
    if wanted:
        return wanted == postcode_key(known.postcode)
    if address.city and address.city.strip():
        return known.city is not None and fold(address.city.strip()) == fold(known.city)
    return False


def _one_spot(found: list[KnownAddress]) -> bool:
    return all(_metres(one, other) <= SAME_PLACE_METRES for one in found for other in found)


def _metres(one: KnownAddress, other: KnownAddress) -> float:
    scale = math.cos(math.radians((one.lat + other.lat) / 2))
    return _METRES_PER_DEGREE * math.hypot((one.lon - other.lon) * scale, one.lat - other.lat)


def _unknown_street(street: str, nearest: str | None) -> AddressMismatch:
    hint = f" (nearest known: {nearest}, not close enough)" if nearest else ""
    return AddressMismatch(MatchProblem.UNKNOWN_STREET, f"no street '{street}' here{hint}")


def _unconfirmed_typo(street: str, nearest: str, known: KnownAddress) -> AddressMismatch:
    return AddressMismatch(
        MatchProblem.UNKNOWN_STREET,
        f"no street '{street}' here; if it means {nearest}, give the postcode"
        f" ({known.postcode}) to confirm"
        if known.postcode
        else f"no street '{street}' here (nearest known: {nearest}, not close enough)",
    )


def _unknown_number(
    street: str, number: tuple[str, str], numbers: dict[tuple[str, str], list[KnownAddress]]
) -> AddressMismatch:
    digits, letter = number
    same = sorted(
        (f"{n}{lt}" for n, lt in numbers if n == digits), key=natural_key
    )
    wanted = f"{digits}{letter}"
    if same and not letter:
        reason = f"house number {digits} on {street} exists only with a letter ({', '.join(same)})"
    elif same:
        reason = f"no house number {wanted} on {street} (known at {digits}: {', '.join(same)})"
    else:
        reason = f"no house number {wanted} on {street} (known: {_known_numbers(numbers)})"
    return AddressMismatch(MatchProblem.UNKNOWN_NUMBER, reason)


def _known_numbers(numbers: dict[tuple[str, str], list[KnownAddress]]) -> str:
    values = sorted({int(n) for n, _ in numbers if n.isdigit()})
    others = sorted({n for n, _ in numbers if not n.isdigit()})
    parts = [f"{values[0]}-{values[-1]}" if len(values) > 1 else str(values[0])] if values else []
    return ", ".join(parts + others[:3])


def _ambiguous_address(
    street: str, number: tuple[str, str], found: list[KnownAddress]
) -> AddressMismatch:
    places = sorted({_place(known) for known in found})
    apart = max(_metres(one, other) for one in found for other in found)
    return AddressMismatch(
        MatchProblem.AMBIGUOUS_ADDRESS,
        f"{street} {''.join(number)} exists {len(found)} times, up to {apart:.0f} m apart "
        f"({'; '.join(places)}); give the postcode of the one meant",
    )


def _place(known: KnownAddress) -> str:
    named = " ".join(filter(None, (known.postcode, known.city)))
    return named or f"at {known.lat:.5f}, {known.lon:.5f}"


def _either(names: list[str]) -> str:
    if len(names) > _NAMES_SHOWN:
        return ", ".join(names[:_NAMES_SHOWN]) + f" or {len(names) - _NAMES_SHOWN} other streets"
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


_NAMES_SHOWN = 5
