"""What a browser opens: the map console ``/``, the GraphQL console, the schema's SDL.

``/`` is the map console (``static/app/``): MapLibre over Sitecrew's own vector tiles, with a
planner's view and a crew's. ``/console`` is GraphiQL. Both are served by this app from files
fetched at install time (:mod:`sitecrew.web.assets`); nothing is loaded from another origin, so
they work offline. Both sign in with a bearer token kept in the tab's sessionStorage. Every
page and static file is sent with a strict Content-Security-Policy (scripts, styles and
connections from this origin only, no inline script, no framing) and ``nosniff``, so HTML
served here cannot run a script that this server did not serve as a file.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.printer import print_schema

from sitecrew import __version__
from sitecrew.web.assets import (
    FETCH_COMMAND,
    GRAPHIQL_FILES,
    MAP_FILES,
    STATIC_DIR,
    VendorFile,
    missing_files,
)

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
    from strawberry import Schema

PAGES_DIR = Path(__file__).resolve().parent / "pages"
#: Where the GraphQL console lives (linked from ``/``).
CONSOLE_PATH = "/console"
#: Scripts, styles and connections (HTTP and the subscription WebSocket, which CSP Level 3
#: counts as 'self' on the same host and port) from this origin only; GraphiQL's stylesheet
#: embeds its fonts and icons as data: URLs. No inline script, no eval, no plugins, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI wrapper that sends :data:`SECURITY_HEADERS` with every response of ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve ``scope`` with ``app``, adding the headers to the response's start."""

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_secured)


def console_routes(schema: Schema) -> list[Route | Mount]:
    """Return the routes of ``/``, the console, ``/schema.graphql`` and the static files."""
    sdl = print_schema(schema) + "\n"  # the running schema, whatever the repository holds

    async def schema_sdl(request: Request) -> Response:  # noqa: ARG001  (Starlette's signature)
        """Answer the schema's SDL: it is public (committed), unlike what it serves."""
        return _secured(PlainTextResponse(sdl, headers=_inline("schema.graphql")))

    return [
        Route("/", map_console, methods=["GET"]),
        Route(CONSOLE_PATH, console_page, methods=["GET"]),
        Route("/schema.graphql", schema_sdl, methods=["GET"]),
        Mount("/static", app=SecurityHeaders(StaticFiles(directory=STATIC_DIR)), name="static"),
    ]


async def map_console(request: Request) -> Response:  # noqa: ARG001  (Starlette's signature)
    """Answer the map console (sign-in, then the planner's or the crew's view).

    Without its files installed, a page that says how to get them.
    """
    missing = missing_files(MAP_FILES)
    if missing:
        return _missing_page(missing)
    return _page(
        "app.html",
        version=escape(__version__),
        styles=_vendor_tags(MAP_FILES, ".css"),
        preloads=_vendor_tags(MAP_FILES, ".mjs"),
        scripts=_vendor_tags(MAP_FILES, ".js"),
    )


async def console_page(request: Request) -> Response:  # noqa: ARG001  (Starlette's signature)
    """Answer GraphiQL, or, when its files are not installed, a page that says how to get them."""
    missing = missing_files(GRAPHIQL_FILES)
    if missing:
        return _missing_page(missing)
    return _page(
        "console.html",
        styles=_vendor_tags(GRAPHIQL_FILES, ".css"),
        scripts=_vendor_tags(GRAPHIQL_FILES, ".js"),
    )


def _missing_page(missing: list[VendorFile]) -> Response:
    names = ", ".join(f"<code>{escape(f.name)}</code>" for f in missing)
    return _page("console-missing.html", 503, missing=names, command=escape(FETCH_COMMAND))


def _vendor_tags(files: tuple[VendorFile, ...], suffix: str) -> str:
    """Return the tags loading those of ``files`` named ``*suffix``, each with its integrity.

    An ES module (``.mjs``) is preloaded with its integrity, so the module the console's
    scripts import is the pinned one. MapLibre's worker module gets no tag: MapLibre starts
    it itself, from beside its own module.
    """
    tags = []
    for file in files:
        if not file.name.endswith(suffix) or "worker" in file.name:
            continue
        href, integrity = escape(f"static/vendor/{file.name}"), escape(file.integrity)
        if suffix == ".css":
            tags.append(f'  <link rel="stylesheet" href="{href}" integrity="{integrity}">')
        elif suffix == ".mjs":
            tags.append(f'  <link rel="modulepreload" href="{href}" integrity="{integrity}">')
        else:
            tags.append(f'  <script src="{href}" integrity="{integrity}"></script>')
    return "\n".join(tags)


def _page(name: str, status: int = 200, **values: str) -> Response:
    """Answer the page ``name`` of :data:`PAGES_DIR` with ``values`` (already HTML) filled in."""
    html = Template((PAGES_DIR / name).read_text(encoding="utf-8")).substitute(values)
    return _secured(HTMLResponse(html, status_code=status))


def _secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _inline(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'inline; filename="{filename}"'}
