"""List filters: each one returns exactly the rows the database holds for its condition.

Every list is walked page by page through the API as an admin and compared with a direct query
of the same database, so a filter that drops, adds or ignores rows fails.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sitecrew.db import models as m


def _all_ids(gql, field: str, type_name: str, filters: dict) -> set[int]:
    query = f"""query L($f: {type_name}, $after: String) {{
      {field}(filter: $f, first: 500, after: $after) {{
        nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}"""
    ids: set[int] = set()
    after = None
    while True:
        page = gql.data("admin", query, f=filters, after=after)[field]
        ids |= {int(node["id"]) for node in page["nodes"]}
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
def rows(world_sessions):
    """``rows(model, *conditions)``: the ids of the rows meeting the conditions, from the database."""

    def rows(model, *conditions) -> set[int]:
        with world_sessions() as session:
            return set(session.scalars(select(model.id).where(*conditions)))

    return rows


def _some(rows_of: set[int]) -> int:
    assert rows_of, "the demo world must hold rows for this filter to mean anything"
    return min(rows_of)


def test_site_filters_by_kind_region_and_district(gql, rows, api_world):
    """kind, regionId and districtId each select exactly their sites."""
    schoolyards = rows(m.Site, m.Site.kind == "schoolyard")
    assert 0 < len(schoolyards) < len(rows(m.Site))
    assert _all_ids(gql, "sites", "SiteFilter", {"kind": "SCHOOLYARD"}) == schoolyards
    region = {"regionId": api_world.region_id}
    assert _all_ids(gql, "sites", "SiteFilter", region) == rows(
        m.Site, m.Site.region_id == api_world.region_id
    )
    district = _some(rows(m.District))
    assert _all_ids(gql, "sites", "SiteFilter", {"districtId": district}) == rows(
        m.Site, m.Site.district_id == district
    )


def test_furniture_filters_by_site_model_and_condition(gql, rows):
    """siteId, modelId and minConditionGrade each select exactly their items."""
    site = _some(rows(m.Site, m.Site.id.in_(select(m.Furniture.site_id))))
    assert _all_ids(gql, "furniture", "FurnitureFilter", {"siteId": site}) == rows(
        m.Furniture, m.Furniture.site_id == site
    )
    model = _some(rows(m.FurnitureModel))
    assert _all_ids(gql, "furniture", "FurnitureFilter", {"modelId": model}) == rows(
        m.Furniture, m.Furniture.model_id == model
    )
    worn = rows(m.Furniture, m.Furniture.condition_grade >= 2)
    assert 0 < len(worn) < len(rows(m.Furniture))
    assert _all_ids(gql, "furniture", "FurnitureFilter", {"minConditionGrade": 2}) == worn


def test_apartment_filters_by_district_building_and_status(gql, rows):
    """districtId, buildingId and installationStatus each select exactly their apartments."""
    district = _some(rows(m.District, m.District.id.in_(select(m.Apartment.district_id))))
    assert _all_ids(gql, "apartments", "ApartmentFilter", {"districtId": district}) == rows(
        m.Apartment, m.Apartment.district_id == district
    )
    building = _some(rows(m.Building, m.Building.id.in_(select(m.Apartment.building_id))))
    assert _all_ids(gql, "apartments", "ApartmentFilter", {"buildingId": building}) == rows(
        m.Apartment, m.Apartment.building_id == building
    )
    booked = rows(m.Apartment, m.Apartment.installation_status == "booked")
    assert booked
    assert (
        _all_ids(gql, "apartments", "ApartmentFilter", {"installationStatus": "BOOKED"}) == booked
    )


def test_job_filters_by_kind_status_site_and_due_date(gql, rows, api_world):
    """kind, status, regionId, siteId and dueBefore (strictly before) each select their jobs.

    A site's jobs are those on the site itself and those on its furniture.
    """
    oiling = rows(m.Job, m.Job.kind == "oil")
    assert 0 < len(oiling) < len(rows(m.Job))
    assert _all_ids(gql, "jobs", "JobFilter", {"kind": "OIL"}) == oiling
    assert _all_ids(gql, "jobs", "JobFilter", {"status": "OPEN"}) == rows(
        m.Job, m.Job.status == "open"
    )
    assert _all_ids(gql, "jobs", "JobFilter", {"regionId": api_world.region_id}) == rows(
        m.Job, m.Job.region_id == api_world.region_id
    )
    jobs_on_furniture = select(m.Job.furniture_id).where(m.Job.furniture_id.is_not(None))
    furniture_sites = select(m.Furniture.site_id).where(m.Furniture.id.in_(jobs_on_furniture))
    site = _some(rows(m.Site, m.Site.id.in_(furniture_sites)))
    site_furniture = select(m.Furniture.id).where(m.Furniture.site_id == site)
    at_site = rows(m.Job, (m.Job.site_id == site) | m.Job.furniture_id.in_(site_furniture))
    assert _all_ids(gql, "jobs", "JobFilter", {"siteId": site}) == at_site
    due = date(2026, 6, 15)
    early = rows(m.Job, m.Job.due_on < due)
    assert 0 < len(early) < len(rows(m.Job))
    assert _all_ids(gql, "jobs", "JobFilter", {"dueBefore": due.isoformat()}) == early
    combined = {"kind": "INSTALL_MEDIA_BOX", "status": "OPEN", "dueBefore": due.isoformat()}
    assert _all_ids(gql, "jobs", "JobFilter", combined) == rows(
        m.Job, m.Job.kind == "install_media_box", m.Job.status == "open", m.Job.due_on < due
    )
