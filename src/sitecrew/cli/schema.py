"""``sitecrew schema``: export the GraphQL SDL that clients generate code from."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="The GraphQL schema as SDL.", no_args_is_help=True)

DEFAULT_OUTPUT = Path("schema/schema.graphql")


def schema_sdl() -> str:
    """Return the schema's SDL, as committed in ``schema/schema.graphql``."""
    from strawberry.printer import print_schema  # noqa: PLC0415

    from sitecrew.api.schema import schema  # noqa: PLC0415

    return print_schema(schema) + "\n"


@app.command()
def export(
    output: Path = typer.Option(DEFAULT_OUTPUT, help="Where to write the SDL ('-' for stdout)."),
) -> None:
    """Write the SDL of the current code."""
    sdl = schema_sdl()
    if str(output) == "-":
        typer.echo(sdl, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(sdl, encoding="utf-8")
    typer.echo(f"wrote {output} ({len(sdl.splitlines())} lines)")
