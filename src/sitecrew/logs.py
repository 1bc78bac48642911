"""Server logging: one line per event, tagged with the request it belongs to; text or JSON.

``sitecrew serve`` configures the ``sitecrew`` and ``uvicorn`` loggers from the environment:

- ``SITECREW_LOG_LEVEL`` (``DEBUG``, ``INFO`` (default), ``WARNING``, ``ERROR``);
- ``SITECREW_LOG_FORMAT``: ``text`` (default, for people) or ``json`` (one JSON object per line
  with ``time``, ``level``, ``logger``, ``message``, ``request_id`` and the record's own fields,
  such as ``code``, ``operation``, ``role`` and ``token_id`` of a refused request).

A request id lives in a context variable: :mod:`sitecrew.web.request_ids` binds one per HTTP
request and WebSocket connection, the WebSocket endpoint one per operation, and since asyncio
tasks and anyio worker threads copy the context, every line written while serving that request
carries it, in whichever module it is written.
"""

from __future__ import annotations

import logging
import logging.config
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from sitecrew.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from sitecrew.domain.access import Principal

_REQUEST_ID: ContextVar[str | None] = ContextVar("sitecrew_request_id", default=None)
#: What an incoming ``X-Request-ID`` may be: short, printable, nothing a log reader could trip on.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
#: The attributes every LogRecord has; anything else on a record is a field of the event.
_RECORD_ATTRIBUTES = frozenset(
    [*vars(logging.LogRecord("", 0, "", 0, "", None, None)), "message", "asctime"]
)
#: Attributes that are not fields: ours (written as their own key) and uvicorn's coloured copy.
_NOT_FIELDS = frozenset({"request_id", "color_message"})
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def current_request_id() -> str | None:
    """Return the id of the request being served, or None outside one."""
    return _REQUEST_ID.get()


def new_request_id() -> str:
    """Return a fresh request id (32 hex digits)."""
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    """Return an incoming request id if it is safe to log and echo, else None (make a new one).

    A client's id is accepted so that its own logs and ours can be joined; one with spaces,
    control characters or a length past 128 could forge or break log lines, so it is replaced.
    """
    if value is None or not _SANE_ID.fullmatch(value):
        return None
    return value


@contextmanager
def request_id_bound(request_id: str) -> Iterator[str]:
    """Bind ``request_id`` for the lines logged inside the block (and tasks started there)."""
    token = _REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        _REQUEST_ID.reset(token)


def principal_fields(principal: Principal | None) -> dict[str, Any]:
    """Return who asked, for a log line: role and token id, never the secret."""
    if principal is None:
        return {"role": None, "token_id": None}
    return {"role": principal.role.value, "token_id": principal.token_id}


def describe_principal(principal: Principal | None) -> str:
    """Return who asked in words (``planner token 3``; ``no token``)."""
    if principal is None:
        return "no token"
    token = "" if principal.token_id is None else f" token {principal.token_id}"
    return f"{principal.role.value}{token}"


@dataclass(frozen=True)
class LogSettings:
    """How the server logs: the level of the ``sitecrew`` loggers and the line format."""

    level: str = "INFO"
    format: str = "text"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LogSettings:
        """Read ``SITECREW_LOG_LEVEL`` and ``SITECREW_LOG_FORMAT``.

        Raises
        ------
        ConfigurationError
            For a level or format this module does not know (a typo must not silence logs).
        """
        level = environ.get("SITECREW_LOG_LEVEL", "INFO").strip().upper() or "INFO"
        line_format = environ.get("SITECREW_LOG_FORMAT", "text").strip().lower() or "text"
        if level not in LEVELS:
            msg = f"SITECREW_LOG_LEVEL must be one of {', '.join(LEVELS)}, got {level!r}"
            raise ConfigurationError(msg)
        if line_format not in FORMATS:
            msg = f"SITECREW_LOG_FORMAT must be text or json, got {line_format!r}"
            raise ConfigurationError(msg)
        return cls(level=level, format=line_format)


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Tag ``record``; never drops one."""
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the record's fields.

    A traceback, when there is one, is the ``exception`` member (one line still: JSON escapes
    its newlines).
    """

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as a JSON line."""
        request_id = getattr(record, "request_id", None)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if request_id in {None, "-"} else request_id,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in _NOT_FIELDS and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def logging_config(settings: LogSettings) -> dict[str, Any]:
    """Return the :func:`logging.config.dictConfig` of the server (uvicorn takes it as is).

    The ``sitecrew`` loggers write at the configured level; uvicorn's error and access loggers
    go through the same handler, so in JSON mode every line is JSON and carries a request id.
    """
    formatter: dict[str, Any] = (
        {"()": JsonFormatter}
        if settings.format == "json"
        else {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "sitecrew",
        "filters": ["request_id"],
    }
    logger = {"handlers": ["default"], "level": settings.level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"sitecrew": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "sitecrew": logger,
            "uvicorn": logger,
            "uvicorn.error": {"level": settings.level},
            "uvicorn.access": logger,
        },
    }


def configure_logging(settings: LogSettings) -> None:
    """Apply :func:`logging_config` in this process."""
    logging.config.dictConfig(logging_config(settings))
