"""Find which known street a register's street name means: exactly, normalised, or by typo.

The steps go from sure to less sure and stop at the first that decides: the exact key (case and
spacing), the normalised key (letters folded, street type as its kind), abbreviated words aligned
with whole ones (``G. Meyers gt.`` = ``Gustav Meyers gate``), a missing street type when only one
street has that stem, and last a typo: a small edit distance (rapidfuzz's optimal string
alignment, which counts a swap of two letters as one edit) with a clear lead over the runner-up.
A name that is not close enough to any known street stays unknown: an invented street must never
be matched to a real one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from sitecrew.places.normalise import (
    KIND_WORDS,
    StreetName,
    abbreviates,
    exact_key,
    kinds_within_a_typo,
    parse_street,
)
from sitecrew.places.typos import COMMON_WORDS, Typo, typo

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Street-type words long enough to be recognised with one typo (``gtae``, ``gaa``, ``vein``).
_KIND_TYPO_WORDS: dict[str, tuple[str, ...]] = {
    kind: tuple(word for word, of in KIND_WORDS.items() if of == kind and len(word) >= 3)  # noqa: PLR2004
    for kind in set(KIND_WORDS.values())
}
#: A word this long with one typo is sure when the street's other words are written right.
_WORD_AMONG_EQUALS = 5
#: The shortest stem a joined name may have (as in :mod:`sitecrew.places.normalise`).
_MIN_STEM = 3


@dataclass(frozen=True)
class StreetResolution:
    """The known streets (normalised keys) a register street name may mean, and how sure."""

    keys: tuple[str, ...]
    #: ``exact``, ``normalised`` or ``fuzzy`` (the values of ``MatchQuality``).
    quality: str
    #: Similarity of the names, 0 to 100.
    score: float
    #: Only a possible typo: the register's postcode must confirm the address.
    needs_postcode: bool = False


@dataclass(frozen=True)
class StreetUnknown:
    """No known street is close enough; ``nearest`` is the closest name, to help a person."""

    nearest: str | None


_ShapeKey = tuple[str | None, int]


class _Shape:
    """The streets of one kind and number of words, with their stems for a quick shortlist."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.abbreviated: list[str] = []
        self._stems: list[str] = []
        self._stem_keys: list[str] = []

    def add(self, name: StreetName) -> None:
        self.keys.append(name.key)
        if any(name.abbreviated):
            self.abbreviated.append(name.key)
        for stem in dict.fromkeys((name.stem, "".join(name.light_words))):
            self._stems.append(stem)
            self._stem_keys.append(name.key)

    def near(self, name: StreetName) -> list[str]:
        """Return the streets within two edits of ``name`` (a typo cannot be farther)."""
        keys: dict[str, None] = {}
        for stem in dict.fromkeys((name.stem, "".join(name.light_words))):
            for _, _, index in process.extract(
                stem, self._stems, scorer=OSA.distance, score_cutoff=2, limit=None
            ):
                keys[self._stem_keys[index]] = None
        return list(keys)


class StreetDirectory:
    """The street names of a region, by normalised key, with a cache of resolved names."""

    def __init__(self, spellings: Iterable[str]) -> None:
        self._names: dict[str, StreetName] = {}
        self._spellings: dict[str, list[str]] = defaultdict(list)
        self._exact: dict[str, set[str]] = defaultdict(set)
        by_shape: dict[_ShapeKey, _Shape] = defaultdict(_Shape)
        by_stem: dict[str, set[str]] = defaultdict(set)
        stems: dict[str, set[str]] = defaultdict(set)
        choices: dict[str, set[str]] = defaultdict(set)
        for spelling in sorted(set(spellings)):
            name = parse_street(spelling)
            if not name.words:
                continue
            if name.key not in self._names:
                self._names[name.key] = name
                by_shape[name.kind, len(name.words)].add(name)
                by_stem[name.stem].add(name.key)
            self._spellings[name.key].append(spelling)
            self._exact[exact_key(spelling)].add(name.key)
            choices[name.canonical].add(name.key)
            if name.kind is not None:
                stems[name.stem].add(name.key)
                stems["".join(name.light_words)].add(name.key)
        self._by_shape = dict(by_shape)
        self._by_stem = dict(by_stem)
        singles: dict[str, set[str]] = defaultdict(set)
        for key, name in self._names.items():
            if len(name.words) == 1:
                singles[name.light].add(key)
        self._single_words = list(singles)
        self._single_keys = [sorted(singles[text]) for text in self._single_words]
        self._stems = dict(stems)
        self._choice_texts = list(choices)
        self._choice_keys = [sorted(choices[text]) for text in self._choice_texts]
        self._cache: dict[str, StreetResolution | StreetUnknown] = {}

    def __len__(self) -> int:
        return len(self._names)

    def spellings(self, key: str) -> list[str]:
        """How OSM writes the street of ``key`` (sorted)."""
        return self._spellings[key]

    def resolve(self, street: str) -> StreetResolution | StreetUnknown:
        """Return the known street(s) ``street`` may mean, or the nearest name if none is close."""
        cached = self._cache.get(street)
        if cached is None:
            cached = self._resolve(street)
            self._cache[street] = cached
        return cached

    def _resolve(self, street: str) -> StreetResolution | StreetUnknown:
        exact = self._exact.get(exact_key(street))
        if exact:
            return StreetResolution(tuple(sorted(exact)), "exact", 100.0)
        name = parse_street(street)
        if name.key in self._names:
            return StreetResolution((name.key,), "normalised", 100.0)
        possible: StreetResolution | None = None
        for step in (
            self._aligned,
            self._without_kind,
            self._typo,
            self._typo_in_kind,
            self._typo_in_joined_kind,
        ):
            found = step(name)
            if found is not None and not found.needs_postcode:
                return found
            possible = possible or found  # a later step may still be sure
        return possible or StreetUnknown(self._nearest(name))

    def _typo_in_kind(self, name: StreetName) -> StreetResolution | None:
        """Allow a typo in the type word of an otherwise known name (``F. Nansens plsas``)."""
        if name.kind is not None or len(name.words) < 2:  # noqa: PLR2004
            return None
        keys: set[str] = set()
        possible = False
        for kind in kinds_within_a_typo(name.words[-1]):
            guess = replace(
                name,
                words=name.words[:-1],
                abbreviated=name.abbreviated[:-1],
                light_words=name.light_words[:-1],
                kind=kind,
            )
            if guess.key in self._names:
                keys.add(guess.key)
            elif aligned := self._aligned(guess):
                keys.update(aligned.keys)
                possible = possible or aligned.needs_postcode
        if not keys:
            return None
        ordered = tuple(sorted(keys))
        return StreetResolution(ordered, "fuzzy", self._score(name, ordered[0]), possible)

    def _aligned(self, name: StreetName) -> StreetResolution | None:
        """Abbreviated words against whole ones, word by word (``Th. Meyers`` = ``Thorvald``)."""
        found: dict[str, Typo] = {}
        shape = self._by_shape.get((name.kind, len(name.words)))
        if shape is None:
            return None
        for key in shape.keys if any(name.abbreviated) else shape.abbreviated:
            sure = _align(name, self._names[key])
            if sure is not Typo.NONE:
                found[key] = sure
        if not found:
            return None
        keys = tuple(sorted(found))
        if all(sure is Typo.SURE for sure in found.values()) and not any(
            _typo_edits(name, self._names[key]) for key in keys
        ):
            return StreetResolution(keys, "normalised", 100.0)
        possible = any(sure is Typo.POSSIBLE for sure in found.values())
        return StreetResolution(keys, "fuzzy", self._score(name, keys[0]), possible)

    def _without_kind(self, name: StreetName) -> StreetResolution | None:
        """Accept a name without its street type when only one street has that name."""
        if name.kind is not None:
            return None
        keys = self._by_stem.get(name.stem, set())
        if len(keys) != 1:
            return None
        return StreetResolution(tuple(keys), "normalised", 100.0)

    def _typo(self, name: StreetName) -> StreetResolution | None:
        """Accept one mistyped word, closer than any other street's (see :mod:`typos`)."""
        found: dict[str, tuple[int, Typo]] = {}
        shape = self._by_shape.get((name.kind, len(name.words)))
        for key in shape.near(name) if shape else ():
            edits = _typo_edits(name, self._names[key])
            if edits:
                found[key] = edits
        if not found and len(name.words) == 1:
            found = self._whole_name_typo(name)
        if not found:
            return None
        fewest = min(edits for edits, _ in found.values())
        keys = tuple(sorted(key for key, (edits, _) in found.items() if edits == fewest))
        possible = any(found[key][1] is Typo.POSSIBLE for key in keys)
        return StreetResolution(keys, "fuzzy", self._score(name, keys[0]), possible)

    def _whole_name_typo(self, name: StreetName) -> dict[str, tuple[int, Typo]]:
        """Compare one-word names as written when a typo broke the type (``Maridalvseien``)."""
        found: dict[str, tuple[int, Typo]] = {}
        for _, edits, index in process.extract(
            name.light, self._single_words, scorer=OSA.distance, score_cutoff=2, limit=5
        ):
            known = self._single_words[index]
            sure = typo(name.light, known)
            for key in self._single_keys[index]:
                if sure is not Typo.NONE:
                    found[key] = (edits, sure)
        return found

    def _typo_in_joined_kind(self, name: StreetName) -> StreetResolution | None:
        """Allow a typo in the type of an exactly written name (``Operaata``, ``Kingos gtae``)."""
        keys: set[str] = set()
        for text in dict.fromkeys((name.light, name.compact)):
            for cut in range(_MIN_STEM, len(text) - 1):
                rest = text[cut:]
                if rest in COMMON_WORDS and rest not in KIND_WORDS:
                    continue  # ``Fosshagen`` is no mistyped ``Fossvagen``
                for key in self._stems.get(text[:cut], ()):
                    kind = self._names[key].kind
                    if kind and any(_kind_typo(rest, word) for word in _KIND_TYPO_WORDS[kind]):
                        keys.add(key)
        if not keys:
            return None
        ordered = tuple(sorted(keys))
        return StreetResolution(ordered, "fuzzy", self._score(name, ordered[0]))

    def _score(self, name: StreetName, key: str) -> float:
        known = self._names[key]
        similarity = max(
            fuzz.ratio(name.canonical, known.canonical), fuzz.ratio(name.compact, known.compact)
        )
        return round(similarity, 1)

    def _nearest(self, name: StreetName) -> str | None:
        if not self._choice_texts:
            return None
        _, _, index = process.extractOne(name.canonical, self._choice_texts, scorer=fuzz.ratio)
        return self._spellings[self._choice_keys[index][0]][0]


def _kind_typo(rest: str, word: str) -> bool:
    """Tell whether ``rest`` is a type word with one typo after its first letter (or a swap).

    ``Storegate`` is no mistyped ``Storgate``: an edit at the joint is too often another word.
    """
    if rest[0] != word[0] and rest[:2] != word[1::-1]:
        return False
    return OSA.distance(rest, word, score_cutoff=1) <= 1


def _align(register: StreetName, known: StreetName) -> Typo:
    """Tell whether the words pair up, one abbreviating the other at least once.

    Returns how sure the pairing is: ``SURE`` with abbreviations only (or sure typos besides),
    ``POSSIBLE`` when a word also needed a possible typo, ``NONE`` when they do not pair up.
    """
    abbreviated = False
    sure = Typo.SURE
    last = len(register.words) - 1
    pairs = zip(
        register.words,
        register.abbreviated,
        register.light_words,
        known.words,
        known.abbreviated,
        known.light_words,
        strict=True,
    )
    for position, (word, short, light, other, other_short, other_light) in enumerate(pairs):
        if word == other:
            continue
        if (position == last and (register.compound or known.compound)) and (short or other_short):
            return Typo.NONE  # ``N. gate`` abbreviates no ``Nannestadgata``: a compound is one word
        if (short and abbreviates(word, other)) or (other_short and abbreviates(other, word)):
            abbreviated = True
        elif not short and not other_short:
            sure = min(sure, max(typo(word, other), typo(light, other_light)))
            if sure is Typo.NONE:
                return Typo.NONE
        else:
            return Typo.NONE
    return sure if abbreviated else Typo.NONE


def _typo_edits(register: StreetName, known: StreetName) -> tuple[int, Typo] | None:
    """Count the edits of the one mistyped word and how sure a typo it is, if only one differs."""
    pairs = [
        (word, other, light, other_light)
        for word, other, light, other_light in zip(
            register.words, known.words, register.light_words, known.light_words, strict=True
        )
        if word != other
    ]
    if len(pairs) != 1:
        return None
    word, other, light, other_light = pairs[0]
    if other in COMMON_WORDS and len(register.words) >= 2 and OSA.distance(word, other) == 1:  # noqa: PLR2004
        return 1, Typo.SURE  # ``Pilestredet pak``: the words that tell streets apart are right
    sure = max(typo(word, other), typo(light, other_light))
    if sure is Typo.NONE:
        return None
    edits = min(OSA.distance(word, other), OSA.distance(light, other_light))
    if sure is Typo.POSSIBLE and _among_equal_words(register, word, other, edits):
        sure = Typo.SURE
    return edits, sure


def _among_equal_words(register: StreetName, word: str, other: str, edits: int) -> bool:
    """Tell whether one edit in a word sits among words written right.

    ``Thorvald Meyer gate``, ``Triq San Tumaz``: the other words confirm the street, as a
    postcode would, if the word has five letters (four among two or more right words).
    """
    shortest = _WORD_AMONG_EQUALS - (len(register.words) >= 3)  # noqa: PLR2004
    return (
        len(register.words) >= 2  # noqa: PLR2004
        and edits == 1
        and word[0] == other[0]
        and min(len(word), len(other)) >= shortest
    )
