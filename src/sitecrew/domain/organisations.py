"""Organisations, regions and districts: who owns, makes or services what, and where."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shapely.geometry import MultiPolygon, Polygon

from sitecrew.domain import limits
from sitecrew.domain.geo import validate_area
from sitecrew.domain.rules import optional_text, require_text
from sitecrew.errors import InvalidInputError

#: A region's one name: lower-case ASCII letters and digits in hyphen-separated words, not only
#: digits (a number names a region by its id). Street-graph regions of the OSM manifest are
#: slugs of the same form, so one word names a region on the command line, in the API and in
#: the graph cache.
SLUG_PATTERN = re.compile(r"(?![0-9]+$)[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = limits.STREET_REGION_MAX
#: ISO 3166-1 alpha-2, as regions store their country (``NO``, ``SE``).
_COUNTRY_PATTERN = re.compile(r"[A-Z]{2}")
#: Longest stored extract path (``regions.extract_path``).
EXTRACT_PATH_MAX = 500
#: Letters that Unicode does not decompose into an ASCII base letter plus accents.
_TRANSLITERATIONS = str.maketrans(
    {"æ": "ae", "ø": "o", "ß": "ss", "þ": "th", "ð": "d", "đ": "d", "ł": "l", "œ": "oe"}
)


def slug_from_title(title: str) -> str:
    """Return the slug a title suggests: ``"Oslo sentrum"`` -> ``"oslo-sentrum"``.

    Accents are dropped and Nordic letters spelt in ASCII (``"Ålesund øst"`` ->
    ``"alesund-ost"``), so the slug can be typed on any keyboard. A title without letters or
    digits gives ``"region"``, and one of digits only is prefixed (``"region-7"``), because a
    bare number names a region by id.
    """
    text = unicodedata.normalize("NFKD", title.lower().translate(_TRANSLITERATIONS))
    ascii_text = text.encode("ascii", "ignore").decode("ascii")
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text))[:SLUG_MAX].strip("-") or "region"
    return slug if SLUG_PATTERN.fullmatch(slug) else f"region-{slug}"[:SLUG_MAX]


def normalise_slug(text: str) -> str:
    """Return ``text`` as a slug is stored: trimmed and lower-cased (lookups ignore case)."""
    return text.strip().lower()


def require_slug(value: str, what: str = "region slug") -> None:
    """Raise unless ``value`` is a slug: ``oslo``, ``rhein-neckar``, ``oslo-2``.

    Raises
    ------
    InvalidInputError
        Naming the rule, for anything else.
    """
    if not isinstance(value, str) or len(value) > SLUG_MAX or not SLUG_PATTERN.fullmatch(value):
        msg = (
            f"{what} must be lower-case letters, digits and single hyphens (not only digits, "
            f"at most {SLUG_MAX} characters), got {str(value)[:40]!r}"
        )
        raise InvalidInputError(msg)


def require_country(value: str) -> None:
    """Raise unless ``value`` is a country the holiday calendars know, as ISO 3166 alpha-2.

    A region's country chooses its public holidays, so a code the ``holidays`` library does not
    know (or a lower-case or three-letter one) is refused here rather than found out when a
    plan silently ignores every holiday.

    Raises
    ------
    InvalidInputError
        Naming the rule, for anything else (``"no"``, ``"NOR"``, ``"XX"``).
    """
    if not isinstance(value, str) or not _COUNTRY_PATTERN.fullmatch(value):
        msg = f"country must be two upper-case letters (ISO 3166 alpha-2), got {str(value)[:20]!r}"
        raise InvalidInputError(msg)
    if value not in _supported_countries():
        raise InvalidInputError(f"unknown country {value!r}: no public-holiday calendar for it")


@cache
def _supported_countries() -> frozenset[str]:
    import holidays  # noqa: PLC0415 (about 50 ms; only when a region is built)

    return frozenset(code for code in holidays.list_supported_countries() if len(code) == 2)  # noqa: PLR2004


class OrganisationKind(StrEnum):
    """The roles an organisation plays in Sitecrew."""

    OWNER = "owner"
    FURNITURE_MAKER = "furniture_maker"
    CONTRACTOR = "contractor"
    SERVICE_PROVIDER = "service_provider"


@dataclass(frozen=True)
class Organisation:
    """A company or cooperative: site owner, furniture maker, contractor or the service team."""

    name: str
    kind: OrganisationKind
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_text(self.name, "organisation name")


@dataclass(frozen=True)
class Region:
    """An operating area (a city or part of one) with its outline.

    A region has one name that commands, the API and the graph cache share: its ``slug``
    (``oslo``), looked up without regard to case. ``name`` is its title for people
    (``Oslo sentrum``); when no slug is given, the title suggests one (:func:`slug_from_title`).
    ``street_region`` is the slug of the OSM manifest region whose street graph serves it
    (often the same word); ``timezone`` (IANA) is the local time of shifts and appointments.
    """

    name: str
    area: Polygon | MultiPolygon
    street_region: str | None = None
    timezone: str = "Europe/Oslo"
    id: int | None = None
    slug: str = ""
    country: str = "NO"
    extract_path: str | None = None

    def __post_init__(self) -> None:
        require_text(self.name, "region name")
        require_country(self.country)
        optional_text(self.extract_path, "extract path", max_length=EXTRACT_PATH_MAX)
        if not self.slug:
            object.__setattr__(self, "slug", slug_from_title(self.name))
        require_slug(self.slug)
        optional_text(self.street_region, "street region", max_length=limits.STREET_REGION_MAX)
        if self.street_region is not None:
            require_slug(self.street_region, "street region")
        require_text(self.timezone, "time zone", max_length=limits.TIMEZONE_MAX)
        validate_area(self.area, what="region area", max_vertices=limits.OUTLINE_VERTICES_MAX)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"unknown time zone {self.timezone!r}") from None


@dataclass(frozen=True)
class District:
    """A part of a region; when ``contractor_id`` is set, only that contractor works there."""

    name: str
    region_id: int
    area: Polygon | MultiPolygon
    contractor_id: int | None = None
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        require_text(self.name, "district name")
        validate_area(self.area, what="district area", max_vertices=limits.OUTLINE_VERTICES_MAX)
