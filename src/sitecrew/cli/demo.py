"""``sitecrew demo``: demo data from real OpenStreetMap."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Load demo data built from real OpenStreetMap extracts.", no_args_is_help=True
)
