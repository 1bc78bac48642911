"""``sitecrew campaign links``: the mail merge of tenants' links, as an operator runs it.

A real ``sitecrew`` process against a committed tenant world (20 named tenants) of each
backend: the CSV names every open home with a working link, a second run hands out the same
links, ``--revoke`` stops one, and a missing secret or an unknown campaign exits non-zero with
one line.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from tests.helpers import run_sitecrew
from tests.services.tenant_world import FLATS, LINKS, build_tenant_world

from sitecrew.db import migrate
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.errors import UnauthenticatedError
from sitecrew.services.tenant_links import authenticate_link


@pytest.fixture(scope="module")
def links_world(backend, database_url_factory):
    url = database_url_factory(backend, "tenant_links_cli")
    engine = engine_from_url(url)
    migrate.upgrade(engine)
    with session_factory(engine).begin() as session:
        world = build_tenant_world(session)
    yield url, world, engine
    engine.dispose()


def _run(links_world, tmp_path, *args: str, secret: str | None = LINKS.secret):
    url = links_world[0]
    env = {"DATABASE_URL": url, "SITECREW_PUBLIC_URL": LINKS.base_url + "/"}
    env["SITECREW_TENANT_LINK_SECRET"] = secret or ""
    return run_sitecrew("campaign", "links", *args, cwd=tmp_path, **env)


def _principal(engine, url: str):
    with session_factory(engine)() as session:
        return authenticate_link(session, LINKS.secret, url.rpartition("/t/")[2]).principal


def test_the_csv_lists_every_open_home_with_its_tenant_and_a_working_link(links_world, tmp_path):
    _, world, engine = links_world
    out = tmp_path / "links.csv"
    done = _run(links_world, tmp_path, str(world.campaign_id), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote {FLATS} links" in done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["apartment_id"] for r in rows] == [str(f) for f in world.flats]
    assert rows[0]["tenant_name"] == "Tenant 00"
    assert rows[0]["address"] == "Östgata 7"
    assert rows[0]["url"].startswith("https://visit.example/t/sct1.")
    assert _principal(engine, rows[4]["url"]).apartment_id == world.flats[4]
    with session_factory(engine)() as session:
        logged = session.scalars(select(m.PersonalDataEvent.action)).all()
    assert "export:tenant_links" in logged
    again = _run(links_world, tmp_path, str(world.campaign_id))
    assert [r["url"] for r in csv.DictReader(io.StringIO(again.stdout))] == [r["url"] for r in rows]


def test_revoke_stops_one_link(links_world, tmp_path):
    _, world, engine = links_world
    first = _run(links_world, tmp_path, str(world.campaign_id), "--apartment", str(world.flats[9]))
    [row] = list(csv.DictReader(io.StringIO(first.stdout)))
    revoked = _run(links_world, tmp_path, str(world.campaign_id), "--revoke", str(world.flats[9]))
    assert revoked.returncode == 0, revoked.stderr
    with pytest.raises(UnauthenticatedError):
        _principal(engine, row["url"])


@pytest.mark.parametrize(
    ("args", "secret", "message"),
    [
        (("{campaign}",), None, "SITECREW_TENANT_LINK_SECRET"),
        (("2147483000",), LINKS.secret, "no campaign with id 2147483000"),
        (("{campaign}", "--revoke", "2147483000"), LINKS.secret, "has no link"),
        (("{campaign}", "--apartment", "2147483000"), LINKS.secret, "no open home"),
    ],
)
def test_refusals_exit_non_zero_with_one_line(links_world, tmp_path, args, secret, message):
    world = links_world[1]
    args = tuple(a.format(campaign=world.campaign_id) for a in args)
    done = _run(links_world, tmp_path, *args, secret=secret)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
