"""Engine settings that the rest of the system relies on."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from sitecrew.db.engine import engine_from_url


@pytest.mark.postgis_only  # plan_cache_mode is a PostgreSQL setting
def test_postgres_plans_each_statement_for_its_own_parameters(backend, engine):
    """Prepared statements never fall back to a generic plan that cannot see a box's size."""
    with engine.connect() as connection:
        assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"


@pytest.mark.postgis_only  # server options are a PostgreSQL connection parameter
def test_server_options_in_the_url_are_kept(backend, engine):
    """A DATABASE_URL carrying its own ``options`` keeps them beside ours."""
    url = make_url(engine.url.render_as_string(hide_password=False)).update_query_dict(
        {"options": "-c statement_timeout=4321"}
    )
    configured = engine_from_url(url.render_as_string(hide_password=False))
    try:
        with configured.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "4321ms"
            assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    finally:
        configured.dispose()
