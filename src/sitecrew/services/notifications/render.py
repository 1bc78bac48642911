"""Rendering a message from its template: one file per kind and language, package data.

Templates live in ``templates/<language>/<kind>.txt``: the first line is the subject, the
rest after one blank line the body. They are Jinja2 (plain text, no HTML escaping: messages
are e-mail text and SMS) with strict undefined variables, so a template naming a fact that is
not given fails its test instead of sending a message with a hole in it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

import jinja2

from sitecrew.domain.notifications import MONTH_NAMES, WEEKDAY_NAMES, Language

if TYPE_CHECKING:
    from sitecrew.domain.notifications import NotificationKind


@dataclass(frozen=True)
class MessageFacts:
    """What a message may mention; times are already in the region's local time.

    ``offers``: windows the tenant may choose (start, end), listed in a missed-visit message.
    ``escalated``: the home went to the planner, so the tenant is offered nothing and told the
    housing company will be in touch.
    """

    address: str
    unit: str
    campaign: str
    link: str
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    eta: datetime | None = None
    offers: tuple[tuple[datetime, datetime], ...] = ()
    escalated: bool = False


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sitecrew.services.notifications", "templates"),
        autoescape=False,  # noqa: S701 (plain-text e-mail and SMS, never HTML)
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def format_day(day: date, language: Language) -> str:
    """Write a date as a reader of ``language`` expects it."""
    if language is Language.SWEDISH:
        return day.isoformat()
    if language is Language.NORWEGIAN:
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day} {MONTH_NAMES[Language.ENGLISH][day.month - 1]} {day.year}"


def format_window(window: tuple[datetime, datetime], language: Language) -> str:
    """Write an offered window as "Tuesday 8 December 2026, 08:00-10:00" in ``language``."""
    start, end = window
    weekday = WEEKDAY_NAMES[language][start.weekday()]
    return f"{weekday} {format_day(start.date(), language)}, {start:%H:%M}-{end:%H:%M}"


def render_message(
    kind: NotificationKind, language: Language, facts: MessageFacts
) -> tuple[str, str]:
    """Return the subject and body of a ``kind`` message in ``language``.

    Raises
    ------
    jinja2.UndefinedError
        When a template names a fact that ``facts`` lacks (a template bug, caught by tests).
    """
    values = asdict(facts)
    values["day"] = "" if facts.day is None else format_day(facts.day, language)
    for name in ("start", "end", "eta"):
        moment = getattr(facts, name)
        values[name] = "" if moment is None else f"{moment:%H:%M}"
    values["offers"] = [format_window(window, language) for window in facts.offers]
    template = _environment().get_template(f"{language.value}/{kind.value}.txt")
    subject, _, body = template.render(values).partition("\n\n")
    return subject.strip(), body.strip() + "\n"
