"""``sitecrew worker``: execute queued background runs (planning) taken from Redis."""

from __future__ import annotations

import typer

from sitecrew.config import Settings


def worker(
    processes: int = typer.Option(
        1, "--processes", "-p", min=1, help="Worker processes; each executes one run at a time."
    ),
    queues: list[str] = typer.Option(
        [],
        "--queues",
        "-Q",
        help="Queues to take work from (default: all: planning, notifications).",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every message handled."),
) -> None:
    """Execute queued planning runs and deliver messages (needs SITECREW_REDIS_URL)."""
    from sitecrew.db.engine import check_connection, engine_from_settings  # noqa: PLC0415
    from sitecrew.db.migrate import require_current_schema  # noqa: PLC0415
    from sitecrew.errors import ConfigurationError, InvalidInputError  # noqa: PLC0415
    from sitecrew.tasks.broker import ALL_QUEUES, check_reachable  # noqa: PLC0415
    from sitecrew.tasks.workers import run_workers  # noqa: PLC0415

    settings = Settings.from_env()
    if settings.redis.url is None:
        msg = (
            "SITECREW_REDIS_URL is not set: without Redis, `sitecrew serve` executes planning "
            "runs itself and no worker is needed"
        )
        raise ConfigurationError(msg)
    unknown = sorted(set(queues) - set(ALL_QUEUES))
    if unknown:
        msg = f"unknown queue {', '.join(unknown)}; known: {', '.join(ALL_QUEUES)}"
        raise InvalidInputError(msg)
    engine = engine_from_settings(settings.database)
    check_connection(engine)
    require_current_schema(engine)
    engine.dispose()
    check_reachable(settings.redis, settings.queue)
    typer.echo(f"sitecrew worker: {processes} process(es) on {', '.join(queues or ALL_QUEUES)}")
    raise typer.Exit(run_workers(processes=processes, queues=queues or ALL_QUEUES, verbose=verbose))
