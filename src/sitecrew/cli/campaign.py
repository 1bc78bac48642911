"""``sitecrew campaign``: create, plan and follow an installation campaign from the shell.

Every command is one use case of :mod:`sitecrew.services.campaigns`, run as the command line's
administrator on the configured database; refusals (unknown ids, a stale version, a cancelled
campaign) print one line and exit non-zero (:mod:`sitecrew.cli.errors`).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sitecrew.cli.campaign_escalations import escalations
from sitecrew.cli.campaign_links import links
from sitecrew.cli.database import configured_sessions

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

    from rich.table import Table
    from sqlalchemy.orm import Session

    from sitecrew.campaigns.burndown import BurndownRow
    from sitecrew.domain.access import Principal
    from sitecrew.services.campaigns.commands import CampaignInfo
    from sitecrew.services.campaigns.read import CampaignForecast

app = typer.Typer(help="Installation campaigns: plan a year of visits, follow the burn-down.")
app.info.no_args_is_help = True
app.command("links")(links)  # tenants' self-service links (issue 16): cli.campaign_links
app.command("escalations")(escalations)  # homes given up on (issue 16): cli.campaign_escalations

_ID_HELP = "The campaign's id (see `sitecrew campaign list`)."
_VERSION_HELP = "The version you last read; refused if someone changed it since."
#: Buildings at risk printed by ``forecast`` (the API pages through all of them).
RISKS_SHOWN = 20


def _admin() -> Principal:
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415

    return Principal(Role.ADMIN)


def _day(text: str, name: str) -> date:
    from sitecrew.domain.days import parse_day  # noqa: PLC0415

    return parse_day(text, name=name)


def _moment(text: str, name: str) -> datetime:
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{name} must be an ISO date-time, got {text[:40]!r}") from None
    if moment.tzinfo is None:
        raise InvalidInputError(f"{name} needs a UTC offset, e.g. 2026-06-02T09:30+02:00")
    return moment


@contextmanager
def _writing() -> Iterator[Session]:
    """Yield a session whose work is committed at the end (SQLite: a write transaction)."""
    from sitecrew.db.engine import write_session_factory  # noqa: PLC0415

    with configured_sessions() as sessions, write_session_factory(sessions.kw["bind"]).begin() as s:
        yield s


@contextmanager
def _reading() -> Iterator[Session]:
    with configured_sessions() as sessions, sessions() as session:
        yield session


def _console() -> Any:
    from rich.console import Console  # noqa: PLC0415

    return Console()


def _table(title: str, columns: tuple[str, ...], *, left: int = 1) -> Table:
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=title)
    for n, column in enumerate(columns):
        table.add_column(column, justify="left" if n < left else "right")
    return table


@app.command("create")
def create(
    name: str = typer.Argument(..., help="The campaign's name (unique in its region)."),
    region: str = typer.Option(..., "--region", help="Region slug (any case) or id."),
    start: str = typer.Option(..., "--start", help="First day, YYYY-MM-DD."),
    deadline: str = typer.Option(..., "--deadline", help="Last day, YYYY-MM-DD."),
    crews: list[int] = typer.Option([], "--crew", help="A crew's id (repeat for more)."),
    districts: list[int] = typer.Option([], "--district", help="A district's id in scope."),
    buildings: list[int] = typer.Option([], "--building", help="A building's id in scope."),
    apartments: list[int] = typer.Option([], "--apartment", help="An apartment's id in scope."),
    visits_per_crew_day: int = typer.Option(14, "--visits-per-crew-day"),
    minutes_per_home: float = typer.Option(30.0, "--minutes-per-home"),
    setup_minutes: float = typer.Option(10.0, "--setup-minutes", help="Per entrance and day."),
    revisit_share: float = typer.Option(0.1, "--revisit-share", help="Day share kept free."),
    max_failed: int = typer.Option(3, "--max-failed", help="Failed visits before escalation."),
    window_minutes: int = typer.Option(120, "--window-minutes"),
    on_time_confidence: float = typer.Option(
        0.8, "--on-time-confidence", help="Share of crew-days to end within the shift."
    ),
) -> None:
    """Create a draft campaign over districts, buildings or apartments (exactly one kind)."""
    from functools import partial  # noqa: PLC0415

    from sitecrew.services import campaigns as service  # noqa: PLC0415
    from sitecrew.services.regions import in_region  # noqa: PLC0415

    command = partial(
        service.CreateCampaign,
        name=name,
        start_on=_day(start, "--start"),
        deadline_on=_day(deadline, "--deadline"),
        crew_ids=tuple(crews),
        district_ids=tuple(districts),
        building_ids=tuple(buildings),
        apartment_ids=tuple(apartments),
        minutes_per_home=minutes_per_home,
        setup_minutes_per_entrance=setup_minutes,
        visits_per_crew_day=visits_per_crew_day,
        revisit_share=revisit_share,
        max_failed_attempts=max_failed,
        window_minutes=window_minutes,
        on_time_confidence=on_time_confidence,
    )
    with _writing() as session:
        info = in_region(
            session, _admin(), region, service.create_campaign, lambda rid: command(region_id=rid)
        )
    typer.echo(
        f"campaign {info.id} {info.name!r} created (draft): {info.homes} homes, "
        f"{len(info.crew_ids)} crews, {info.start_on} to {info.deadline_on}"
    )


@app.command("list")
def list_campaigns(
    region: str | None = typer.Option(None, "--region", help="Only this region (slug or id)."),
) -> None:
    """List campaigns with their status, dates and homes."""
    from sitecrew.services.campaigns import read  # noqa: PLC0415

    found: list[CampaignInfo] = []
    after: int | None = None
    with _reading() as session:
        while True:
            query = read.ListCampaigns(region=region, after_id=after, limit=500)
            page, more = read.list_campaigns(session, _admin(), query)
            found.extend(page)
            if not more:
                break
            after = page[-1].id
    table = _table(
        f"{len(found)} campaigns",
        ("id", "name", "region", "status", "start", "deadline", "homes", "crews", "version"),
        left=2,
    )
    for info in found:
        table.add_row(
            str(info.id),
            info.name,
            str(info.region_id),
            info.status.value,
            str(info.start_on),
            str(info.deadline_on),
            str(info.homes),
            str(len(info.crew_ids)),
            str(info.version),
        )
    _console().print(table)


@app.command("show")
def show(campaign_id: int = typer.Argument(..., help=_ID_HELP)) -> None:
    """Show a campaign: its settings, homes by state, and the burn-down by week, district, crew."""
    from sitecrew.services.campaigns import read  # noqa: PLC0415

    with _reading() as session:
        report = read.campaign_report(session, _admin(), campaign_id)
    info = report.campaign
    console = _console()
    console.print(
        f"campaign {info.id} {info.name!r} ({info.status.value}, version {info.version}): "
        f"region {info.region_id}, {info.job_kind.value}, {info.start_on} to "
        f"{info.deadline_on}; {info.visits_per_crew_day} visits per crew-day, "
        f"{info.minutes_per_home:g} min per home + {info.setup_minutes_per_entrance:g} min "
        f"per entrance, {info.door_share:.0%} of attempts end at the door; days planned to end "
        f"in time {info.on_time_confidence:.0%} of the time; "
        f"crews {', '.join(map(str, info.crew_ids)) or 'none'}",
        highlight=False,
    )
    states = ", ".join(f"{s.value} {n}" for s, n in report.homes_by_state.items())
    console.print(f"{info.homes} homes: {states}", highlight=False)
    weeks = _table(
        "burn-down by week",
        ("week", "monday", "planned", "done", "failed", "escalated", "remaining", "plan left"),
        left=2,
    )
    for week in report.burndown.weeks:
        weeks.add_row(
            week.week,
            str(week.start),
            *map(str, (week.planned, week.done, week.failed, week.escalated)),
            *map(str, (week.remaining, week.planned_remaining)),
        )
    console.print(weeks)
    console.print(_rows_table("by district", report.burndown.districts))
    console.print(_rows_table("by crew", report.burndown.crews))
    total = report.burndown.campaign
    console.print(
        f"campaign: {total.done} done, {total.failed} failed visits, {total.escalated} "
        f"escalated, {total.remaining} remaining of {total.homes}",
        highlight=False,
    )


def _rows_table(title: str, rows: tuple[BurndownRow, ...]) -> Table:
    table = _table(
        title, ("name", "id", "homes", "planned", "done", "failed", "escalated", "remaining")
    )
    for row in rows:
        table.add_row(
            row.label,
            "-" if row.key is None else str(row.key),
            *map(str, (row.homes, row.planned, row.done, row.failed, row.escalated)),
            str(row.remaining),
        )
    return table


@app.command("plan")
def plan(
    campaign_id: int = typer.Argument(..., help=_ID_HELP),
    from_day: str = typer.Option(..., "--from", help="Plan from this day, YYYY-MM-DD."),
    move_confirmed: bool = typer.Option(
        False, "--move-confirmed", help="Let confirmed windows move too (tenants must be told)."
    ),
    wait: bool = typer.Option(
        True,
        "--wait/--no-wait",
        help="Wait for the run with a progress bar (default), or "
        "print its id and leave it to the workers.",
    ),
) -> None:
    """Place every home not done on a day, crew and two-hour window (re-plan keeps confirmed).

    The plan is a background run, as through the API: with SITECREW_REDIS_URL set a `sitecrew
    worker` executes it, else a worker process of this command. Ctrl-C cancels it.
    """
    from sitecrew.cli.campaign_wait import wait_for_plan  # noqa: PLC0415
    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.db.engine import write_session_factory  # noqa: PLC0415
    from sitecrew.services import campaigns as service  # noqa: PLC0415
    from sitecrew.services.campaigns import plan_run  # noqa: PLC0415

    settings = Settings.from_env()
    command = service.PlanCampaign(campaign_id, _day(from_day, "--from"), move_confirmed)
    console = _console()
    with configured_sessions() as sessions:
        engine = sessions.kw["bind"]
        with write_session_factory(engine).begin() as session:
            queued = plan_run.queue_campaign_plan(
                session,
                _admin(),
                command,
                osm=settings.osm,
                redis=settings.redis,
                queue=settings.queue,
            )
        run_id = queued.run.id
        if not wait:
            console.print(f"campaign {campaign_id}: plan run {run_id} queued", highlight=False)
            return
        summary = wait_for_plan(engine, run_id, queued_on=settings.redis.url is not None)
    days = f"{summary.first_day} to {summary.last_day}" if summary.first_day else "no days"
    console.print(
        f"campaign {summary.campaign_id}: {summary.placed} homes placed ({summary.kept} kept), "
        f"{days}; {summary.unplaced_total} unplaced (run {run_id})",
        highlight=False,
    )
    if summary.planned_minutes_per_visit is not None:
        console.print(
            f"  {summary.planned_minutes_per_visit:g} min planned per attempt "
            f"({summary.minutes_per_home:g} per home, {summary.door_share or 0:.0%} "
            f"ending at the door, from {summary.timed_visits} timed visits)",
            highlight=False,
        )
    for reason, count in sorted(summary.unplaced.items()):
        console.print(f"  unplaced, {reason}: {count}", highlight=False)


@app.command("forecast")
def forecast(
    campaign_id: int = typer.Argument(..., help=_ID_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help="Forecast as of this day."),
    chart: Path | None = typer.Option(
        None, "--chart", help="Also write the burn-down chart to FILE.png or FILE.svg."
    ),
) -> None:
    """Print the P50/P90 finish, the chance to meet the deadline and the buildings at risk."""
    from sitecrew.services.campaigns import read  # noqa: PLC0415

    day = None if as_of is None else _day(as_of, "--as-of")
    chart_query = None if chart is None else read.CampaignChart(campaign_id, _suffix(chart), day)
    with _reading() as session:
        found = read.forecast_campaign(session, _admin(), read.ForecastCampaign(campaign_id, day))
        report = read.campaign_report(session, _admin(), campaign_id)
        drawn = None if chart_query is None else read.campaign_chart(session, _admin(), chart_query)
    console = _console()
    _print_forecast(console, found)
    risks = report.buildings_at_risk
    table = _table(
        f"buildings at risk: {len(risks)} (first {min(len(risks), RISKS_SHOWN)})",
        ("building", "reasons", "homes", "remaining", "late", "near escalation", "failure"),
        left=2,
    )
    for risk in risks[:RISKS_SHOWN]:
        table.add_row(
            str(risk.building_id),
            ", ".join(reason.value for reason in risk.reasons),
            *map(str, (risk.homes, risk.remaining, risk.late, risk.near_escalation)),
            f"{risk.failure_rate:.0%}",
        )
    console.print(table)
    if chart is not None and drawn is not None:
        chart.write_bytes(drawn.data)
        console.print(f"chart written to {chart} ({len(drawn.data)} bytes)", highlight=False)


def _suffix(path: Path) -> str:
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    suffix = path.suffix.lower().lstrip(".")
    if suffix not in {"png", "svg"}:
        raise InvalidInputError(f"--chart must end in .png or .svg, got {path.name!r}")
    return suffix


def _print_forecast(console: Any, found: CampaignForecast) -> None:
    result = found.forecast
    share = "-" if result.share_by_deadline is None else f"{result.share_by_deadline:.0%}"
    console.print(
        f"campaign {found.campaign.id} as of {found.as_of}: {result.remaining} homes remaining "
        f"({result.basis.value}); P50 {result.p50 or 'beyond the horizon'}, P90 "
        f"{result.p90 or 'beyond the horizon'}; deadline {result.deadline} met in {share} of "
        f"trials; {found.crew_days} crew-days of capacity",
        highlight=False,
    )
    console.print(f"  {result.note}", highlight=False)


@app.command("confirm")
def confirm(
    home_id: int = typer.Argument(..., help="The campaign home's id."),
    version: int | None = typer.Option(None, "--version", help=_VERSION_HELP),
) -> None:
    """Mark a home's proposed window as confirmed with its tenant (re-plans leave it alone)."""
    from sitecrew.services import campaigns as service  # noqa: PLC0415

    with _writing() as session:
        home = service.confirm_visit_window(
            session, _admin(), service.ConfirmVisitWindow(home_id, version)
        )
    typer.echo(
        f"home {home.id} confirmed: {home.day} crew {home.crew_id}, "
        f"{home.window_start:%H:%M}-{home.window_end:%H:%M} UTC (version {home.version})"
    )


@app.command("materialise")
def materialise(
    campaign_id: int = typer.Argument(..., help=_ID_HELP),
    day: str = typer.Option(..., "--date", help="The day, YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Every day up to this one too."),
) -> None:
    """Turn the day's (or days') visits into jobs with appointment windows (idempotent)."""
    from datetime import timedelta  # noqa: PLC0415

    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.services import campaigns as service  # noqa: PLC0415

    first = _day(day, "--date")
    last = first if until is None else _day(until, "--until")
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    jobs = visits = 0
    with _writing() as session, progress_bar() as progress:
        for done, current in enumerate(days, start=1):
            made = service.materialise_day(
                session, _admin(), service.MaterialiseDay(campaign_id, current)
            )
            jobs += len(made.job_ids)
            visits += len(made.visit_ids)
            progress("materialising days", done, len(days))
    typer.echo(f"campaign {campaign_id}: {jobs} jobs and {visits} visits over {len(days)} days")


@app.command("outcome")
def outcome(
    visit_id: int = typer.Argument(..., help="The campaign visit's id."),
    result: str = typer.Argument(..., help="done, no_show, no_access, refused or needs_follow_up."),
    started: str = typer.Option(..., "--started", help="ISO date-time with offset."),
    ended: str = typer.Option(..., "--ended", help="ISO date-time with offset."),
    notes: str | None = typer.Option(None, "--notes"),
    version: int | None = typer.Option(None, "--version", help=_VERSION_HELP),
) -> None:
    """Record how a visit ended; a failure comes back as a re-visit (or escalates)."""
    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.domain.campaigns import VisitOutcome  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services import campaigns as service  # noqa: PLC0415

    try:
        kind = VisitOutcome(result.strip().lower())
    except ValueError:
        allowed = ", ".join(o.value for o in VisitOutcome)
        raise InvalidInputError(f"unknown outcome {result[:30]!r}; use one of {allowed}") from None
    command = service.RecordVisitOutcome(
        visit_id=visit_id,
        outcome=kind,
        started_at=_moment(started, "--started"),
        ended_at=_moment(ended, "--ended"),
        notes=notes,
        version=version,
    )
    osm = Settings.from_env().osm
    with _writing() as session:
        visit = service.record_outcome(session, _admin(), command, osm=osm)
    typer.echo(f"visit {visit.id} (attempt {visit.attempt}) recorded: {kind.value}")


@app.command("cancel")
def cancel(
    campaign_id: int = typer.Argument(..., help=_ID_HELP),
    version: int | None = typer.Option(None, "--version", help=_VERSION_HELP),
) -> None:
    """Cancel a campaign: jobs not started are withdrawn, unfinished homes become free."""
    from sitecrew.services.campaigns import lifecycle  # noqa: PLC0415

    with _writing() as session:
        info = lifecycle.cancel_campaign(
            session, _admin(), lifecycle.CancelCampaign(campaign_id, version)
        )
    typer.echo(f"campaign {info.id} {info.name!r} cancelled (version {info.version})")
