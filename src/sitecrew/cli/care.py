"""``sitecrew care``: the furniture care programme's plans, regional seasons and due work.

``plans`` lists, adds, changes and deletes care plans (per product model and action; without
``--region`` the catalogue's default, with it that region's own). ``seasons`` sets a region's
own months for an action. ``due --region R --horizon 8w`` makes the jobs for every piece whose
next action falls in the horizon, one per site and action, and prints them overdue first; run it
again and it makes nothing new. The command line acts as an administrator, like the other
operator commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from sitecrew.cli.database import configured_sessions

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.care import CarePlan

app = typer.Typer(help="Furniture care: plans per product model and the due work.")
plans_app = typer.Typer(help="Care plans per product model and action.", no_args_is_help=True)
seasons_app = typer.Typer(help="A region's own season per care action.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")
app.add_typer(seasons_app, name="seasons")

_REGION_HELP = "Region slug (any case, e.g. oslo) or id; see `sitecrew region list`."


def _admin() -> Principal:
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415

    return Principal(Role.ADMIN)


def _region_id(session: Session, ref: str | None) -> int | None:
    from sitecrew.services.regions import get_region_by_ref  # noqa: PLC0415

    return None if ref is None else get_region_by_ref(session, ref).id


def _model_id(session: Session, ref: str) -> int:
    """Return the id of the catalogue model named ``ref`` (its name or id)."""
    from sqlalchemy import or_, select  # noqa: PLC0415

    from sitecrew.db import models as m  # noqa: PLC0415
    from sitecrew.errors import NotFoundError  # noqa: PLC0415

    by_id = m.FurnitureModel.id == int(ref) if ref.isdigit() else m.FurnitureModel.id.is_(None)
    found = session.scalar(
        select(m.FurnitureModel.id).where(or_(m.FurnitureModel.name == ref, by_id))
    )
    if found is None:
        raise NotFoundError(
            f"no furniture model named {ref[:60]!r}; see `sitecrew care plans list`"
        )
    return int(found)


@plans_app.command("list")
def list_plans(
    region: str | None = typer.Option(
        None, "--region", help=f"Plans in force there. {_REGION_HELP}"
    ),
    model: str | None = typer.Option(None, "--model", help="Only this model (name or id)."),
) -> None:
    """Print the care plans: every one, or those in force in a region."""
    from sitecrew.services.care.reading import list_care_plans  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        model_id = None if model is None else _model_id(session, model)
        region_id = _region_id(session, region)
        found = list_care_plans(session, _admin(), region_id=region_id, model_id=model_id)
        names = _model_names(session)
    _print_plans(found, names)


def _model_names(session: Session) -> dict[int, str]:
    from sqlalchemy import select  # noqa: PLC0415

    from sitecrew.db import models as m  # noqa: PLC0415

    rows = session.execute(select(m.FurnitureModel.id, m.FurnitureModel.name))
    return dict(rows.tuples().all())


def _print_plans(plans: list[CarePlan], names: dict[int, str]) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=f"{len(plans)} care plans")
    columns = ("id", "model", "action", "kind", "every", "season", "min/piece", "setup")
    for column in (*columns, "skills", "people", "region", "version"):
        table.add_column(column)
    for plan in plans:
        season = "" if plan.season is None else f"{plan.season.start_month}-{plan.season.end_month}"
        table.add_row(
            str(plan.id),
            names.get(plan.model_id, str(plan.model_id)),
            plan.action,
            plan.job_kind.value,
            f"{plan.interval_months} mo",
            season,
            str(plan.minutes_per_piece),
            str(plan.setup_minutes),
            ", ".join(sorted(skill.value for skill in plan.required_skills)),
            str(plan.people),
            "default" if plan.region_id is None else str(plan.region_id),
            str(plan.version),
        )
    Console(width=160).print(table)


@plans_app.command("add")
def add_plan(
    model: str = typer.Option(..., "--model", help="The product model (name or id)."),
    action: str = typer.Option(..., "--action", help="What is done: oil, inspect, ..."),
    kind: str = typer.Option(..., "--kind", help="The job kind it becomes: oil, inspect, repair."),
    every: int = typer.Option(..., "--every", help="Interval in months."),
    minutes: int = typer.Option(..., "--minutes", help="Minutes per piece."),
    setup: int = typer.Option(0, "--setup", help="Setup minutes per site visit."),
    skills: list[str] = typer.Option([], "--skill", help="A skill it needs (repeatable)."),
    people: int = typer.Option(1, "--people", help="People it needs."),
    season: str | None = typer.Option(None, "--season", help="Months it may be done, e.g. 4-9."),
    counts: list[str] = typer.Option(
        [], "--counts", help="A maintenance record action that counts as done (repeatable)."
    ),
    region: str | None = typer.Option(
        None, "--region", help=f"A region's own plan. {_REGION_HELP}"
    ),
) -> None:
    """Add a care plan: the catalogue's default, or with --region that region's own."""
    from sitecrew.domain.care import parse_season  # noqa: PLC0415
    from sitecrew.services.care.plans import create_care_plan, plan_from_values  # noqa: PLC0415

    parsed_season = None if season is None else parse_season(season)
    with configured_sessions() as sessions, sessions.begin() as session:
        values: dict[str, Any] = {
            "model_id": _model_id(session, model),
            "region_id": _region_id(session, region),
            "action": action,
            "job_kind": kind,
            "interval_months": every,
            "minutes_per_piece": minutes,
            "setup_minutes": setup,
            "required_skills": skills,
            "people": people,
            "season": parsed_season,
            "counted_actions": counts,
        }
        plan = create_care_plan(session, _admin(), plan_from_values(values))
    typer.echo(f"care plan {plan.id}: {plan.action} every {plan.interval_months} months")


@plans_app.command("set")
def set_plan(
    plan_id: int = typer.Argument(..., help="The plan's id (see `sitecrew care plans list`)."),
    version: int = typer.Option(..., "--version", help="The version you read."),
    every: int | None = typer.Option(None, "--every", help="Interval in months."),
    minutes: int | None = typer.Option(None, "--minutes", help="Minutes per piece."),
    setup: int | None = typer.Option(None, "--setup", help="Setup minutes per site visit."),
    people: int | None = typer.Option(None, "--people", help="People it needs."),
    season: str | None = typer.Option(None, "--season", help="Months, e.g. 4-9; `none`: any."),
    skills: list[str] | None = typer.Option(None, "--skill", help="Skills (replace all)."),
) -> None:
    """Change a care plan from the version you read."""
    from sitecrew.domain.care import parse_season  # noqa: PLC0415
    from sitecrew.services.care.plans import parse_plan_values, update_care_plan  # noqa: PLC0415
    from sitecrew.services.sites import Changes  # noqa: PLC0415

    given = {
        "interval_months": every,
        "minutes_per_piece": minutes,
        "setup_minutes": setup,
        "people": people,
        "required_skills": skills or None,
    }
    values: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
    if season is not None:
        values["season"] = None if season.strip().lower() == "none" else parse_season(season)
    values.update(parse_plan_values(values))
    with configured_sessions() as sessions, sessions.begin() as session:
        plan = update_care_plan(session, _admin(), Changes(plan_id, version, values))
    typer.echo(f"care plan {plan.id} is at version {plan.version}")


@plans_app.command("delete")
def delete_plan(
    plan_id: int = typer.Argument(..., help="The plan's id."),
    version: int = typer.Option(..., "--version", help="The version you read."),
) -> None:
    """Delete a care plan (the jobs it made stay)."""
    from sitecrew.services.care.plans import delete_care_plan  # noqa: PLC0415

    with configured_sessions() as sessions, sessions.begin() as session:
        delete_care_plan(session, _admin(), plan_id, version)
    typer.echo(f"care plan {plan_id} deleted")


@seasons_app.command("set")
def set_season(
    region: str = typer.Option(..., "--region", help=_REGION_HELP),
    action: str = typer.Option(..., "--action", help="The care action, e.g. oil."),
    season: str = typer.Option(..., "--season", help="Months it may be done, e.g. 5-8."),
) -> None:
    """Give a region its own months for an action (replacing its plans' season there)."""
    from sitecrew.domain.care import RegionSeason, parse_season  # noqa: PLC0415
    from sitecrew.services.care.seasons import set_care_season  # noqa: PLC0415

    months = parse_season(season)
    with configured_sessions() as sessions, sessions.begin() as session:
        region_id = _region_id(session, region) or 0
        stored = set_care_season(session, _admin(), RegionSeason(region_id, action, months))
    first, last = months.start_month, months.end_month
    typer.echo(f"region {stored.region_id}: {stored.action} from month {first} to {last}")


@seasons_app.command("clear")
def clear_season(
    region: str = typer.Option(..., "--region", help=_REGION_HELP),
    action: str = typer.Option(..., "--action", help="The care action, e.g. oil."),
) -> None:
    """Remove a region's own season for an action (its plans' seasons apply again)."""
    from sitecrew.services.care.seasons import clear_care_season  # noqa: PLC0415

    with configured_sessions() as sessions, sessions.begin() as session:
        region_id = _region_id(session, region) or 0
        clear_care_season(session, _admin(), region_id, action)
    typer.echo(f"region {region_id}: {action} follows its plans' seasons again")


@seasons_app.command("list")
def list_seasons() -> None:
    """Print every region's own seasons."""
    from sitecrew.services.care.reading import list_care_seasons  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        found = list_care_seasons(session, _admin())
    for item in found:
        months = f"{item.season.start_month}-{item.season.end_month}"
        typer.echo(f"region {item.region_id}\t{item.action}\t{months}\tversion {item.version}")


@app.command("due")
def due(
    region: str = typer.Option(..., "--region", help=_REGION_HELP),
    horizon: str = typer.Option("8w", "--horizon", help="How far ahead: 8w, 30d, 2m (<= 1 year)."),
    today: str | None = typer.Option(None, "--today", help="Count from this day (YYYY-MM-DD)."),
) -> None:
    """Make jobs for the care due within the horizon: one per site and action, overdue first."""
    from sitecrew.db.engine import write_session_factory  # noqa: PLC0415
    from sitecrew.domain.care import parse_horizon  # noqa: PLC0415
    from sitecrew.domain.days import parse_day  # noqa: PLC0415
    from sitecrew.services.care.due import GenerateDueWork, generate_due_work  # noqa: PLC0415
    from sitecrew.services.regions import in_region  # noqa: PLC0415

    days = parse_horizon(horizon)
    day = None if today is None else parse_day(today, name="--today")
    with configured_sessions() as sessions, write_session_factory(sessions.kw["bind"]).begin() as s:
        report = in_region(
            s, _admin(), region, generate_due_work, lambda rid: GenerateDueWork(rid, days, day)
        )
    typer.echo(
        f"region {report.region_id}, {report.today} + {report.horizon_days} days: "
        f"{len(report.created)} new jobs for {report.pieces_due} pieces; "
        f"{report.pieces_already_covered} pieces already had work"
    )
    for work in report.created:
        typer.echo(
            f"job {work.job_id}\tsite {work.site_id}\t{work.action}\t"
            f"{work.due_from}..{work.due_by}\t{work.days_overdue} days overdue\t"
            f"grade {work.worst_grade}\t{len(work.furniture_ids)} pieces\t"
            f"{work.duration_minutes} min\t{work.people} people\tpriority {work.priority}"
        )
