"""Page sizes: below one is a wrong input, above the cap is a page too large (two answers)."""

from __future__ import annotations

import pytest
from tests.security.schema_calls import schema_caller

from sitecrew.domain.access import Principal, Role

SITES = "query S($first: Int!) { sites(first: $first) { nodes { id } } }"


@pytest.mark.parametrize(
    ("first", "code", "message"),
    [
        (0, "INVALID_INPUT", "first must be at least 1, got 0"),
        (-5, "INVALID_INPUT", "first must be at least 1, got -5"),
        (100_000, "PAGE_TOO_LARGE", "first must be at most"),
    ],
)
def test_a_page_size_outside_the_range_names_its_side_when_asked_for(
    api_world, first, code, message
):
    """``first: 0`` is INVALID_INPUT ("at least 1"); only a page above the cap is PAGE_TOO_LARGE."""
    with schema_caller(api_world.url) as caller:
        result = caller(Principal(Role.ADMIN), SITES, first=first)
    assert result.data is None
    [error] = result.errors
    assert error.extensions["code"] == code
    assert message in error.message


def test_a_page_of_one_is_served_when_asked_for(api_world):
    """The smallest page is one node."""
    with schema_caller(api_world.url) as caller:
        data = caller.data(Principal(Role.ADMIN), SITES, first=1)
    assert len(data["sites"]["nodes"]) == 1
