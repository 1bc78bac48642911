"""Real local receivers for the notification tests: an SMTP server and an SMS webhook.

Both listen on 127.0.0.1 on a free port, record what they got, and can be told to fail the next
``n`` deliveries (SMTP: ``554``; webhook: HTTP 500) so retries can be watched.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class MailBox:
    """What the SMTP server accepted, and how many deliveries it should still refuse."""

    mails: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse_next: int = 0
    #: Refuse every recipient, quoting its address (as real servers do).
    refuse_recipients: bool = False

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        del server, session, options
        if self.refuse_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        del server, session
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "554 5.7.1 refused for the test"
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


class SmtpServer:
    """An aiosmtpd server on a free local port."""

    def __init__(self) -> None:
        self.box = MailBox()
        self.port = free_port()
        self._controller = Controller(self.box, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@dataclass
class Webhook:
    """A threaded HTTP receiver: records each POST (headers and JSON) and answers 500 or 200."""

    requests: list[tuple[dict[str, str], dict[str, Any], int]] = field(default_factory=list)
    fail_next: int = 0
    port: int = 0

    def __enter__(self) -> Self:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 200
                if hook.fail_next > 0:
                    hook.fail_next -= 1
                    status = 500
                hook.requests.append((dict(self.headers), json.loads(body), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                del args

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"
