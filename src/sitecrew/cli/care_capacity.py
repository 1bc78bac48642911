"""``sitecrew care capacity --region R --year Y``: how many people the care team needs per month.

Adds up the person-hours the care plans and the open backlog need in each month of the year
(service, setup, and travel estimated by routing ``--sample-weeks`` weeks over the street graph)
against the team's calendar, and prints a row per month and the peak month's people needed, as
a table, CSV or JSON. Progress goes to standard error, so CSV and JSON stay clean. The command
line acts as an administrator, like the other operator commands.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

import typer

from sitecrew.cli.database import configured_sessions

if TYPE_CHECKING:
    from sitecrew.services.care.capacity import CapacityReport

FORMATS = ("table", "csv", "json")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
COLUMNS = (
    "month",
    "visits",
    "pieces",
    "service_h",
    "setup_h",
    "travel_h",
    "backlog_h",
    "needed_h",
    "available_h",
    "working_days",
    "hours_per_person",
    "team",
    "people_needed",
    "people_short",
    "gap_h",
)


def capacity(
    region: str = typer.Option(..., "--region", help="Region slug (any case) or id."),
    year: int = typer.Option(..., "--year", help="The year to forecast, e.g. 2026."),
    sample_weeks: int = typer.Option(
        1, "--sample-weeks", help="Weeks of the busiest months to route for travel (0: none)."
    ),
    solve_s: float = typer.Option(2.0, "--solve-s", help="Solver seconds per sample day."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Print the person-hours the care team needs per month against its calendar, and the people."""
    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.domain.care_capacity import require_year  # noqa: PLC0415
    from sitecrew.domain.routes import PlanOptions  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services.care.capacity import TeamCapacity, team_capacity  # noqa: PLC0415
    from sitecrew.services.regions import in_region  # noqa: PLC0415

    if output_format not in FORMATS:
        raise InvalidInputError(f"--format is one of {', '.join(FORMATS)}, not {output_format!r}")
    require_year(year)
    settings = Settings.from_env()
    options = PlanOptions(seed=settings.routing.seed, time_limit_s=solve_s)
    with (
        configured_sessions() as sessions,
        sessions() as session,
        progress_bar(stderr=True) as progress,
    ):
        report = in_region(
            session,
            Principal(Role.ADMIN),
            region,
            lambda s, p, c: team_capacity(
                s, p, c, osm=settings.osm, options=options, progress=progress
            ),
            lambda region_id: TeamCapacity(region_id, year, sample_weeks),
        )
    if output_format == "json":
        typer.echo(json.dumps(report_json(report), indent=2))
    elif output_format == "csv":
        typer.echo(report_csv(report), nl=False)
    else:
        _print_table(report)


def report_values(report: CapacityReport) -> list[dict[str, Any]]:
    """Return one dict per month, hours rounded to tenths (the CSV's and JSON's rows)."""
    return [
        {
            "month": f"{report.year}-{row.month:02d}",
            "visits": row.visits,
            "pieces": row.pieces,
            "service_h": round(row.service_hours, 1),
            "setup_h": round(row.setup_hours, 1),
            "travel_h": round(row.travel_hours, 1),
            "backlog_h": round(row.backlog_hours, 1),
            "needed_h": round(row.needed_hours, 1),
            "available_h": round(row.available_hours, 1),
            "working_days": row.working_days,
            "hours_per_person": round(row.hours_per_person, 1),
            "team": row.headcount,
            "people_needed": row.people_needed,
            "people_short": row.people_short,
            "gap_h": round(row.gap_hours, 1),
        }
        for row in report.rows
    ]


def report_csv(report: CapacityReport) -> str:
    """Return the months as CSV (a header line, then one line per month)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_values(report))
    return buffer.getvalue()


def report_json(report: CapacityReport) -> dict[str, Any]:
    """Return the whole forecast as JSON-ready values: months, team, travel, peak and notes."""
    top = report.peak
    return {
        "region": report.region_name,
        "year": report.year,
        "team": list(report.team),
        "pieces": report.pieces,
        "backlog_jobs": report.backlog_jobs,
        "travel": {
            "minutes_per_visit": round(report.travel.minutes_per_visit, 1),
            "sample_days": [day.isoformat() for day in report.travel.days],
            "visits_sampled": report.travel.visits_sampled,
            "visits_routed": report.travel.visits_routed,
        },
        "months": report_values(report),
        "peak": None
        if top is None
        else {"month": f"{report.year}-{top.month:02d}", "people_needed": top.people_needed},
        "notes": list(report.notes),
    }


def summary_line(report: CapacityReport) -> str:
    """Return the final line: the peak month's people needed against the team."""
    top = report.peak
    if top is None:
        return f"peak: no care work in {report.year}"
    month = f"{MONTH_NAMES[top.month - 1]} {report.year}"
    if top.people_needed is None:
        return f"peak: {month} has {top.needed_hours:.0f} person-hours and no working day"
    short = top.people_short or 0
    verdict = f"{short} short" if short else "enough"
    people = "person" if top.people_needed == 1 else "people"
    return (
        f"peak: {month} needs {top.people_needed} {people} for {top.needed_hours:.1f} "
        f"person-hours (team of {top.headcount}: {verdict})"
    )


def _print_table(report: CapacityReport) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    title = f"Team capacity, {report.region_name} {report.year} (person-hours)"
    table = Table(title=title)
    headers = ("month", "visits", "pieces", "service", "setup", "travel", "needed", "available")
    for header in (*headers, "h/person", "team", "people", "gap"):
        table.add_column(header, justify="left" if header == "month" else "right")
    for row in report.rows:
        table.add_row(
            MONTH_NAMES[row.month - 1],
            str(row.visits),
            str(row.pieces),
            f"{row.service_hours:.1f}",
            f"{row.setup_hours:.1f}",
            f"{row.travel_hours:.1f}",
            f"{row.needed_hours:.1f}",
            f"{row.available_hours:.1f}",
            f"{row.hours_per_person:.1f}",
            str(row.headcount),
            "-" if row.people_needed is None else str(row.people_needed),
            f"{row.gap_hours:+.1f}",
        )
    console = Console(width=140)
    console.print(table)
    travel = report.travel
    team = ", ".join(report.team) or "none"
    console.print(
        f"team: {team}; {report.pieces} pieces with a plan, {report.backlog_jobs} backlog jobs"
    )
    if travel.visits_routed:
        console.print(
            f"travel: {travel.minutes_per_visit:.1f} min per visit from {len(travel.days)} "
            f"sample days ({travel.visits_routed} of {travel.visits_sampled} visits routed)"
        )
    for note in report.notes:
        console.print(f"note: {note}")
    console.print(summary_line(report))
