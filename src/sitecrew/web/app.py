"""The ASGI application: Starlette at the edge, one engine per process.

``create_app(settings)`` builds everything from the settings it is given, so tests and the CLI
make apps with their own configuration; nothing is read from the environment here.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from sitecrew import __version__
from sitecrew.api.schema import build_schema
from sitecrew.config import Settings
from sitecrew.db import migrate
from sitecrew.db.engine import backend_name, engine_from_settings, session_factory
from sitecrew.events import use_redis
from sitecrew.services.care.schedule import CareDueScheduler
from sitecrew.services.notifications.drainer import OutboxDrainer
from sitecrew.services.planning.background import shutdown_runs
from sitecrew.services.planning.supervisor import RunSupervisor
from sitecrew.tasks.broker import enqueue_drain
from sitecrew.web.admission import admission_for
from sitecrew.web.auth import BearerAuthenticator
from sitecrew.web.campaign_charts import CHART_PATH, CampaignCharts
from sitecrew.web.care_photos import CarePhotos
from sitecrew.web.console import console_routes
from sitecrew.web.downloads import RouteDownloads
from sitecrew.web.expansion_layers import ExpansionLayers
from sitecrew.web.graphql_view import SitecrewGraphQL
from sitecrew.web.request_ids import RequestIds
from sitecrew.web.tenant_page import TenantPages, tenant_routes
from sitecrew.web.tiles import TileEndpoints
from sitecrew.web.websocket_view import SubscriptionEndpoint

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.engine import Engine
    from starlette.requests import Request


def create_app(settings: Settings) -> Starlette:
    """Build the app: ``/healthz``, ``/graphql`` (HTTP; WebSocket for subscriptions), downloads.

    A browser gets ``/``, which links the GraphQL console and the schema (:mod:`.console`).
    """
    engine = engine_from_settings(settings.database)
    sessions = session_factory(engine)
    authenticator = BearerAuthenticator(sessions, link_secret=settings.tenant_links.secret)
    admission = admission_for(settings.server, engine)  # one gate per process, shared by routes
    schema = build_schema(settings.server)
    graphql = SitecrewGraphQL(
        schema,
        sessions=sessions,
        settings=settings,
        authenticator=authenticator,
        admission=admission,
    )
    subscriptions = SubscriptionEndpoint(
        schema,
        sessions=sessions,
        settings=settings,
        authenticator=authenticator,
        admission=admission,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.engine = engine
        app.state.admission = admission
        # Fail runs a stopped server left behind before serving; then keep this server's alive.
        supervisor = await anyio.to_thread.run_sync(
            partial(
                RunSupervisor.start,
                engine,
                stale_after_s=settings.routing.run_stale_after_s,
                queue=(settings.redis, settings.queue) if settings.redis.url else None,
            )
        )
        stop_publishing = use_redis(settings.redis)  # this process's changes reach every server
        outbox = OutboxDrainer(
            engine,
            settings.notifications,
            links=settings.tenant_links,
            send_to_queue=partial(enqueue_drain, settings.redis, settings.queue)
            if settings.redis.url
            else None,
        ).start()  # messages to tenants: delivered here, or by the task queue's workers
        care = CareDueScheduler(engine, settings.care).start()  # daily due care work (#17)
        yield
        care.stop()
        outbox.stop()
        stop_publishing()
        supervisor.stop()
        await anyio.to_thread.run_sync(shutdown_runs)
        engine.dispose()

    routes = [
        Route("/healthz", healthz),
        Route("/graphql", graphql),  # every method: the view refuses others in GraphQL JSON
        WebSocketRoute("/graphql", subscriptions),
        Route(
            "/routes/{crew_id}/{day}.{format}",
            RouteDownloads(sessions, authenticator, admission).download,
            methods=["GET"],
        ),
        Route(
            CHART_PATH, CampaignCharts(sessions, authenticator, admission).download, methods=["GET"]
        ),
        *CarePhotos(sessions, authenticator, admission, settings.photos).routes(),  # issue 17
        *ExpansionLayers(sessions, authenticator, admission, settings.osm).routes(),  # issue 18
        *TileEndpoints(sessions, authenticator, admission, settings).routes(),  # issue 19
        *tenant_routes(TenantPages(sessions, settings, admission)),  # /t/<token>: tenants' page
        *console_routes(schema),  # /, /console (GraphiQL), /schema.graphql, /static
    ]
    # Around every route: each request and WebSocket connection gets its id before it runs.
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(RequestIds)])


def app_from_env() -> Starlette:
    """Build the app from the environment (``uvicorn --factory sitecrew.web.app:app_from_env``)."""
    return create_app(Settings.from_env())


async def healthz(request: Request) -> JSONResponse:
    """Report liveness and whether the database answers at the expected schema revision."""
    engine: Engine = request.app.state.engine
    try:
        revision = await anyio.to_thread.run_sync(migrate.current_revision, engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    expected = migrate.head_revision()
    status = "ok" if revision == expected else "migration needed"
    body = {
        "status": status,
        "version": __version__,
        "database": backend_name(engine),
        "revision": revision,
        "expected_revision": expected,
    }
    return JSONResponse(body, status_code=200 if status == "ok" else 503)
