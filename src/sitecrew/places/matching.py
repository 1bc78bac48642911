"""Match addresses as registers write them to a region's OpenStreetMap address points, offline.

INTERFACE (agreed between the region, import and matching work; the implementation fills in
``AddressIndex``). Nothing here may guess silently: a register row either matches one known
address with a stated quality, or is refused with a reason a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

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
    """An address as a register row holds it: ``housenumber`` may carry the letter (``12B``,
    ``12 b``); ``letter`` is a separate column when the register has one."""

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
    """The known addresses of a region, indexed for matching register addresses."""

    def __init__(self, addresses: Iterable[KnownAddress]) -> None:
        raise NotImplementedError  # the matching work fills this in

    def __len__(self) -> int:
        raise NotImplementedError

    def match(self, address: RegisterAddress) -> AddressMatch | AddressMismatch:
        """Return the one known address ``address`` means, or why there is none."""
        raise NotImplementedError
