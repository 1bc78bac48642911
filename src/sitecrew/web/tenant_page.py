"""The tenant's page at ``/t/<token>``: plain HTML from the server, forms that post back.

No account and no script: the link token in the address is the tenant's credential (the same
token works as a GraphQL bearer secret). The page shows the tenant's own visit, the offered
windows, how the crew gets in, and a cancel button; the ``.ics`` file is ``/t/<token>/visit.ics``.

Forms are safe against cross-site posts without cookies: a forged form would need the token,
which only the tenant has (the page sends ``Referrer-Policy: no-referrer`` so it does not leak
to other sites), and each form carries a nonce signed for the token, the action and the visit's
version, so a form another site builds is refused, as is a form shown before the visit changed.
A browser's ``Origin`` header, when sent, must be this server's. Each post runs one use case in
one transaction and answers with a redirect (post/redirect/get), or the page with the reason.
A garbled, expired or revoked link gets a page saying so (403), never a stack trace.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sitecrew.db.engine import write_session_factory
from sitecrew.domain.tenant_links import AccessChoice, form_nonce, nonce_matches
from sitecrew.errors import (
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
    SitecrewError,
    UnauthenticatedError,
    WindowNotOfferedError,
)
from sitecrew.services._persist import write_in_transaction
from sitecrew.services.tenant_links import authenticate_link
from sitecrew.services.tenant_visits import book, change
from sitecrew.services.tenant_visits.calendar import tenant_calendar
from sitecrew.services.tenant_visits.read import tenant_offers, tenant_visit
from sitecrew.web.admission import ServerBusyError
from sitecrew.web.console import PAGES_DIR
from sitecrew.web.file_errors import busy_answer
from sitecrew.web.tenant_texts import LANGUAGE_NAMES, TEXTS, choose_language, local_window

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request

    from sitecrew.config import Settings
    from sitecrew.domain.access import Principal
    from sitecrew.services.tenant_visits.home import TenantVisit
    from sitecrew.services.tenant_visits.read import TenantOffer
    from sitecrew.web.admission import Admission

#: Largest form body read (the page's forms send well under a kilobyte).
MAX_FORM_BYTES = 4096
#: What the page's forms may do.
ACTIONS = ("confirm", "choose", "access", "cancel")
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
#: A refused form's text and status, most specific first.
REFUSALS: tuple[tuple[type[SitecrewError], str, int], ...] = (
    (WindowNotOfferedError, "error_not_offered", 409),
    (ConflictError, "error_stale", 409),
    (PermissionDeniedError, "error_form", 403),
    (InvalidInputError, "error_form", 400),
)
_TEMPLATES = Environment(
    loader=FileSystemLoader(PAGES_DIR), autoescape=select_autoescape(["html"]), auto_reload=False
)


class TenantPages:
    """The endpoints under ``/t/{token}`` (see :meth:`routes` in :mod:`sitecrew.web.app`)."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, admission: Admission
    ) -> None:
        self._sessions = sessions
        self._write_sessions = write_session_factory(sessions.kw["bind"])
        self._settings = settings
        self._secret = settings.tenant_links.secret
        self._admission = admission

    async def page(self, request: Request) -> Response:
        """Answer the tenant's page (``?done=<action>`` says what just succeeded)."""
        lang = _language(request)
        done = request.query_params.get("done")
        message = TEXTS[lang][f"done_{done}"] if done in ACTIONS else None
        return await self._answer(request, lang, message=message)

    async def calendar(self, request: Request) -> Response:
        """Answer the visit's ``.ics`` file (404 until the visit was confirmed)."""
        token = request.path_params["token"]
        try:
            async with self._admission.admitted():
                ics = await anyio.to_thread.run_sync(self._calendar, token)
        except UnauthenticatedError:
            return self._invalid(_language(request))
        except ServerBusyError as busy:
            return busy_answer(busy)
        except SitecrewError as error:
            return Response(str(error), status_code=404, media_type="text/plain", headers=HEADERS)
        headers = {**HEADERS, "Content-Disposition": 'attachment; filename="visit.ics"'}
        return Response(ics, media_type="text/calendar; charset=utf-8", headers=headers)

    async def post(self, request: Request) -> Response:
        """Run one form's use case; redirect to the page, or show it with the reason."""
        token, action = request.path_params["token"], request.path_params["action"]
        form = await _form_fields(request)
        lang = choose_language(_field(form, "lang"), request.headers.get("accept-language"))
        if action not in ACTIONS:
            return self._invalid(lang, status=404)
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            return await self._answer(request, lang, error="error_form", status=403)
        try:
            async with self._admission.admitted():
                principal = await anyio.to_thread.run_sync(self._tenant, token)
                version = _version(_field(form, "version"))
                if not nonce_matches(
                    self._secret or "", token, action, version, _field(form, "nonce") or ""
                ):
                    raise PermissionDeniedError("the form's nonce does not match")
                await anyio.to_thread.run_sync(partial(self._run, action, principal, version, form))
        except ServerBusyError as busy:
            return busy_answer(busy)
        except SitecrewError as error:
            return await self._refused(request, lang, error)
        return RedirectResponse(f"/t/{token}?lang={lang}&done={action}", status_code=303)

    async def _refused(self, request: Request, lang: str, error: SitecrewError) -> Response:
        """Answer a refused form: the page with the reason (or the invalid-link page)."""
        if isinstance(error, UnauthenticatedError):
            return self._invalid(lang)
        for kind, text, status in REFUSALS:
            if isinstance(error, kind):
                return await self._answer(request, lang, error=text, status=status)
        return await self._answer(request, lang, error="error_form", status=400)

    # --- work off the event loop -----------------------------------------------------------------

    def _tenant(self, token: str) -> Principal:
        with self._sessions() as session:
            return authenticate_link(session, self._secret, token).principal

    def _calendar(self, token: str) -> bytes:
        with self._sessions() as session:
            principal = authenticate_link(session, self._secret, token).principal
            return tenant_calendar(session, principal)

    def _read(self, token: str) -> tuple[Principal, TenantVisit, list[TenantOffer] | None]:
        with self._sessions() as session:
            principal = authenticate_link(session, self._secret, token).principal
            visit = tenant_visit(session, principal)
            offers: list[TenantOffer] | None = []
            if visit.changeable:
                try:
                    offers = tenant_offers(session, principal, osm=self._settings.osm, limit=12)
                except SitecrewError:  # no street graph, say: the page still works
                    offers = None
            return principal, visit, offers

    def _run(self, action: str, principal: Principal, version: int, form: dict[str, str]) -> None:
        osm = self._settings.osm
        if action == "confirm":
            command: Any = book.ConfirmVisit(version)
            use_case: Any = partial(book.confirm_tenant_visit, osm=osm)
        elif action == "choose":
            command = book.ChooseTime(_moment(_field(form, "window")), version)
            use_case = partial(book.choose_tenant_time, osm=osm)
        elif action == "access":
            command = change.SetAccess(_access(_field(form, "access")), version)
            use_case = change.set_tenant_access
        else:
            command, use_case = change.CancelVisit(version), change.cancel_tenant_visit
        write_in_transaction(self._write_sessions, use_case, principal, command)

    # --- answers ---------------------------------------------------------------------------------

    async def _answer(
        self,
        request: Request,
        lang: str,
        *,
        message: str | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        token = request.path_params["token"]
        try:
            async with self._admission.admitted():
                principal, visit, offers = await anyio.to_thread.run_sync(self._read, token)
        except UnauthenticatedError:
            return self._invalid(lang)
        except ServerBusyError as busy:
            return busy_answer(busy)
        except SitecrewError:
            return self._invalid(lang, status=404)
        del principal
        text = TEXTS[lang][error] if error else message
        values = self._values(token, lang, visit, offers)
        html = _TEMPLATES.get_template("tenant.html").render(
            **values, message=text, message_kind="error" if error else "done"
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def _values(
        self, token: str, lang: str, visit: TenantVisit, offers: list[TenantOffer] | None
    ) -> dict[str, Any]:
        t = TEXTS[lang]
        secret = self._secret or ""
        window = None
        if visit.has_window and visit.window_start and visit.window_end:
            window = local_window(visit.window_start, visit.window_end, visit.timezone, lang)
        return {
            "lang": lang,
            "t": t,
            "languages": list(LANGUAGE_NAMES.items()),
            "visit": visit,
            "base": f"/t/{token}",
            "state_text": t[f"state_{visit.state.value}"],
            "window": window,
            "calendar_url": f"/t/{token}/visit.ics" if visit.in_calendar else None,
            "offers": [
                (
                    o.window_start.isoformat(),
                    local_window(o.window_start, o.window_end, visit.timezone, lang),
                )
                for o in offers or []
            ],
            "offers_note": t["no_offers"] if offers is not None else t["offers_unavailable"],
            "access_choices": [(c.value, t[f"access_{c.value}"]) for c in AccessChoice],
            "nonces": {a: form_nonce(secret, token, a, visit.version) for a in ACTIONS},
        }

    def _invalid(self, lang: str, *, status: int = 403) -> Response:
        t = TEXTS[lang]
        html = _TEMPLATES.get_template("tenant.html").render(
            lang=lang,
            t=t,
            languages=list(LANGUAGE_NAMES.items()),
            visit=None,
            message=t["invalid_title"],
            message_kind="error",
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)


def _language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))


async def _form_fields(request: Request) -> dict[str, str]:
    """Return a posted form's fields (URL-encoded, at most :data:`MAX_FORM_BYTES`; else none).

    The page's forms are small and URL-encoded; anything else (a multipart upload, a huge body)
    yields no fields, which every action refuses as an invalid form.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    try:
        pairs = parse_qsl(body.decode(), max_num_fields=8, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return {}
    return dict(pairs)


def _field(form: dict[str, str], name: str) -> str | None:
    return form.get(name)


def _version(raw: str | None) -> int:
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 9:  # noqa: PLR2004
        raise InvalidInputError("the form has no valid version")
    return int(raw)


def _moment(raw: str | None) -> datetime:
    try:
        return datetime.fromisoformat(raw or "")
    except ValueError:
        raise InvalidInputError("the form has no valid window") from None


def _access(raw: str | None) -> AccessChoice:
    try:
        return AccessChoice(raw or "")
    except ValueError:
        raise InvalidInputError("the form has no valid answer") from None


def tenant_routes(pages: TenantPages) -> list[Route]:
    """Return the routes of the tenant's page, its forms and its calendar file."""
    return [
        Route("/t/{token}", pages.page, methods=["GET"]),
        Route("/t/{token}/visit.ics", pages.calendar, methods=["GET"]),
        Route("/t/{token}/{action}", pages.post, methods=["POST"]),
    ]
