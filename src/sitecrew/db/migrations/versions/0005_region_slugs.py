"""region slugs: one name per region for commands, the API and the street-graph manifest

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

- ``regions`` gain ``slug`` (``oslo``): lower-case letters, digits and hyphens, unique. ``name``
  stays the title people read (``Oslo sentrum``).
- Existing regions get the slug of their ``street_region`` (the manifest's names are slugs),
  else one made from their name; a slug already taken gets the region's id appended (and a
  counter after that), so the backfill never fails on duplicates.

The column is added with plain ``ADD COLUMN`` (no batch copy: a SQLite copy of ``regions`` would
drop SpatiaLite's geometry triggers on ``regions.area``). SQLite adds a ``NOT NULL`` column only
with a default, so the column is added with an empty default, filled, and then guarded by the
unique index; PostgreSQL drops the default afterwards, SQLite cannot without a copy (the
application always writes a slug, and the index admits at most one empty one).

The slug rules are copied here rather than imported, so this migration keeps doing what it did
when the application's rules change.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLUG_LENGTH = 100
SLUG = re.compile(r"(?![0-9]+$)[a-z0-9]+(?:-[a-z0-9]+)*")
TRANSLITERATIONS = str.maketrans(
    {"æ": "ae", "ø": "o", "ß": "ss", "þ": "th", "ð": "d", "đ": "d", "ł": "l", "œ": "oe"}
)
REGIONS = sa.table(
    "regions",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("street_region", sa.String),
    sa.column("slug", sa.String),
)


def _slug(text: str) -> str:
    lowered = unicodedata.normalize("NFKD", text.lower().translate(TRANSLITERATIONS))
    words = re.findall(r"[a-z0-9]+", lowered.encode("ascii", "ignore").decode("ascii"))
    slug = "-".join(words)[:SLUG_LENGTH].strip("-") or "region"
    return slug if SLUG.fullmatch(slug) else f"region-{slug}"[:SLUG_LENGTH]


def _candidates(region_id: int, name: str, street_region: str | None) -> Iterator[str]:
    if street_region:
        yield _slug(street_region)
    from_name = _slug(name)
    yield from_name
    for count in itertools.count(1):
        suffix = f"-{region_id}" if count == 1 else f"-{region_id}-{count}"
        yield from_name[: SLUG_LENGTH - len(suffix)] + suffix


def upgrade() -> None:
    op.add_column(
        "regions",
        sa.Column("slug", sa.String(length=SLUG_LENGTH), nullable=False, server_default=""),
    )
    connection = op.get_bind()
    taken: set[str] = set()
    rows = connection.execute(
        sa.select(REGIONS.c.id, REGIONS.c.name, REGIONS.c.street_region).order_by(REGIONS.c.id)
    )
    for region_id, name, street_region in rows.all():
        slug = next(s for s in _candidates(region_id, name, street_region) if s not in taken)
        taken.add(slug)
        connection.execute(sa.update(REGIONS).where(REGIONS.c.id == region_id).values(slug=slug))
    op.create_index(op.f("ix_regions_slug"), "regions", ["slug"], unique=True)
    if connection.dialect.name != "sqlite":
        op.alter_column("regions", "slug", server_default=None)


def downgrade() -> None:
    op.drop_index(op.f("ix_regions_slug"), table_name="regions")
    op.drop_column("regions", "slug")
