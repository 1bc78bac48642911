"""``sitecrew report``: reports for the furniture maker (issue 17, item 5).

``report wear --model M --from D --to D --output report.html [--csv out.csv]`` writes the wear
report of one product model as a self-contained HTML page (inline SVG charts) and, if asked,
as CSV; both are renderings of the same numbers, and the same data give the same files. The
command line acts as an administrator (every region unless ``--region`` names one).
"""

from __future__ import annotations

from pathlib import Path

import typer

from sitecrew.cli.database import configured_sessions

app = typer.Typer(help="Reports for product development.", no_args_is_help=True)

_GROUP_HELP = "Split by model, material, site_kind, age_band or district."


@app.command("wear")
def wear(
    model: str = typer.Option(..., "--model", help="The furniture model: its name or id."),
    start: str = typer.Option(..., "--from", help="First day of the period (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--to", help="Last day of the period (YYYY-MM-DD)."),
    output: Path = typer.Option(..., "--output", help="The HTML file to write."),
    csv_path: Path | None = typer.Option(None, "--csv", help="Also write the numbers as CSV."),
    group_by: str = typer.Option("age_band", "--group-by", help=_GROUP_HELP),
    region: str | None = typer.Option(None, "--region", help="Only this region (slug or id)."),
) -> None:
    """Write the wear report of a product model over a period (HTML, optionally CSV)."""
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.domain.days import parse_day  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services.care import wear_report as service  # noqa: PLC0415
    from sitecrew.services.care.wear_report_html import wear_report_html  # noqa: PLC0415
    from sitecrew.services.care.wear_report_stats import WearGroupBy  # noqa: PLC0415
    from sitecrew.services.regions import get_region_by_ref  # noqa: PLC0415

    try:
        split = WearGroupBy(group_by)
    except ValueError:
        choices = ", ".join(g.value for g in WearGroupBy)
        raise InvalidInputError(f"--group-by is one of {choices}, not {group_by[:30]!r}") from None
    first, last = parse_day(start, name="--from"), parse_day(end, name="--to")
    with configured_sessions() as sessions, sessions() as session:
        model_id = service.model_by_ref(session, model)
        region_id = None if region is None else get_region_by_ref(session, region).id
        query = service.WearReportQuery(first, last, model_id, split, region_id)
        report = service.wear_report(session, Principal(Role.ADMIN), query)
    output.write_text(wear_report_html(report), encoding="utf-8")
    written = [str(output)]
    if csv_path is not None:
        csv_path.write_text(service.wear_report_csv(report), encoding="utf-8")
        written.append(str(csv_path))
    total = report.total
    typer.echo(
        f"{report.model}, {first} to {last}: {total.pieces} pieces, {total.inspections} "
        f"inspections, {total.failures} failures; wrote {', '.join(written)}"
    )
