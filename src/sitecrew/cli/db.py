"""``sitecrew db``: schema migrations."""
from __future__ import annotations

import typer

app = typer.Typer(help="Create, upgrade or downgrade the database schema.", no_args_is_help=True)
