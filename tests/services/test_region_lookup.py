"""A region has one name, its slug: rules, lookups in any case or by id, scoping, the listing."""

from __future__ import annotations

import pytest
import shapely
from tests.helpers import make_world

from sitecrew.domain.access import Principal, Role
from sitecrew.domain.organisations import Region, require_slug, slug_from_title
from sitecrew.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sitecrew.services import organisations
from sitecrew.services.graphs import street_region_for
from sitecrew.services.regions import get_region_by_ref, list_region_summaries
from sitecrew.streets.regions import REPOSITORY_MANIFEST

BERGEN = shapely.box(5.30, 60.37, 5.35, 60.41)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Oslo sentrum", "oslo-sentrum"),
        ("Ærøy / Ålesund øst", "aeroy-alesund-ost"),
        ("  Straße 7 ", "strasse-7"),
        ("2018", "region-2018"),
        ("!!!", "region"),
    ],
)
def test_a_title_suggests_a_typeable_slug_when_none_is_given(title, slug):
    """Accents dropped, Nordic letters spelt out, digits-only titles prefixed (ids are numbers)."""
    assert slug_from_title(title) == slug
    assert Region(title, BERGEN).slug == slug


@pytest.mark.parametrize("bad", ["Oslo", "oslo sentrum", "oslo--east", "-oslo", "42", "", "ø"])
def test_slug_is_refused_when_it_breaks_the_rules(bad):
    """Upper case, spaces, double or edge hyphens, digits only, empty or non-ASCII: refused."""
    with pytest.raises(InvalidInputError, match="lower-case letters"):
        require_slug(bad)


def test_street_region_is_refused_when_it_is_not_a_slug():
    """The street graph is named by a manifest slug, so another spelling never reaches it."""
    with pytest.raises(InvalidInputError, match="street region"):
        Region("Bergen", BERGEN, street_region="Bergen Sentrum")


def test_region_is_found_by_slug_in_any_case_or_by_id(session):
    """``oslo-test``, ``OSLO-TEST``, `` Oslo-Test ``, its id and its id's digits: one region."""
    region = make_world(session).region
    assert region.slug == "oslo-test"
    for ref in ("oslo-test", "OSLO-TEST", " Oslo-Test ", region.id, str(region.id)):
        assert get_region_by_ref(session, ref).id == region.id


def test_unknown_region_lists_the_known_slugs_when_misspelt(session):
    """A typo, the title instead of the slug, or an id nobody has: NotFound naming the slugs."""
    make_world(session)
    for ref in ("olso-test", "Oslo test", "0", "99999999999", "oslo%", "oslo-t_st"):
        with pytest.raises(NotFoundError, match=r"known regions: oslo-test \(Oslo test\)"):
            get_region_by_ref(session, ref)


def test_planner_of_another_region_finds_only_its_own_region(session):
    """Scoped lookups: another region's slug or id is NotFound, and the list hides it."""
    oslo = make_world(session).region
    bergen = organisations.create_region(session, Region("Bergen", BERGEN, slug="bergen"))
    planner = Principal(Role.PLANNER, region_id=bergen.id)
    assert get_region_by_ref(session, "BERGEN", principal=planner).id == bergen.id
    for ref in ("oslo-test", str(oslo.id), oslo.id):
        with pytest.raises(NotFoundError) as refused:
            get_region_by_ref(session, ref, principal=planner)
        assert "oslo-test" not in str(refused.value).split("known regions:")[1]
        assert "bergen (Bergen)" in str(refused.value)


def test_crew_may_not_look_regions_up_when_scoped(session):
    """Crews list no regions, so naming one is Forbidden for them, whatever the name."""
    world = make_world(session)
    crew = Principal(Role.CREW, crew_id=world.crew.id)
    with pytest.raises(PermissionDeniedError):
        get_region_by_ref(session, "oslo-test", principal=crew)


def test_second_region_with_a_taken_slug_is_a_conflict(session):
    """Slugs are unique: a new region cannot take another's name."""
    make_world(session)
    with pytest.raises(ConflictError, match="slug 'oslo-test' is taken"):
        organisations.create_region(session, Region("Another", BERGEN, slug="oslo-test"))


def test_listing_counts_what_each_region_holds(session):
    """Slug, title, clock, street graph and counts, ordered by slug."""
    make_world(session)
    organisations.create_region(session, Region("Bergen", BERGEN, "oslo", slug="bergen"))
    bergen, oslo = list_region_summaries(session)
    assert (bergen.slug, bergen.title, bergen.street_region, bergen.sites) == (
        "bergen",
        "Bergen",
        "oslo",
        0,
    )
    assert (oslo.slug, oslo.timezone, oslo.street_region) == ("oslo-test", "Europe/Oslo", None)
    counts = (oslo.districts, oslo.sites, oslo.buildings, oslo.crews, oslo.open_jobs)
    assert counts == (1, 1, 1, 1, 1)


def test_street_graph_is_named_by_manifest_or_database_slug(session):
    """``LUND-Station`` is the manifest's; a database region's slug or id names its graph."""
    directory = REPOSITORY_MANIFEST.parent
    assert street_region_for("LUND-Station", directory=directory) == "lund-station"
    lund = organisations.create_region(
        session, Region("Lund C", BERGEN, "lund-station", slug="lund")
    )
    for ref in ("LUND", str(lund.id)):
        assert street_region_for(ref, directory=directory, session=session) == "lund-station"
    with pytest.raises(NotFoundError, match=r"known regions: .*malta"):
        street_region_for("atlantis", directory=directory, session=session)
