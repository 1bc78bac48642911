"""``sitecrew crew``: list crews, set their calendars, keep absences, show who works which day."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sitecrew.cli.database import configured_sessions

if TYPE_CHECKING:
    from datetime import date

    from sitecrew.domain.access import Principal
    from sitecrew.domain.calendars import Absence
    from sitecrew.domain.crews import AbsenceKind
    from sitecrew.services.crew_calendars import CrewDays

app = typer.Typer(help="Crews, their calendars and members' absences.", no_args_is_help=True)
absence_app = typer.Typer(help="Days crew members are away.", no_args_is_help=True)
app.add_typer(absence_app, name="absence")

_PATTERN_HELP = (
    "The working week, e.g. 'mon-fri 07:30-15:30, sat 09:00-13:00' (days not named are off); "
    "'default' for Monday to Friday at the crew's shift."
)
_CLEAR = "-"
_DATE_HELP = "YYYY-MM-DD, or '-' to clear."
_CREW_HELP = "The crew's id or name (see `sitecrew crew list`)."


def _admin() -> Principal:
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415

    return Principal(Role.ADMIN)


def _day(text: str, name: str) -> date:
    from sitecrew.domain.days import parse_day  # noqa: PLC0415

    return parse_day(text, name=name)


@app.command("list")
def list_crews(
    region: str | None = typer.Option(None, help="Only this region's crews (slug or id)."),
) -> None:
    """List crews with their week, active dates, minimum size and public-holiday rule."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.domain.calendars import WeekPattern  # noqa: PLC0415
    from sitecrew.services import crew_calendars as service  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        crews = service.list_crews(session, _admin(), region=region)
    table = Table(title=f"{len(crews)} crews")
    for column in ("id", "name", "region", "week", "active", "min", "holidays"):
        table.add_column(column, justify="right" if column in {"id", "region", "min"} else "left")
    for crew in crews:
        active = f"{crew.active_from or 'always'} to {crew.active_until or 'open'}"
        table.add_row(
            str(crew.id),
            crew.name,
            str(crew.region_id),
            WeekPattern.of_crew(crew).describe(),
            active,
            str(crew.min_members),
            "works" if crew.works_public_holidays else "off",
        )
    Console().print(table)


@app.command("calendar")
def calendar(
    crew: str = typer.Argument(..., help=_CREW_HELP),
    pattern: str | None = typer.Option(None, "--pattern", help=_PATTERN_HELP),
    active_from: str | None = typer.Option(None, "--active-from", help=_DATE_HELP),
    active_until: str | None = typer.Option(None, "--active-until", help=_DATE_HELP),
    min_members: int | None = typer.Option(None, "--min-members", min=1, max=100),
    public_holidays: bool | None = typer.Option(
        None, "--public-holidays/--no-public-holidays", help="Whether it works public holidays."
    ),
) -> None:
    """Set a crew's calendar; options left out keep their current value."""
    from sitecrew.domain.calendars import WeekPattern  # noqa: PLC0415
    from sitecrew.services import crew_calendars as service  # noqa: PLC0415

    with configured_sessions() as sessions, sessions.begin() as session:
        current = service.get_crew_by_ref(session, _admin(), crew)
        week = WeekPattern.of_crew(current) if current.week_pattern is not None else None
        if pattern is not None:
            week = None if pattern.strip().lower() == "default" else WeekPattern.parse(pattern)
        command = service.SetCrewCalendar(
            crew_id=current.id or 0,
            version=current.version,
            week=week,
            active_from=_date_option(active_from, current.active_from, "--active-from"),
            active_until=_date_option(active_until, current.active_until, "--active-until"),
            min_members=current.min_members if min_members is None else min_members,
            works_public_holidays=(
                current.works_public_holidays if public_holidays is None else public_holidays
            ),
        )
        saved = service.set_crew_calendar(session, _admin(), command)
    holidays = "works" if saved.works_public_holidays else "off on"
    typer.echo(
        f"crew {saved.id} {saved.name}: {WeekPattern.of_crew(saved).describe()}; active "
        f"{saved.active_from or 'always'} to {saved.active_until or 'open'}; at least "
        f"{saved.min_members} present; {holidays} public holidays"
    )


def _date_option(text: str | None, current: date | None, name: str) -> date | None:
    if text is None:
        return current
    return None if text.strip() == _CLEAR else _day(text, name)


@absence_app.command("add")
def add_absence(
    member: int = typer.Argument(..., help="The crew member's id."),
    kind: str = typer.Option(..., "--kind", help="sick, leave, training or other."),
    first: str = typer.Option(..., "--from", help="First day away, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last day away (included), YYYY-MM-DD."),
    note: str | None = typer.Option(None, "--note", help="Free text (a course's name)."),
) -> None:
    """Record days a member is away (refused when they overlap another absence of theirs)."""
    from sitecrew.domain.calendars import Absence  # noqa: PLC0415
    from sitecrew.services import crew_calendars as service  # noqa: PLC0415

    absence = Absence(member, _kind(kind), _day(first, "--from"), _day(last, "--to"), note)
    with configured_sessions() as sessions, sessions.begin() as session:
        stored = service.add_absence(session, _admin(), absence)
    typer.echo(f"absence {stored.id}: member {member} {stored.kind} {first}..{last}")


def _kind(text: str) -> AbsenceKind:
    from sitecrew.domain.crews import AbsenceKind  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    try:
        return AbsenceKind(text.strip().lower())
    except ValueError:
        known = ", ".join(kind.value for kind in AbsenceKind)
        raise InvalidInputError(f"unknown absence kind {text[:20]!r}; kinds: {known}") from None


@absence_app.command("list")
def list_absences(
    crew: str | None = typer.Option(None, "--crew", help=_CREW_HELP),
    member: int | None = typer.Option(None, "--member", help="Only this member's absences."),
    first: str | None = typer.Option(None, "--from", help="Only absences on or after this day."),
    last: str | None = typer.Option(None, "--to", help="Only absences on or before this day."),
) -> None:
    """List absences, by first day."""
    from sitecrew.services import crew_calendars as service  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        crew_id = None
        if crew is not None:
            crew_id = service.get_crew_by_ref(session, _admin(), crew).id
        found = service.list_absences(
            session,
            _admin(),
            crew_id=crew_id,
            member_id=member,
            first=None if first is None else _day(first, "--from"),
            last=None if last is None else _day(last, "--to"),
        )
    _print_absences(found)


def _print_absences(found: list[Absence]) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=f"{len(found)} absences")
    for column in ("id", "member", "kind", "from", "to", "days", "note"):
        table.add_column(column, justify="right" if column in {"id", "member", "days"} else "left")
    for absence in found:
        days = (absence.ends_on - absence.starts_on).days + 1
        table.add_row(
            str(absence.id),
            str(absence.member_id),
            absence.kind.value,
            str(absence.starts_on),
            str(absence.ends_on),
            str(days),
            absence.note or "",
        )
    Console().print(table)


@absence_app.command("remove")
def remove_absence(absence: int = typer.Argument(..., help="The absence's id.")) -> None:
    """Delete an absence."""
    from sitecrew.services import crew_calendars as service  # noqa: PLC0415

    with configured_sessions() as sessions, sessions.begin() as session:
        current = service.get_absence(session, _admin(), absence)
        service.remove_absence(session, _admin(), absence, current.version)
    typer.echo(f"removed absence {absence}")


@app.command("availability")
def availability(
    crew: str = typer.Argument(..., help=_CREW_HELP),
    first: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last day (at most 366 days on), YYYY-MM-DD."),
) -> None:
    """Show whether the crew works each day, its shift, who is there, and why not."""
    from sitecrew.services import crew_calendars as service  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        crew_id = service.get_crew_by_ref(session, _admin(), crew).id
        found = service.crew_availability(
            session,
            _admin(),
            first=_day(first, "--from"),
            last=_day(last, "--to"),
            crew_id=crew_id,
        )
    _print_days(found[0])


def _print_days(crew: CrewDays) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    working = sum(day.works for day in crew.days)
    table = Table(title=f"{crew.crew.name}: works {working} of {len(crew.days)} days")
    for column in ("date", "day", "works", "shift", "present", "absent", "trainees", "why not"):
        table.add_column(column)
    for day in crew.days:
        shift = "" if day.shift is None else f"{day.shift[0]:%H:%M}-{day.shift[1]:%H:%M}"
        counted = bool(day.present or day.absent)  # days off by the calendar check no roster
        table.add_row(
            str(day.day),
            f"{day.day:%a}",
            "yes" if day.works else "no",
            shift,
            str(len(day.present)) if counted else "",
            str(len(day.absent)) if counted else "",
            f"{day.trainee_share:.0%}" if day.present else "",
            day.reason or "",
        )
    Console().print(table)
