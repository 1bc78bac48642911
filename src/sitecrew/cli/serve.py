"""``sitecrew serve``: run the ASGI app with uvicorn."""

from __future__ import annotations

import typer


def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default SITECREW_HOST)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (default SITECREW_PORT)."),
    workers: int = typer.Option(1, min=1, max=32, help="Worker processes."),
) -> None:
    """Serve Sitecrew over HTTP (health at /healthz)."""
    import uvicorn  # noqa: PLC0415

    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.db.engine import check_connection, engine_from_settings  # noqa: PLC0415
    from sitecrew.web.app import create_app  # noqa: PLC0415

    settings = Settings.from_env()
    check_connection(engine_from_settings(settings.database))
    # Several worker processes need the app as an import string (each builds its own from the
    # same environment); one process serves the app built here.
    app = create_app(settings) if workers == 1 else "sitecrew.web.app:app_from_env"
    uvicorn.run(
        app,
        factory=workers > 1,
        host=host or settings.server.host,
        port=port or settings.server.port,
        workers=workers,
        log_level="info",
    )
