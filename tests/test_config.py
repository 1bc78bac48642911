"""Settings from the environment: defaults, and a clear error for values that make no sense."""

from __future__ import annotations

import pytest

from sitecrew.config import DEFAULT_POOL_SIZE, Settings
from sitecrew.errors import ConfigurationError


def test_pool_size_defaults_and_follows_the_environment():
    """Unset, the pool keeps DEFAULT_POOL_SIZE connections; SITECREW_DB_POOL_SIZE changes it."""
    assert Settings.from_env({}).database.pool_size == DEFAULT_POOL_SIZE
    assert Settings.from_env({"SITECREW_DB_POOL_SIZE": "8"}).database.pool_size == 8


@pytest.mark.parametrize("value", ["0", "-3", "2.5", "many"])
def test_a_pool_size_that_is_not_a_positive_whole_number_is_a_configuration_error(value):
    """No pool of zero, negative or fractional size: the operator hears which variable is off."""
    with pytest.raises(ConfigurationError, match="SITECREW_DB_POOL_SIZE"):
        Settings.from_env({"SITECREW_DB_POOL_SIZE": value})


def test_api_limits_follow_the_environment():
    """Every API limit can be set by an operator; unset ones keep their defaults."""
    server = Settings.from_env(
        {
            "SITECREW_MAX_QUERY_DEPTH": "6",
            "SITECREW_MAX_ALIASES": "4",
            "SITECREW_MAX_TOKENS": "300",
            "SITECREW_MAX_COST": "900",
            "SITECREW_MAX_BATCH": "0",
            "SITECREW_MAX_PAGE_SIZE": "100",
        }
    ).server
    assert (server.max_query_depth, server.max_aliases, server.max_tokens) == (6, 4, 300)
    assert (server.max_cost, server.max_batch, server.max_page_size) == (900, 0, 100)
    assert server.max_viewport_features == Settings().server.max_viewport_features


@pytest.mark.parametrize(
    ("name", "value"),
    [("SITECREW_MAX_COST", "0"), ("SITECREW_MAX_BATCH", "-1"), ("SITECREW_MAX_TOKENS", "lots")],
)
def test_an_api_limit_that_makes_no_sense_is_a_configuration_error(name, value):
    """A zero cost limit or a negative batch size is refused, naming the variable."""
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: value})
