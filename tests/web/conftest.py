"""Web tests share the API world, clients and helpers of the API tests."""

from tests.api.conftest import *  # noqa: F403
from tests.live_world import redis_settings  # noqa: F401  (live-update tests)
