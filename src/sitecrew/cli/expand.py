"""``sitecrew expand``: expansion scenarios from the command line (issue 18 item 5).

``run`` stores a scenario and runs it in this process with a progress bar (the operator is
trusted as an admin), ``compare`` prints scenarios side by side, ``report`` writes them as one
HTML file with a map each.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Expansion scenarios: where to open depots, with how many crews.")


def _depot(text: str) -> tuple[float, float]:
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    try:
        lon, lat = (float(part) for part in text.split(","))
    except ValueError:
        raise InvalidInputError(f"a depot is LON,LAT, not {text[:40]!r}") from None
    return lon, lat


def _rates(pairs: list[str]) -> dict[str, str]:
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    rates = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise InvalidInputError(f"a rate is NAME=VALUE, not {pair[:40]!r}")
        rates[name.strip()] = value.strip()
    return rates


@app.command("run")
def run(
    region: str = typer.Option(..., "--region", help="Region slug or id."),
    k: int = typer.Option(1, "--k", help="Depots to open."),
    objective: str = typer.Option("pmedian", "--objective", help="pmedian or coverage."),
    limit_minutes: float | None = typer.Option(None, "--limit-minutes", help="Coverage limit."),
    depot: list[str] = typer.Option([], "--depot", help="A fixed depot LON,LAT (repeatable)."),
    sites_csv: Path | None = typer.Option(None, "--sites-csv", help="The customer's sites."),
    candidates_csv: Path | None = typer.Option(None, "--candidates-csv", help="Premises."),
    candidates: int = typer.Option(200, "--candidates", help="Addresses sampled as candidates."),
    rate: list[str] = typer.Option([], "--rates", help="NAME=VALUE (repeatable)."),
    name: str = typer.Option("", "--name", help="The scenario's name."),
) -> None:
    """Store an expansion scenario, run it here with a progress bar, print its id and figures."""
    from sitecrew.cli.progress import progress_bar  # noqa: PLC0415
    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.db.engine import (  # noqa: PLC0415
        check_connection,
        engine_from_settings,
        session_factory,
    )
    from sitecrew.db.migrate import require_current_schema  # noqa: PLC0415
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.errors import NotFoundError, SitecrewError  # noqa: PLC0415
    from sitecrew.services.expansion.scenario_input import ScenarioInput  # noqa: PLC0415
    from sitecrew.services.expansion.scenario_queue import run_scenario_here  # noqa: PLC0415
    from sitecrew.services.expansion.scenarios import get_scenario  # noqa: PLC0415
    from sitecrew.services.imports.reading import csv_text  # noqa: PLC0415

    def text(path: Path | None) -> str | None:
        if path is None:
            return None
        if not path.is_file():
            raise NotFoundError(f"no file {path}")
        return csv_text(path.read_bytes(), path.name)

    question = ScenarioInput(
        name=name or f"{region} k={len(depot) or k} {objective}",
        region=region,
        k=k,
        objective=objective,
        limit_minutes=limit_minutes,
        sites_csv=text(sites_csv),
        candidates_csv=text(candidates_csv),
        candidates=candidates,
        depots=tuple(_depot(d) for d in depot),
        rates=_rates(rate),
    )
    settings = Settings.from_env()
    admin = Principal(Role.ADMIN)
    engine = engine_from_settings(settings.database)
    try:
        check_connection(engine)
        require_current_schema(engine)
        with progress_bar(stderr=True) as progress:
            scenario_id = run_scenario_here(
                engine, admin, question, osm=settings.osm, echo=progress
            )
        with session_factory(engine)() as session:
            info = get_scenario(session, admin, scenario_id)
    finally:
        engine.dispose()
    if info.result is None:
        raise SitecrewError(f"scenario {scenario_id} {info.state.value}: {info.error}")
    result = info.result
    typer.echo(
        f"scenario {scenario_id}: {len(result['depots'])} depot(s), {result['sites']} sites, "
        f"{result['crews']} crew(s), {result['crew_days_per_year']:,.0f} crew-days and "
        f"{result['km_per_year']:,.0f} km a year, cost {result['cost_per_year']:,.0f} a year"
    )


@app.command("compare")
def compare(ids: list[int] = typer.Argument(..., help="Scenario ids.")) -> None:
    """Print scenarios side by side, one figure a row."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.cli.database import configured_sessions  # noqa: PLC0415
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.services.expansion.scenarios import compare_scenarios  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        found, rows = compare_scenarios(session, Principal(Role.ADMIN), ids)
    table = Table(title="Expansion scenarios")
    table.add_column("figure")
    for info in found:
        table.add_column(f"#{info.id} {info.name} ({info.state.value})", justify="right")
    for row in rows:
        table.add_row(row.label, *(value or "-" for value in row.values))
    Console(width=200).print(table)


@app.command("report")
def report(
    ids: list[int] = typer.Argument(..., help="Finished scenario ids."),
    output: Path = typer.Option(..., "--output", help="The HTML file to write."),
) -> None:
    """Write finished scenarios compared, each with its map, as one self-contained HTML file."""
    from sitecrew.cli.database import configured_sessions  # noqa: PLC0415
    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.services.expansion.report import expansion_report  # noqa: PLC0415

    osm = Settings.from_env().osm
    with configured_sessions() as sessions, sessions() as session:
        html = expansion_report(session, Principal(Role.ADMIN), ids, osm=osm)
    output.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {output} ({len(ids)} scenario(s))")
