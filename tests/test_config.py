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
