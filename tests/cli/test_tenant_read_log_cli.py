"""``sitecrew tenant log`` lists staff reads of one tenant, with the fields read and no values."""

from __future__ import annotations

from sqlalchemy import select
from tests.cli.test_tenant_cli import TENANT, tenant_url  # noqa: F401  (the one-tenant database)
from tests.helpers import run_sitecrew

from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.services.tenant_reads import record_tenant_reads


def test_the_log_filters_reads_by_apartment_and_action(tenant_url, tmp_path):  # noqa: F811
    engine = engine_from_url(tenant_url)
    try:
        with session_factory(engine).begin() as session:
            apartment_id = session.scalars(select(m.Apartment.id)).one()
            record_tenant_reads(
                session,
                actor="api:crew:token/7",
                operation="graphql query Day: myRoute",
                reads={apartment_id: frozenset({"tenant.phone", "accessNotes"})},
            )
    finally:
        engine.dispose()

    log = run_sitecrew(
        "tenant",
        "log",
        "--apartment",
        str(apartment_id),
        "--action",
        "read",
        cwd=tmp_path,
        DATABASE_URL=tenant_url,
    )
    assert log.returncode == 0, log.stderr
    assert "api:crew:token/7" in log.stdout
    assert "accessNotes,tenant.phone" in log.stdout
    assert TENANT[1] not in log.stdout
    other = run_sitecrew(
        "tenant",
        "log",
        "--apartment",
        str(apartment_id + 1),
        cwd=tmp_path,
        DATABASE_URL=tenant_url,
    )
    assert other.returncode == 0, other.stderr
    assert "api:crew:token/7" not in other.stdout
