"""A request id for every HTTP request and WebSocket connection, in logs, errors and headers.

A pure ASGI middleware (no body buffering, WebSocket-safe): it takes a sane incoming
``X-Request-ID`` (so a proxy's or client's id joins its logs to ours) or makes one, binds it for
everything that runs while serving (:func:`sitecrew.logs.request_id_bound`: log lines, the
``requestId`` of each error's ``extensions``) and echoes it in the response's ``X-Request-ID``
header (for a WebSocket, in the headers of the accepted upgrade).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders

from sitecrew.logs import new_request_id, request_id_bound, sane_request_id

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"


class RequestIds:
    """Bind a request id around the wrapped app, and answer with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request or WebSocket connection under its request id."""
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        incoming = sane_request_id(Headers(scope=scope).get(HEADER))
        request_id = incoming or new_request_id()
        start = "http.response.start" if scope["type"] == "http" else "websocket.accept"

        async def send_with_id(message: Message) -> None:
            if message["type"] == start:
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        with request_id_bound(request_id):
            await self.app(scope, receive, send_with_id)
