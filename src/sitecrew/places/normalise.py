"""Normalise street names, house numbers and postcodes the way registers and OSM write them.

A register writes ``Thorvald Meyers gt. 12 b``, OSM ``Thorvald Meyers gate`` / ``12B``. Two
keys are derived from a street name: the *exact* key ignores only case, punctuation and spacing;
the *normalised* key also folds letters (``ø``/``oe``/``o``, ``å``/``aa``/``a``, ``æ``/``ae``,
``ä``, ``ö``, ``é``, ``ü``), drops spaces and hyphens, and replaces the street-type word
(``gate``/``gata``/``gaten``/``gt.``/``g.``, ``vei``/``veien``/``v.``, ``plass``/``pl.``,
``allé``/``alle``) by its kind, whether written apart or compounded (``Akersgata``). Words
abbreviated with a dot (``G.``, ``St.``, ``Sdr.``) are kept as tokens for the matcher to align
with whole words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from rapidfuzz.utils import default_process

from sitecrew.places.typos import COMMON_WORDS

#: Letters that Unicode does not decompose into a base letter, written the way registers do
#: when they lack them (before the two-letter forms are folded below).
_LETTERS = str.maketrans(
    {"æ": "ae", "ä": "ae", "ø": "oe", "ö": "oe", "å": "aa", "ü": "ue", "ħ": "h", "ß": "ss"}
)
#: The same letters as one ASCII letter each, for comparing typos: folding ``oe`` to ``o``
#: would turn the one-letter typo ``Roenborggata`` (``Rosenborggata``) into two.
_LIGHT_LETTERS = str.maketrans(
    {"æ": "ae", "ä": "a", "ø": "o", "ö": "o", "å": "a", "ü": "u", "ħ": "h", "ß": "ss"}
)
#: Two-letter spellings of one letter (``oe`` for ``ø``, ``aa`` for ``å``) folded to one.
_DIGRAPHS = re.compile(r"(aa|ae|oe|ue)")
_TOKEN = re.compile(r"[^\W_]+\.?")
_VOWELS = frozenset("aeiouy")

#: Street-type words, as written apart (``Thorvald Meyers gt.``), by the kind they mean.
KIND_WORDS: dict[str, str] = {
    "gate": "gate",
    "gata": "gate",
    "gaten": "gate",
    "gatan": "gate",
    "gt": "gate",
    "g": "gate",
    "vei": "vei",
    "veien": "vei",
    "veg": "vei",
    "vegen": "vei",
    "vn": "vei",
    "v": "vei",
    "vag": "vei",
    "vagen": "vei",
    "plass": "plass",
    "plassen": "plass",
    "pl": "plass",
    "alle": "alle",
    "alleen": "alle",
}
#: Endings of compound names (``Akersgata``, ``Maridalsv.``), longest first; the abbreviated
#: ones only count with their dot (a name may well end in ``g`` or ``v``).
_SUFFIXES: tuple[tuple[str, str, bool], ...] = tuple(
    sorted(
        (
            *((word, kind, False) for word, kind in KIND_WORDS.items() if len(word) > 2),  # noqa: PLR2004
            ("gt", "gate", False),
            ("vn", "vei", False),
            ("g", "gate", True),
            ("v", "vei", True),
            ("pl", "plass", True),
        ),
        key=lambda suffix: -len(suffix[0]),
    )
)
#: A compound's remaining stem must be at least this long (``Valle`` is no ``V. allé``).
_MIN_STEM = 3
_MAX_ABBREVIATION = 4


def fold(text: str, *, light: bool = False) -> str:
    """Lower-case ``text`` and fold the letters registers spell in several ways.

    ``Sørengkaia``, ``Soerengkaia`` and ``Sorengkaia`` all become ``sorengkaia``; ``Åsengata``,
    ``Aasengata`` and ``Asengata`` become ``asengata``; accents go (``Eugéne`` -> ``eugene``).
    ``light`` only replaces each letter by its ASCII look-alike and leaves two-letter spellings
    alone (for edit distances, where the full fold can double a typo).
    """
    table = _LIGHT_LETTERS if light else _LETTERS
    lowered = unicodedata.normalize("NFKC", text).lower().translate(table)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain if light else _DIGRAPHS.sub(lambda match: match.group(0)[0], plain)


def exact_key(text: str) -> str:
    """Ignore case, punctuation and spacing but keep letters (``St. Olavs  gate``).

    ``St. Olavs  gate`` becomes ``st olavs gate``; ``Sørengkaia`` keeps its ``ø``.
    """
    return " ".join(default_process(unicodedata.normalize("NFKC", text)).split())


@dataclass(frozen=True)
class StreetName:
    """A street name split into folded words and its kind (``gate``, ``vei``, ``plass``, ``alle``).

    ``abbreviated`` marks the words written as abbreviations (``G.``, ``St``, ``Sdr``) that
    may stand for a longer word of the same initial letters.
    """

    words: tuple[str, ...]
    abbreviated: tuple[bool, ...]
    kind: str | None
    #: All words folded and joined as written, the type word included (``thorvaldmeyersgt``).
    compact: str
    #: The type was part of the last word (``Akersgata``), not a word of its own.
    compound: bool = False
    #: ``words`` and ``compact`` lightly folded (see :func:`fold`), for edit distances.
    light_words: tuple[str, ...] = ()
    light: str = ""

    @property
    def stem(self) -> str:
        """The words before the street type, joined (``thorvaldmeyers``)."""
        return "".join(self.words)

    @property
    def key(self) -> str:
        """The normalised key: stem and kind (``thorvaldmeyers|gate``)."""
        return f"{self.stem}|{self.kind or ''}"

    @property
    def canonical(self) -> str:
        """Stem and kind as one word (``thorvaldmeyersgate``), for similarity scores."""
        return self.stem + (self.kind or "")


def parse_street(text: str) -> StreetName:
    """Split a street name into folded words and its kind.

    Examples: ``Thorvald Meyers gt.`` -> words ``thorvald``, ``meyers``, kind ``gate``;
    ``Akersgata`` -> ``akers`` / ``gate``; ``Maridalsv.`` -> ``maridals`` / ``vei``;
    ``Grensen`` -> ``grensen`` / no kind.
    """
    raw = _TOKEN.findall(fold(text))
    words = [token.rstrip(".") for token in raw]
    dotted = [token.endswith(".") for token in raw]
    compact = "".join(words)
    kind: str | None = None
    compound = False
    if len(words) > 1 and words[-1] in KIND_WORDS:
        kind = KIND_WORDS[words[-1]]
        words, dotted = words[:-1], dotted[:-1]
    elif words:
        split = _split_compound(words[-1], dotted=dotted[-1])
        if split is not None:
            words[-1], kind = split
            dotted[-1] = False
            compound = True
    abbreviated = tuple(
        flag or _looks_abbreviated(word) for word, flag in zip(words, dotted, strict=True)
    )
    light = [token.rstrip(".") for token in _TOKEN.findall(fold(text, light=True))]
    light_words = light[: len(words)]
    if compound and light_words:
        split = _split_compound(light_words[-1], dotted=True)
        light_words[-1] = split[0] if split else light_words[-1]
    if len(light_words) != len(words):
        light_words = list(words)
    return StreetName(
        tuple(words), abbreviated, kind, compact, compound, tuple(light_words), "".join(light)
    )


#: Type words long enough that one typo in them is still recognisable.
_TYPO_KIND_WORDS = tuple(word for word in KIND_WORDS if len(word) >= 2)  # noqa: PLR2004


def kinds_within_a_typo(word: str) -> tuple[str, ...]:
    """Return the kinds whose type words ``word`` is one typo from (``gvte``: ``gate``).

    A common name ending is itself, not a typo: ``hagen`` is no mistyped ``vagen``.
    """
    if len(word) < 2 or word in KIND_WORDS or word in COMMON_WORDS:  # noqa: PLR2004
        return ()
    return tuple(
        sorted(
            {
                KIND_WORDS[kind_word]
                for kind_word in _TYPO_KIND_WORDS
                if OSA.distance(word, kind_word, score_cutoff=1) <= 1
            }
        )
    )


def _split_compound(word: str, *, dotted: bool) -> tuple[str, str] | None:
    for suffix, kind, needs_dot in _SUFFIXES:
        if (
            word.endswith(suffix)
            and len(word) - len(suffix) >= _MIN_STEM
            and (dotted or not needs_dot)
        ):
            return word[: -len(suffix)], kind
    return None


def _looks_abbreviated(word: str) -> bool:
    """``Gml``, ``St``, ``Sdr``, ``Chr``, single letters: short and without a vowel."""
    return (
        len(word) <= _MAX_ABBREVIATION
        and word.isalpha()
        and not any(char in _VOWELS for char in word)
    )


def abbreviates(short: str, full: str) -> bool:
    """Whether ``short`` can abbreviate ``full``: same first letter, the rest in order.

    ``g`` and ``gml`` abbreviate ``gamle``, ``st`` ``store`` and ``sankt``, ``sdr`` ``sondre``,
    ``chr`` ``christian``; ``gl`` does not abbreviate ``lage``.
    """
    if not short or not full or short[0] != full[0] or len(short) >= len(full):
        return False
    rest = iter(full[1:])
    return all(char in rest for char in short[1:])


@dataclass(frozen=True)
class HouseNumber:
    """A house number as digits (no leading zeros) and an upper-case letter (or ``""``)."""

    number: str
    letter: str

    def __str__(self) -> str:
        return f"{self.number}{self.letter}"


_HOUSENUMBER = re.compile(r"^(?:nr\.?\s*)?0*(\d+)\s*[-/.]?\s*([^\W\d_])?$", re.IGNORECASE)
#: A Norwegian dwelling number (``H0101``) some registers append to the address.
_DWELLING = re.compile(r"\s+h\d{4}$", re.IGNORECASE)


def parse_housenumber(text: str, letter: str | None = None) -> HouseNumber | None:
    """Read ``12``, ``12B``, ``12 b``, ``12-b`` (plus an optional letter column), else None.

    A letter in both the number and the letter column must agree.
    """
    cleaned = _DWELLING.sub("", " ".join(text.split()))
    match = _HOUSENUMBER.match(cleaned)
    if match is None:
        return None
    number = match.group(1).lstrip("0") or "0"
    own = (match.group(2) or "").upper()
    column = (letter or "").strip().upper()
    if column and (len(column) != 1 or not column.isalpha()):
        return None
    if own and column and own != column:
        return None
    return HouseNumber(number, own or column)


def natural_key(housenumber: str) -> tuple[int, str]:
    """Sort house numbers as people do: ``2`` < ``10`` < ``10B`` < ``Lia Buildings``."""
    parsed = parse_housenumber(housenumber)
    if parsed is None:
        return (10**9, housenumber)
    return (int(parsed.number), parsed.letter)


def postcode_key(text: str | None) -> str | None:
    """Return the digits of a postcode, a Norwegian one restored to four digits.

    Spreadsheets drop the leading ``0`` (``555``) or write a float (``555.0``); registers
    append the town (``0555 Oslo``). Malta's letters stay (``VLT 1117``); spacing and case go.
    """
    if text is None:
        return None
    stripped = text.strip()
    leading = _POSTCODE_FIRST.match(stripped)
    if leading:
        stripped = leading.group(1)
    cleaned = "".join(stripped.split()).upper()
    if not cleaned:
        return None
    if cleaned.isdigit() and len(cleaned) < 4:  # noqa: PLR2004 (Norway's postcodes are 4 digits)
        cleaned = cleaned.zfill(4)
    return cleaned


#: Digits first, then a float's ``.0`` or a town: ``555.0``, ``0555 Oslo``, ``752 36 Uppsala``.
_POSTCODE_FIRST = re.compile(r"^(\d{3}\s?\d{2}|\d{1,5})(?:\.0+)?(?:[\s,]+[^\W\d_][\w .'-]*)?$")
