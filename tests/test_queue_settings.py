"""Settings of the task queue: no Redis means no queue; a URL Redis cannot use is refused."""

from __future__ import annotations

import pytest

from sitecrew.config import Settings
from sitecrew.errors import ConfigurationError


def test_without_a_redis_url_there_is_no_queue_and_the_defaults_hold():
    """Unset or blank SITECREW_REDIS_URL: runs stay in the server; 2 attempts, 15 s silence."""
    for env in ({}, {"SITECREW_REDIS_URL": "  "}):
        settings = Settings.from_env(env)
        assert settings.redis.url is None
        assert settings.queue.max_attempts == 2
        assert settings.queue.worker_lost_after_s == 15.0


def test_queue_settings_follow_the_environment():
    """The URL, key prefix, attempts and the silence that marks a worker dead are read."""
    settings = Settings.from_env(
        {
            "SITECREW_REDIS_URL": "redis://127.0.0.1:6379/3",
            "SITECREW_REDIS_PREFIX": "acme",
            "SITECREW_RUN_ATTEMPTS": "3",
            "SITECREW_WORKER_LOST_S": "30",
        }
    )
    assert settings.redis.url == "redis://127.0.0.1:6379/3"
    assert settings.redis.prefix == "acme"
    assert settings.queue.max_attempts == 3
    assert settings.queue.worker_lost_after_s == 30.0


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SITECREW_REDIS_URL", "http://user:secret@cache:6379/0", "must start with redis://"),
        ("SITECREW_REDIS_URL", "127.0.0.1:6379", "must start with redis://"),
        ("SITECREW_RUN_ATTEMPTS", "0", "whole number of at least 1"),
        ("SITECREW_WORKER_LOST_S", "soon", "must be a number"),
    ],
)
def test_queue_settings_that_cannot_work_are_refused_naming_the_variable(name, value, says):
    """A ConfigurationError names the variable and never echoes a password."""
    with pytest.raises(ConfigurationError, match=name) as refused:
        Settings.from_env({name: value})
    assert says in str(refused.value)
    assert "secret" not in str(refused.value)
