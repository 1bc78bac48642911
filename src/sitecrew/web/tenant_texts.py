"""The words of the tenant's page in Swedish, Norwegian (bokmål) and English, and which to use.

The language is the one the address asks for (``?lang=sv|nb|en``), else the first of the
browser's ``Accept-Language`` that the page speaks (``no`` and ``nn`` read as bokmål), else
English. Times are shown in the region's time zone, as the crews and letters state them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitecrew.domain.notifications import MONTH_NAMES, WEEKDAY_NAMES, Language

if TYPE_CHECKING:
    from datetime import datetime

LANGUAGES = ("sv", "nb", "en")
LANGUAGE_NAMES = {"sv": "Svenska", "nb": "Norsk", "en": "English"}
DEFAULT_LANGUAGE = "en"
_ALIASES = {"sv": "sv", "nb": "nb", "no": "nb", "nn": "nb", "en": "en"}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your visit",
        "state_pending": "No time is booked yet. Choose one of the times below.",
        "state_proposed": "We propose this time. Please confirm it or choose another.",
        "state_confirmed": "Your visit is booked.",
        "state_done": "The work in your home is done. Thank you!",
        "state_escalated": "We will contact you to agree on a time.",
        "closed": "This visit can no longer be changed here.",
        "confirm": "Confirm this time",
        "choose_title": "Other times",
        "choose": "Book the chosen time",
        "no_offers": "No other times are available in the next two weeks.",
        "offers_unavailable": "Other times cannot be shown right now; try again later.",
        "access_title": "How do we get in?",
        "access_home": "I will be at home",
        "access_caretaker_key": "I leave a key with the caretaker",
        "access_master_key": "You may use the master key",
        "save": "Save",
        "cancel_title": "Cannot make it?",
        "cancel": "Cancel this time",
        "calendar": "Add to calendar (.ics)",
        "done_confirm": "Thank you, your time is confirmed.",
        "done_choose": "Thank you, your new time is booked.",
        "done_access": "Thank you, we have noted how to get in.",
        "done_cancel": "Your time is cancelled. We will propose a new one.",
        "error_not_offered": "Sorry, that time has just been taken. Please choose another.",
        "error_stale": "The visit changed meanwhile; here it is as it stands now.",
        "error_form": "The form was not valid. Please try again from this page.",
        "error_closed": "This visit can no longer be changed.",
        "invalid_title": "This link does not work",
        "invalid_body": "The link may have expired or been replaced by a newer one. "
        "Please use the link in the latest message you got from us, or contact us.",
        "language": "Language",
    },
    "sv": {
        "title": "Ditt besök",
        "state_pending": "Ingen tid är bokad än. Välj en av tiderna nedan.",
        "state_proposed": "Vi föreslår den här tiden. Bekräfta den eller välj en annan.",
        "state_confirmed": "Ditt besök är bokat.",
        "state_done": "Arbetet i din bostad är klart. Tack!",
        "state_escalated": "Vi kontaktar dig för att komma överens om en tid.",
        "closed": "Det här besöket kan inte längre ändras här.",
        "confirm": "Bekräfta tiden",
        "choose_title": "Andra tider",
        "choose": "Boka vald tid",
        "no_offers": "Det finns inga andra lediga tider de närmaste två veckorna.",
        "offers_unavailable": "Andra tider kan inte visas just nu; försök igen senare.",
        "access_title": "Hur kommer vi in?",
        "access_home": "Jag är hemma",
        "access_caretaker_key": "Jag lämnar nyckel hos vaktmästaren",
        "access_master_key": "Ni får använda huvudnyckeln",
        "save": "Spara",
        "cancel_title": "Passar tiden inte?",
        "cancel": "Avboka tiden",
        "calendar": "Lägg till i kalendern (.ics)",
        "done_confirm": "Tack, din tid är bekräftad.",
        "done_choose": "Tack, din nya tid är bokad.",
        "done_access": "Tack, vi har noterat hur vi kommer in.",
        "done_cancel": "Din tid är avbokad. Vi föreslår en ny.",
        "error_not_offered": "Tyvärr blev den tiden just upptagen. Välj en annan.",
        "error_stale": "Besöket ändrades under tiden; så här ser det ut nu.",
        "error_form": "Formuläret var inte giltigt. Försök igen från den här sidan.",
        "error_closed": "Det här besöket kan inte längre ändras.",
        "invalid_title": "Länken fungerar inte",
        "invalid_body": "Länken kan ha gått ut eller ersatts av en nyare. Använd länken i det "
        "senaste meddelandet från oss, eller kontakta oss.",
        "language": "Språk",
    },
    "nb": {
        "title": "Ditt besøk",
        "state_pending": "Ingen tid er booket ennå. Velg en av tidene nedenfor.",
        "state_proposed": "Vi foreslår denne tiden. Bekreft den eller velg en annen.",
        "state_confirmed": "Besøket ditt er booket.",
        "state_done": "Arbeidet i boligen din er ferdig. Takk!",
        "state_escalated": "Vi kontakter deg for å avtale en tid.",
        "closed": "Dette besøket kan ikke lenger endres her.",
        "confirm": "Bekreft tiden",
        "choose_title": "Andre tider",
        "choose": "Book valgt tid",
        "no_offers": "Det finnes ingen andre ledige tider de neste to ukene.",
        "offers_unavailable": "Andre tider kan ikke vises akkurat nå; prøv igjen senere.",
        "access_title": "Hvordan kommer vi inn?",
        "access_home": "Jeg er hjemme",
        "access_caretaker_key": "Jeg legger igjen nøkkel hos vaktmesteren",
        "access_master_key": "Dere kan bruke hovednøkkelen",
        "save": "Lagre",
        "cancel_title": "Passer ikke tiden?",
        "cancel": "Avbestill tiden",
        "calendar": "Legg til i kalenderen (.ics)",
        "done_confirm": "Takk, tiden din er bekreftet.",
        "done_choose": "Takk, den nye tiden din er booket.",
        "done_access": "Takk, vi har notert hvordan vi kommer inn.",
        "done_cancel": "Tiden din er avbestilt. Vi foreslår en ny.",
        "error_not_offered": "Beklager, den tiden ble akkurat tatt. Velg en annen.",
        "error_stale": "Besøket ble endret i mellomtiden; slik ser det ut nå.",
        "error_form": "Skjemaet var ikke gyldig. Prøv igjen fra denne siden.",
        "error_closed": "Dette besøket kan ikke lenger endres.",
        "invalid_title": "Lenken virker ikke",
        "invalid_body": "Lenken kan ha utløpt eller blitt erstattet av en nyere. Bruk lenken i "
        "den siste meldingen fra oss, eller kontakt oss.",
        "language": "Språk",
    },
}


def choose_language(asked: str | None, accept_language: str | None) -> str:
    """Return the page's language: ``?lang=``, else the browser's first known one, else English."""
    if asked in LANGUAGES:
        return asked
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = _ALIASES.get(tag.strip().lower().split("-")[0])
        if language is not None and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def local_window(start: datetime, end: datetime, timezone: str, language: str) -> str:
    """Return a window as the tenant reads it: ``Tuesday 3 March, 08:00-10:00`` (local time)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    a, b = start.astimezone(zone), end.astimezone(zone)
    weekday = WEEKDAY_NAMES[Language(language)][a.weekday()]
    month = MONTH_NAMES[Language(language)][a.month - 1]
    day = f"{a.day}. {month}" if language == "nb" else f"{a.day} {month}"
    return f"{weekday} {day}, {a:%H:%M}\u2013{b:%H:%M}"
