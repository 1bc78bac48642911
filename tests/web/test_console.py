"""What a browser opens: the start page, the GraphQL console, the schema, and their headers.

The console is GraphiQL served by the app itself (its files fetched at install time), behind a
strict Content-Security-Policy; the last test drives it in a real Chromium that can reach
nothing but the server.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from strawberry.printer import print_schema
from tests.api.conftest import error_codes, make_client
from tests.browser import CHROMIUM_ARGS, keep_local, serving
from tests.browser import chromium as find_chromium

from sitecrew.api.schema import build_schema
from sitecrew.config import DatabaseSettings, ServerSettings, Settings
from sitecrew.errors import ConfigurationError
from sitecrew.web import assets
from sitecrew.web.app import create_app

PAGES = (
    "/",
    "/console",
    "/schema.graphql",
    "/static/console.js",
    "/static/site.css",
    "/static/app/main.js",
    "/static/app/app.css",
)


class _Tags(HTMLParser):
    """The script, stylesheet and link tags of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
        elif tag == "link" and found.get("rel") in {"stylesheet", "modulepreload"}:
            self.styles.append(found)
        elif tag == "a" and found.get("href"):
            self.links.append(found["href"])
        elif tag == "style" or "style" in found or any(k.startswith("on") for k in found):
            self.inline_styles += 1


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def console_client(api_world):
    """The app with default settings on the API world (no OSM data needed)."""
    with make_client(api_world) as client:
        yield client


@pytest.fixture
def without_assets(tmp_path, monkeypatch):
    """The console's vendor files as a fresh checkout has them before the install step."""
    empty = tmp_path / "vendor"
    monkeypatch.setattr(assets, "VENDOR_DIR", empty)
    return empty


def test_every_page_carries_a_strict_policy_when_served(console_client):
    """Pages and static files forbid other origins, inline script, framing and sniffing."""
    for path in PAGES:
        response = console_client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'", path
        assert directives["script-src"] == "'self'", path
        assert directives["connect-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'", path
        assert "unsafe" not in policy, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path


def test_the_start_page_links_console_schema_and_health_when_opened(console_client):
    """`/` answers HTML whose links all lead to pages this server answers."""
    response = console_client.get("/")
    assert response.headers["content-type"].startswith("text/html")
    links = _tags(response.text).links
    assert {"console", "schema.graphql", "healthz"} <= set(links)
    for link in links:
        assert console_client.get(urljoin("http://testserver/", link)).status_code in {200, 503}


def test_the_console_loads_only_local_files_with_integrity_when_installed(console_client):
    """Every script and stylesheet is a file of this server, pinned, and no script is inline."""
    if assets.missing_files():
        pytest.fail(f"console assets missing: run {assets.FETCH_COMMAND}")
    response = console_client.get("/console")
    page = _tags(response.text)
    assert page.scripts, "the console loads GraphiQL"
    assert page.inline_styles == 0
    for tag in [*page.scripts, *page.styles]:
        url = tag.get("src") or tag.get("href")
        assert url, f"inline script or style: {tag}"
        assert "//" not in url, url  # this origin
        assert not url.startswith("/"), url  # relative, so the app may live under a prefix
        served = console_client.get(urljoin("http://testserver/console", url))
        assert served.status_code == 200, url
        assert "nosniff" in served.headers["x-content-type-options"]
        if url.startswith("static/vendor/"):
            assert tag["integrity"] == assets.sri(served.content), url
    assert not re.search(r"https?://", response.text)


def test_the_map_console_loads_only_local_pinned_files_and_modules_when_installed(
    console_client,
):
    """`/` loads MapLibre (a module, preloaded with its integrity) and graphql-ws, all local."""
    if assets.missing_files():
        pytest.fail(f"console assets missing: run {assets.FETCH_COMMAND}")
    response = console_client.get("/")
    page = _tags(response.text)
    assert page.inline_styles == 0
    loaded = {tag.get("src") or tag.get("href") for tag in [*page.scripts, *page.styles]}
    assert {
        "static/vendor/maplibre-gl.mjs",
        "static/vendor/maplibre-gl.css",
        "static/vendor/graphql-ws.min.js",
        "static/app/main.js",
    } <= loaded
    for tag in [*page.scripts, *page.styles]:
        url = tag.get("src") or tag.get("href")
        assert url, tag
        assert "//" not in url, url  # this origin
        assert not url.startswith("/"), url  # relative, so the app may live under a prefix
        served = console_client.get(urljoin("http://testserver/", url))
        assert served.status_code == 200, url
        if url.startswith("static/vendor/"):
            assert tag["integrity"] == assets.sri(served.content), url
    assert not [t for t in page.scripts if not (t.get("src") or "")], "an inline script"
    worker = console_client.get("/static/vendor/maplibre-gl-worker.mjs")  # MapLibre starts it
    for module in (worker, console_client.get("/static/app/main.js")):
        assert module.headers["content-type"].startswith("text/javascript")
        assert module.headers["x-content-type-options"] == "nosniff"


def test_the_map_console_says_how_to_install_its_files_when_they_are_missing(
    console_client, without_assets
):
    """Without MapLibre the map console explains the install step instead of a blank map."""
    response = console_client.get("/")
    assert response.status_code == 503
    assert "scripts/install.sh" in response.text
    assert "maplibre-gl.mjs" in response.text
    assert _tags(response.text).scripts == []


def test_served_files_load_nothing_from_another_origin_when_scanned(console_client):
    """No served HTML, JS or CSS imports a script, stylesheet or font from the internet.

    The vendor bundles hold URLs in comments and messages; what would load one is an
    ``@import`` or ``url()`` in CSS, or a script tag or ``import()`` built in JS.
    """
    loads = re.compile(
        r"@import\s+(url\()?['\"]?https?:|url\(\s*['\"]?(https?:)?//|"
        r"<script[^>]+src=['\"]?(https?:)?//|import\(\s*['\"](https?:)?//",
        re.IGNORECASE,
    )
    files = [f"static/vendor/{f.name}" for f in assets.VENDOR_FILES if f.path.is_file()]
    own = [f"static/app/{p.name}" for p in (assets.STATIC_DIR / "app").iterdir()]
    for path in ["", "console", "static/console.js", "static/site.css", *own, *files]:
        text = console_client.get(f"/{path}").text
        assert not loads.search(text), path
        assert not re.search(r"//(unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com)", text), (
            path
        )


def test_the_console_says_how_to_install_its_files_when_they_are_missing(
    console_client, without_assets
):
    """Without its vendor files the console explains the install step instead of breaking."""
    response = console_client.get("/console")
    assert response.status_code == 503
    assert "scripts/install.sh" in response.text
    assert "graphiql.min.js" in response.text
    assert _tags(response.text).scripts == []
    assert response.headers["content-security-policy"]
    assert not without_assets.exists()


def test_the_schema_endpoint_serves_the_running_sdl_when_asked_without_a_token(console_client):
    """`/schema.graphql` is the printed schema of the running app, public like the repo's."""
    response = console_client.get("/schema.graphql")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == print_schema(build_schema(ServerSettings())) + "\n"
    assert "type Query" in response.text


def test_strawberry_graphiql_stays_off_when_graphql_is_opened_in_a_browser(api_world):
    """A GET of /graphql is refused in JSON even in development; the console replaces it."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}", "Accept": "text/html"}
    with make_client(api_world, development=True) as client:
        response = client.get("/graphql", headers=headers)
    assert response.status_code == 405
    assert error_codes(response.json()) == ["METHOD_NOT_ALLOWED"]
    assert "graphiql" not in response.text.lower()


INTROSPECTION = "{ __schema { queryType { name } types { name } } }"


def test_introspection_answers_a_signed_in_caller_when_on_by_default(console_client, api_world):
    """GraphiQL reads the schema: introspection runs for a token, as the setting's default."""
    headers = {"Authorization": f"Bearer {api_world.tokens['crew']}"}
    body = console_client.post("/graphql", json={"query": INTROSPECTION}, headers=headers).json()
    assert body.get("errors") is None
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_introspection_is_refused_when_anonymous(console_client):
    """Without a token introspection gets the same 401 as every other operation."""
    response = console_client.post("/graphql", json={"query": INTROSPECTION})
    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


def test_introspection_is_refused_when_the_setting_turns_it_off(api_world):
    """SITECREW_INTROSPECTION=0 refuses introspection even to an admin."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}"}
    with make_client(api_world, introspection=False) as client:
        body = client.post("/graphql", json={"query": INTROSPECTION}, headers=headers).json()
        typename = client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    assert set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert typename.json() == {"data": {"__typename": "Query"}}


def test_the_introspection_setting_reads_on_off_and_refuses_other_words_when_configured():
    """SITECREW_INTROSPECTION is on unless 0/false/no/off; a typo is an error, not a guess."""
    assert Settings.from_env({}).server.introspection is True
    assert Settings.from_env({"SITECREW_INTROSPECTION": "0"}).server.introspection is False
    assert Settings.from_env({"SITECREW_INTROSPECTION": "off"}).server.introspection is False
    assert Settings.from_env({"SITECREW_INTROSPECTION": "1"}).server.introspection is True
    with pytest.raises(ConfigurationError, match="SITECREW_INTROSPECTION"):
        Settings.from_env({"SITECREW_INTROSPECTION": "maybe"})


# --- In a real browser ---------------------------------------------------------------------------
# Debian's Chromium, driven by Playwright, with every name but 127.0.0.1 unresolvable and every
# request elsewhere aborted and recorded: the console must work with no internet at all.

QUERY = "{ regions { nodes { id name } } }"
#: A run nobody has: over the WebSocket a signed-in caller gets NOT_FOUND, anyone else 4403.
SUBSCRIPTION = 'subscription { planningRunProgress(id: "987654321") { id status } }'
EDITOR_VALUE = "s => document.querySelector(s).CodeMirror.getValue()"
SET_QUERY = (
    "q => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q)"
)
RESPONSE = ".graphiql-response .CodeMirror"


def _browse(chromium: str, base: str, token: str) -> dict:
    """Open `/`, follow the console link, sign in, run a query and a subscription, sign out."""
    from playwright.sync_api import sync_playwright

    seen: dict = {"outside": [], "problems": [], "frames": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        context = browser.new_context()
        context.set_default_timeout(15_000)

        keep_local(context, base, seen["outside"])
        page = context.new_page()
        page.on("websocket", lambda ws: _record_frames(ws, seen["frames"]))
        page.on("pageerror", lambda error: seen["problems"].append(str(error)))
        page.on("console", lambda m: seen["problems"].append(m.text) if m.type == "error" else 0)
        page.goto(base + "/")
        page.click("#console-link")
        page.wait_for_url(base + "/console")
        page.fill("#token", token)
        page.click("#sign-in-button")
        page.wait_for_selector(".graphiql-query-editor .CodeMirror")
        seen["query"] = _run(page, QUERY, "regions")
        seen["subscription"] = _run(page, SUBSCRIPTION, "errors")
        seen["storage"] = page.evaluate(
            "() => [sessionStorage.getItem('sitecrew.token'), JSON.stringify(localStorage)]"
        )
        seen["cookies"] = context.cookies()
        page.click("#sign-out")
        page.wait_for_selector(".graphiql-container", state="detached")
        seen["after_sign_out"] = page.evaluate("() => sessionStorage.getItem('sitecrew.token')")
        browser.close()
    return seen


def _record_frames(websocket, frames: list[tuple[str, dict]]) -> None:
    """Keep every message a WebSocket of the page sends and receives, decoded."""
    websocket.on("framesent", lambda text: frames.append(("sent", json.loads(text))))
    websocket.on("framereceived", lambda text: frames.append(("received", json.loads(text))))


def _run(page, query: str, marker: str) -> dict:
    """Type ``query`` into GraphiQL, press play, and read the answer once it shows ``marker``."""
    page.evaluate(SET_QUERY, query)
    page.wait_for_timeout(500)  # GraphiQL reads the operation's kind 100 ms after an edit
    page.click(".graphiql-execute-button")
    page.wait_for_function(f"() => ({EDITOR_VALUE})({RESPONSE!r}).includes({marker!r})")
    return json.loads(page.evaluate(EDITOR_VALUE, RESPONSE))


@pytest.mark.browser
def test_a_browser_without_internet_signs_in_and_runs_a_query_when_opening_the_start_page(
    api_world,
):
    """From `/`, the console link and a pasted planner token run a query and a subscription."""
    chromium = find_chromium()
    app = create_app(Settings(database=DatabaseSettings(url=api_world.url)))
    token = api_world.tokens["planner"]
    with serving(app) as base:
        seen = _browse(chromium, base, token)

    regions = seen["query"]["data"]["regions"]["nodes"]
    assert str(api_world.region_id) in {region["id"] for region in regions}
    # The subscription went over the WebSocket with the token in connection_init, and the server
    # took it (a socket without one is closed with 4403) and answered (the run is missing).
    sent = [message for side, message in seen["frames"] if side == "sent"]
    received = [message for side, message in seen["frames"] if side == "received"]
    assert sent[0] == {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    assert received[0] == {"type": "connection_ack"}
    assert [m["type"] for m in received[1:]] == ["next", "complete"]
    assert received[1]["payload"] == seen["subscription"]
    assert seen["storage"][0] == token  # the tab's sessionStorage, and nowhere else
    assert token not in seen["storage"][1]
    assert seen["cookies"] == []
    assert seen["after_sign_out"] is None
    assert seen["outside"] == []
    assert seen["problems"] == []
