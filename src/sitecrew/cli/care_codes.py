"""``sitecrew care codes``: the wear and failure code lists per product family (issue 17).

``list`` prints a family's tree (part, failure mode, and under each mode its causes and
remedies), ``add`` puts a code under its parent (by path), ``relabel``, ``retire`` and
``restore`` change one, ``seed`` stores the default lists for every family (idempotent: it never
undoes edits). The command line acts as an administrator, like the other operator commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sitecrew.cli.database import configured_sessions
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.domain.wear_codes import WearLevel

if TYPE_CHECKING:
    from sitecrew.domain.access import Principal
    from sitecrew.domain.wear_codes import WearCode

app = typer.Typer(help="Wear and failure codes per product family.", no_args_is_help=True)


def _admin() -> Principal:
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415

    return Principal(Role.ADMIN)


@app.command("list")
def list_codes(
    family: FurnitureCategory = typer.Argument(..., help="The product family (bench, table...)."),
    retired: bool = typer.Option(False, "--retired", help="Also show retired codes."),
) -> None:
    """Print a family's codes as a tree, each with its id and version."""
    from sitecrew.services.care import codes as service  # noqa: PLC0415

    with configured_sessions() as sessions, sessions() as session:
        codes = service.list_wear_codes(session, _admin(), family, include_retired=retired)
    if not codes:
        typer.echo(f"no {family.value} codes; run `sitecrew care codes seed`")
        return
    for code in sorted(codes, key=_tree_key):
        typer.echo(_line(code))


def _tree_key(code: WearCode) -> tuple[str, int]:
    # A cause and a remedy share their mode's path prefix: causes first, then remedies.
    order = {WearLevel.CAUSE: 1, WearLevel.REMEDY: 2}.get(code.level, 0)
    parent = code.path.rpartition("/")[0] if order else code.path
    return (parent, order)


def _line(code: WearCode) -> str:
    depth = code.path.count("/")
    kind = "" if code.level in {WearLevel.PART, WearLevel.FAILURE_MODE} else f"{code.level}: "
    retired = " [retired]" if code.retired else ""
    ids = f"(id {code.id}, v{code.version})"
    return f"{'  ' * depth}{kind}{code.code} - {code.label} {ids}{retired}"


@app.command("add")
def add(
    family: FurnitureCategory = typer.Argument(..., help="The product family."),
    level: WearLevel = typer.Argument(..., help="part, failure_mode, cause or remedy."),
    code: str = typer.Argument(..., help="Lower-case letters, digits and _ (e.g. sun_exposure)."),
    label: str = typer.Argument(..., help="What crews and reports show."),
    parent: str | None = typer.Option(
        None, "--parent", help="The parent's path: a part for a mode, part/mode for a cause."
    ),
) -> None:
    """Add a code to a family's list."""
    from sitecrew.services.care import codes as service  # noqa: PLC0415

    command = service.AddWearCode(family, level, code, label, parent)
    with configured_sessions() as sessions, sessions.begin() as session:
        stored = service.add_wear_code(session, _admin(), command)
    typer.echo(f"added {stored.family.value} {stored.level.value} {stored.path} (id {stored.id})")


def _change(code_id: int, version: int, *, label: str | None, retired: bool | None) -> None:
    from sitecrew.services.care import codes as service  # noqa: PLC0415

    command = service.UpdateWearCode(code_id, version, label=label, retired=retired)
    with configured_sessions() as sessions, sessions.begin() as session:
        stored = service.update_wear_code(session, _admin(), command)
    state = "retired" if stored.retired else "in use"
    typer.echo(f"{stored.path}: {stored.label!r}, {state} (v{stored.version})")


@app.command("relabel")
def relabel(
    code_id: int = typer.Argument(..., help="The code's id (see `list`)."),
    version: int = typer.Argument(..., help="The version you read (see `list`)."),
    label: str = typer.Argument(..., help="The new label."),
) -> None:
    """Change a code's label."""
    _change(code_id, version, label=label, retired=None)


@app.command("retire")
def retire(
    code_id: int = typer.Argument(..., help="The code's id (see `list`)."),
    version: int = typer.Argument(..., help="The version you read (see `list`)."),
) -> None:
    """Retire a code: new repairs may no longer use it, old ones keep it."""
    _change(code_id, version, label=None, retired=True)


@app.command("restore")
def restore(
    code_id: int = typer.Argument(..., help="The code's id (see `list --retired`)."),
    version: int = typer.Argument(..., help="The version you read."),
) -> None:
    """Bring a retired code back into use."""
    _change(code_id, version, label=None, retired=False)


@app.command("seed")
def seed() -> None:
    """Store the default code lists of every family (codes already there are left as they are)."""
    from sitecrew.services.care import codes as service  # noqa: PLC0415

    with configured_sessions() as sessions, sessions.begin() as session:
        added = service.seed_wear_codes(session)
    typer.echo(f"{added} wear codes added")
