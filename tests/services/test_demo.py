"""The demo world built from central Oslo meets the foundation's bar on both backends."""

from __future__ import annotations

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.services.demo import summarise


def test_demo_holds_the_promised_volumes(demo_session):
    """At least 20,000 apartments, 600 furniture items, 59 schoolyards, six districts."""
    summary = summarise(demo_session, "Oslo sentrum")
    assert summary.apartments >= 20_000
    assert summary.furniture >= 600
    assert summary.maintenance_records > summary.furniture
    assert summary.districts == 6
    schoolyards = demo_session.scalar(
        select(func.count()).select_from(m.Site).where(m.Site.kind == "schoolyard")
    )
    assert schoolyards == 59
    assert demo_session.scalar(select(func.count()).select_from(m.Depot)) >= 1


def test_two_districts_form_the_contractor_block(demo_session):
    """Exactly the two eastern districts are bound to the contractor."""
    bound = demo_session.execute(
        select(m.District.name, m.Organisation.kind)
        .join(m.Organisation, m.District.contractor_id == m.Organisation.id)
        .order_by(m.District.name)
    ).all()
    assert bound == [("North-East", "contractor"), ("South-East", "contractor")]


def test_at_least_two_crews_of_ten_include_trainees(demo_session):
    """The furniture-care team: two crews of ten, each with trainees."""
    sizes = demo_session.execute(
        select(
            m.CrewMember.crew_id,
            func.count(),
            func.sum(func.cast(m.CrewMember.role == "trainee", m.CrewMember.id.type)),
        ).group_by(m.CrewMember.crew_id)
    ).all()
    big_with_trainees = [crew for crew, size, trainees in sizes if size >= 10 and trainees > 0]
    assert len(big_with_trainees) >= 2


def test_apartments_stand_in_real_building_footprints(demo_session):
    """Every apartment's point lies inside the OSM footprint of its building (sampled)."""
    rows = demo_session.execute(
        select(m.Apartment.location, m.Building.footprint, m.Building.osm_id)
        .join(m.Building)
        .order_by(m.Apartment.id)
        .limit(400)
    ).all()
    for location, footprint, osm_id in rows:
        assert osm_id is not None
        assert from_db_geometry(footprint).covers(from_db_geometry(location))


def test_furniture_stands_inside_its_site(demo_session):
    """Every furniture item lies inside its site's area."""
    rows = demo_session.execute(
        select(m.Furniture.location, m.Site.area).join(m.Site).where(m.Site.area.is_not(None))
    ).all()
    assert len(rows) >= 600
    for location, area in rows:
        assert from_db_geometry(area).covers(from_db_geometry(location))


def test_same_seed_gives_the_same_world_on_both_backends(demo_engines):
    """Loaded with one seed, the two backends hold identical apartments, tenants and furniture."""
    from sqlalchemy.orm import Session

    def fingerprint(engine) -> tuple:
        with Session(engine) as db_session:
            apartments = db_session.execute(
                select(m.Apartment.id, m.Apartment.unit, m.Apartment.tenant_name).order_by(
                    m.Apartment.id
                )
            ).all()
            furniture = db_session.execute(
                select(m.Furniture.serial, m.Furniture.condition_grade).order_by(m.Furniture.id)
            ).all()
            return tuple(apartments), tuple(furniture), summarise(db_session, "x")

    spatialite, postgis = (fingerprint(demo_engines[name]) for name in ("spatialite", "postgis"))
    assert spatialite == postgis
