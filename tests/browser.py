"""Driving Debian's Chromium from tests: find it, serve the app on a real port, launch offline.

Shared by the GraphQL console's browser test and the map console's end-to-end tests. Chromium
is launched with every host name but 127.0.0.1 unresolvable, so a page that reached for a CDN
would fail visibly; WebGL runs on SwiftShader (no GPU here), as MapLibre needs it.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

if TYPE_CHECKING:
    from collections.abc import Iterator

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
#: No name resolves but 127.0.0.1; WebGL in software, as a headless machine has no GPU.
CHROMIUM_ARGS = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Where browser tests leave their screenshots (CI keeps them as artefacts).
ARTEFACTS = Path(
    os.environ.get("SITECREW_TEST_ARTEFACTS")
    or Path(__file__).resolve().parent.parent / "var" / "test-artefacts"
)


def chromium() -> str:
    """Return the Chromium to drive; skip locally, fail under CI, when it cannot be driven."""
    if os.environ.get("SITECREW_BROWSER_TESTS", "").strip() == "0":
        pytest.skip("browser tests turned off (SITECREW_BROWSER_TESTS=0)")
    configured = os.environ.get("SITECREW_CHROMIUM")
    found = next((p for p in (configured, *CHROMIUM_PATHS) if p and Path(p).is_file()), None)
    problem = None
    if importlib.util.find_spec("playwright") is None:
        problem = "Playwright is not installed (pip install -e '.[dev]')"
    elif found is None:
        problem = "Chromium is not installed (apt-get install chromium; scripts/install.sh does)"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser test required under CI: {problem}", pytrace=False)
        pytest.skip(problem)
    assert found is not None
    return found


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free local port in a thread; yield its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start within 20 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def screenshot(page, name: str) -> Path:
    """Save a screenshot of ``page`` as ``<ARTEFACTS>/<name>.png``; return its path."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def keep_local(target, base: str, outside: list[str]) -> None:
    """Abort every request of ``target`` (a page or context) not to ``base``; record its URL."""

    def only_local(route) -> None:
        if not route.request.url.startswith(base + "/"):
            outside.append(route.request.url)
            route.abort()
            return
        route.continue_()

    target.route("**/*", only_local)
