"""Migration 0005 gives every existing region a unique slug, and round-trips with data."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url

#: Regions as a database before 0005 may hold them: two on one street graph, Nordic letters in
#: a title, a title of digits only.
OLD_REGIONS = (
    ("Oslo sentrum", "oslo"),
    ("Oslo øst", "oslo"),
    ("Ærøy Ålesund", None),
    ("2018", None),
)
EXPECTED_SLUGS = ["oslo", "oslo-ost", "aeroy-alesund", "region-2018"]
AREA = "MULTIPOLYGON(((10.7 59.9, 10.8 59.9, 10.8 59.95, 10.7 59.95, 10.7 59.9)))"


def _insert_old_regions(engine) -> None:
    with engine.begin() as connection:
        for name, street_region in OLD_REGIONS:
            connection.execute(
                text(
                    "INSERT INTO regions (name, street_region, area) "
                    "VALUES (:name, :street, ST_GeomFromText(:area, 4326))"
                ),
                {"name": name, "street": street_region, "area": AREA},
            )


def _slugs(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT slug FROM regions ORDER BY id")))


@pytest.fixture
def engine_at_0004(backend, database_url_factory):
    """A database of ``backend`` migrated to 0004 (before slugs), holding ``OLD_REGIONS``."""
    engine = engine_from_url(database_url_factory(backend, "sitecrew_test_slugs"))
    migrate.upgrade(engine, "0004")
    _insert_old_regions(engine)
    yield engine
    engine.dispose()


def test_existing_regions_get_unique_slugs_when_upgraded(engine_at_0004):
    """The street graph's name first, else the title's; a taken slug falls back to the title."""
    migrate.upgrade(engine_at_0004)
    assert _slugs(engine_at_0004) == EXPECTED_SLUGS


def test_slugs_round_trip_when_downgraded_and_upgraded_again(engine_at_0004):
    """Down to 0004 drops the column (data kept); up again backfills the same slugs."""
    migrate.upgrade(engine_at_0004)
    migrate.downgrade(engine_at_0004, "0004")
    columns = {c["name"] for c in inspect(engine_at_0004).get_columns("regions")}
    assert "slug" not in columns
    with engine_at_0004.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM regions")) == len(OLD_REGIONS)
    migrate.upgrade(engine_at_0004)
    assert _slugs(engine_at_0004) == EXPECTED_SLUGS


def test_database_refuses_a_duplicate_slug_when_inserted_directly(engine_at_0004):
    """The unique index guards slugs even against writers that bypass the application."""
    migrate.upgrade(engine_at_0004)
    with pytest.raises(IntegrityError), engine_at_0004.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO regions (name, slug, area) "
                "VALUES ('Another Oslo', 'oslo', ST_GeomFromText(:area, 4326))"
            ),
            {"area": AREA},
        )
