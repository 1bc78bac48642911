"""Web tests share the API world, clients and helpers of the API tests."""

from tests.api.conftest import *  # noqa: F403
