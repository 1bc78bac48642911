"""``sitecrew serve``: run the ASGI app with uvicorn, logging as ``SITECREW_LOG_*`` say.

Logging is configured here, not in the app: tests and embedding servers keep their own. The
same configuration goes to uvicorn (``log_config``), which applies it in every worker process,
so uvicorn's lines and Sitecrew's share one format and carry the request id.
"""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from starlette.applications import Starlette


def app_for_worker() -> Starlette:
    """Build the app from the environment in a worker process, its start-up heap frozen.

    The factory of ``serve --workers N`` (``uvicorn --factory sitecrew.cli.serve:app_for_worker``).
    """
    from sitecrew.web.app import app_from_env  # noqa: PLC0415

    return _frozen(app_from_env())


def _frozen(app: Starlette) -> Starlette:
    """Move every object alive now out of the garbage collector's sight and return ``app``.

    A server process holds a million long-lived objects after start-up (the schema, the models,
    the street-graph and GIS libraries); each full collection walked them all (~180 ms, every
    ~30 nested queries: 6 ms of a 20 ms request, and a latency spike for every request in
    flight). Frozen, collections only walk what requests allocate.
    """
    gc.collect()
    gc.freeze()
    return app


def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default SITECREW_HOST)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (default SITECREW_PORT)."),
    workers: int = typer.Option(1, min=1, max=32, help="Worker processes."),
) -> None:
    """Serve Sitecrew over HTTP (health at /healthz); SITECREW_LOG_LEVEL, SITECREW_LOG_FORMAT."""
    import uvicorn  # noqa: PLC0415

    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.db.engine import check_connection, engine_from_settings  # noqa: PLC0415
    from sitecrew.logs import LogSettings, configure_logging, logging_config  # noqa: PLC0415
    from sitecrew.web.app import create_app  # noqa: PLC0415

    logs = LogSettings.from_env(os.environ)
    configure_logging(logs)
    settings = Settings.from_env()
    check_connection(engine_from_settings(settings.database))
    # Several worker processes need the app as an import string (each builds its own from the
    # same environment); one process serves the app built here.
    app = _frozen(create_app(settings)) if workers == 1 else "sitecrew.cli.serve:app_for_worker"
    uvicorn.run(
        app,
        factory=workers > 1,
        host=host or settings.server.host,
        port=port or settings.server.port,
        workers=workers,
        log_config=logging_config(logs),
        log_level=logs.level.lower(),
    )
