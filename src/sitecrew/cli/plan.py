"""``sitecrew plan``: plan a region's day over its street graph, show the routes, publish.

``sitecrew plan cancel RUN_ID`` cancels a queued or running background run (one started through
the API, executed by a server or a ``sitecrew worker``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer

from sitecrew.config import Settings

if TYPE_CHECKING:
    from sitecrew.services.planning.runs import PlanOutcome

app = typer.Typer(no_args_is_help=False)


@app.callback(invoke_without_command=True)
def plan(
    ctx: typer.Context,
    region: str | None = typer.Option(
        None,
        "--region",
        help="Region slug (any case, e.g. oslo) or id; see `sitecrew region list`.",
    ),
    day: str | None = typer.Option(None, "--date", help="Service date, YYYY-MM-DD."),
    publish: bool = typer.Option(
        False, "--publish", help="Publish the routes to the crews (jobs become scheduled)."
    ),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Solver seconds (default: SITECREW_TIME_LIMIT_S or 5)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Solver seed (default: SITECREW_SEED)."),
    iterations: int | None = typer.Option(
        None, "--iterations", min=1, help="Stop after N solver iterations instead (reproducible)."
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Re-plan during the day from this moment (ISO with offset, e.g. "
        "2026-06-02T11:00+02:00): done and in-progress stops of published routes stay fixed.",
    ),
) -> None:
    """Plan every crew's route for one day: draft routes (or published ones with --publish)."""
    if ctx.invoked_subcommand is not None:
        return
    for value, name in ((region, "--region"), (day, "--date")):
        if value is None:
            raise typer.BadParameter(f"Missing option '{name}'.", param_hint=name)
    assert region is not None  # noqa: S101 (narrowed above, for mypy)
    assert day is not None  # noqa: S101
    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.db.engine import (  # noqa: PLC0415
        check_connection,
        engine_from_settings,
        session_factory,
    )
    from sitecrew.db.migrate import require_current_schema  # noqa: PLC0415
    from sitecrew.domain.days import parse_day  # noqa: PLC0415
    from sitecrew.domain.routes import PlanOptions  # noqa: PLC0415
    from sitecrew.services.planning.runs import plan_day  # noqa: PLC0415

    settings = Settings.from_env()
    service_date = parse_day(day, name="--date")
    options = PlanOptions(
        seed=settings.routing.seed if seed is None else seed,
        time_limit_s=_time_limit(time_limit, iterations, settings.routing.time_limit_s),
        max_iterations=iterations,
        publish=publish,
        now=_moment(now),
    )
    engine = engine_from_settings(settings.database)
    check_connection(engine)
    require_current_schema(engine)
    with progress_bar() as progress, session_factory(engine).begin() as session:
        outcome = plan_day(
            session,
            region=region,
            day=service_date,
            osm=settings.osm,
            options=options,
            progress=progress,
        )
    print_outcome(outcome, published=publish)


@app.command("cancel")
def cancel(run_id: int = typer.Argument(..., help="The planning run's id.")) -> None:
    """Cancel a queued or running planning run (a running one stops at its next progress check)."""
    from sitecrew.db.engine import (  # noqa: PLC0415
        check_connection,
        engine_from_settings,
        write_session_factory,
    )
    from sitecrew.db.migrate import require_current_schema  # noqa: PLC0415
    from sitecrew.errors import ConflictError  # noqa: PLC0415
    from sitecrew.services.planning.runs import cancel_run, get_run  # noqa: PLC0415

    settings = Settings.from_env()
    engine = engine_from_settings(settings.database)
    check_connection(engine)
    require_current_schema(engine)
    with write_session_factory(engine).begin() as session:
        run = get_run(session, run_id)  # NotFoundError names the run
        if not cancel_run(session, run_id):
            msg = f"planning run {run_id} is {run.state.value}: it can no longer be cancelled"
            raise ConflictError(msg)
    typer.echo(f"planning run {run_id} cancelled (was {run.state.value})")


def _moment(text: str | None) -> datetime | None:
    """Parse ``--now``; it must name its UTC offset, since the region's zone is not known yet."""
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"--now must be an ISO date-time, got {text!r}") from None
    if moment.tzinfo is None:
        raise InvalidInputError("--now needs a UTC offset, e.g. 2026-06-02T11:00+02:00")
    return moment


def _time_limit(given: float | None, iterations: int | None, default: float) -> float | None:
    """Return the solver time limit: as given, none when only iterations are, else the default."""
    if given is not None:
        return given
    return None if iterations is not None else default


def print_outcome(outcome: PlanOutcome, *, published: bool) -> None:
    """Print the per-crew table, the unassigned jobs by reason and the stage timings."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    day = outcome.solved.day
    zone = day.clock.zone
    state = "published" if published else "draft"
    table = Table(
        title=f"{day.region.name} {day.clock.day}: run {outcome.run_id} ({state})",
        caption=f"times in {zone} (UTC{day.clock.midnight.astimezone(zone):%z})",
    )
    for column in ("crew", "jobs", "break", "leaves", "back", "travel min", "km"):
        table.add_column(column, justify="left" if column == "crew" else "right")
    for route in outcome.solved.plan.routes:
        legs = outcome.solved.legs.get(route.crew_id, [])
        has_break = any(s.job_id is None for s in route.stops)
        table.add_row(
            day.crew_names.get(route.crew_id, route.crew_id),
            str(len(route.job_ids)),
            "yes" if has_break else "-",
            f"{day.clock.moment(route.start_s).astimezone(zone):%H:%M}" if route.stops else "-",
            f"{day.clock.moment(route.end_s).astimezone(zone):%H:%M}" if route.stops else "-",
            f"{route.travel_s / 60:.0f}",
            f"{sum(leg.distance_m for leg in legs) / 1000:.1f}",
        )
    console = Console()
    console.print(table)
    summary = outcome.summary
    if summary.get("note"):
        console.print(f"[bold]{summary['note']}[/bold]", highlight=False)
    elif summary.get("crews_off"):
        off = "; ".join(f"{name}: {why}" for name, why in summary["crews_off"].items())
        console.print(f"not working: {off}", highlight=False)
    reasons = ", ".join(f"{k} {v}" for k, v in summary["by_reason"].items()) or "none"
    console.print(
        f"{summary['visits']} of {summary['jobs']} jobs planned on {summary['routes']} routes; "
        f"unassigned {summary['unassigned']} ({reasons})"
    )
    timings = ", ".join(f"{k} {v:.2f} s" for k, v in summary["timings_s"].items())
    console.print(f"timings: {timings}")
