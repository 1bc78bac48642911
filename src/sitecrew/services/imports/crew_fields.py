"""Cells of a crews register: weekly patterns, roles and skills as people write them."""

from __future__ import annotations

import re

from sitecrew.domain.calendars import WeekPattern
from sitecrew.domain.crews import CrewRole, Skill
from sitecrew.errors import InvalidInputError
from sitecrew.services.imports import fields

ROLE_ALIASES = {
    "leder": CrewRole.LEAD, "formann": CrewRole.LEAD, "arbetsledare": CrewRole.LEAD,
    "lagleder": CrewRole.LEAD, "medlem": CrewRole.MEMBER, "montor": CrewRole.MEMBER,
    "laerling": CrewRole.TRAINEE, "larling": CrewRole.TRAINEE,
}  # fmt: skip
#: Norwegian and Swedish weekday abbreviations, as people write them in patterns.
_DAYS = {"man": "mon", "mån": "mon", "tir": "tue", "tis": "tue", "ons": "wed", "tor": "thu",
         "tors": "thu", "fre": "fri", "lør": "sat", "lor": "sat", "lör": "sat", "søn": "sun",
         "son": "sun", "sön": "sun"}  # fmt: skip
_WORD = re.compile(r"[a-zæøåäö]+")


def parse_week_pattern(text: str) -> list[list[str] | None]:
    """Return the stored week pattern of ``"mon-fri 07:30-15:30; sat 08:00-12:00"``.

    Parts are separated by ``;`` or ``,``; days may be written in Norwegian or Swedish
    (``man-fre``, ``mån-fre``); ``daily`` means every day. Days not named are off.

    Raises
    ------
    FieldError
        When the pattern cannot be read.
    """
    lowered = text.strip().lower().replace(";", ",").replace("daily", "mon-sun")
    english = _WORD.sub(lambda word: _DAYS.get(word[0], word[0]), lowered)
    try:
        return WeekPattern.parse(english).to_json()
    except InvalidInputError as error:
        raise fields.FieldError(f"week_pattern: {error}") from None


def parse_role(role: str, trainee: str) -> CrewRole:
    """Return the member's role from the ``role`` and ``trainee`` cells (they must agree)."""
    folded = role.strip().lower().replace("æ", "ae").replace("ø", "o")
    parsed = CrewRole.MEMBER
    if folded:
        try:
            parsed = ROLE_ALIASES.get(folded) or CrewRole(folded)
        except ValueError:
            known = ", ".join(r.value for r in CrewRole)
            raise fields.FieldError(f"unknown role {role[:30]!r}; roles: {known}") from None
    if fields.yes_no(trainee, "trainee"):
        if folded and parsed is not CrewRole.TRAINEE:
            raise fields.FieldError(f"trainee is yes but role is {parsed.value}")
        return CrewRole.TRAINEE
    return parsed


def parse_skill_list(text: str) -> frozenset[Skill]:
    """Return the skills of ``"oiling, carpentry | welding"`` (names as in the skill list)."""
    skills = set()
    for part in re.split(r"[,|;/]", text):
        name = "_".join(part.strip().lower().split())
        if not name:
            continue
        try:
            skills.add(Skill(name))
        except ValueError:
            known = ", ".join(s.value for s in Skill)
            raise fields.FieldError(
                f"unknown skill {part.strip()[:30]!r}; skills: {known}"
            ) from None
    return frozenset(skills)
