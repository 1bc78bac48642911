"""A browser that leaves while its request is read is no server error.

Navigating away from the console mid-request closes the connection before the body is read;
Starlette raises ``ClientDisconnect``. That was logged as an unexpected 500 with a traceback.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect

from sitecrew.web.graphql_view import _last_net


def test_a_client_that_left_is_noted_not_logged_as_an_error_when_its_body_is_unread(caplog):
    with caplog.at_level(logging.INFO, logger="sitecrew.web"):
        refused = _last_net(ClientDisconnect(), "/graphql")

    assert refused.status_code == 400
    assert refused.code == "BAD_REQUEST"
    assert [r.levelno for r in caplog.records] == [logging.INFO]


def test_an_unexpected_failure_is_still_logged_as_an_error_with_its_traceback(caplog):
    with caplog.at_level(logging.INFO, logger="sitecrew.web"):
        refused = _last_net(RuntimeError("boom"), "/graphql")

    assert refused.status_code == 500
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert caplog.records[0].exc_info is not None
