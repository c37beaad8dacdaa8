"""The dashboard's web application (FastAPI, Jinja with autoescape): routes and guards (KPI-6).

Pages: ``/`` (the templates), ``/r/NAME`` (a template live, ``?range=…`` or ``?from=…&to=…``
and ``&advertiser=ID``), ``/shares`` (the share links) and ``/s/TOKEN`` (a shared page, read
only). Mutations are ``POST`` forms, each checked for its CSRF token (403 without it). The store
is opened per request and closed after it, so ``tokops sync`` can write between two pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Final

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.responses import Response as StarletteResponse

from tokops.errors import ConfigError
from tokops.metrics.catalogue import CATALOGUE
from tokops.reports import RANGES, TEMPLATES
from tokops.warehouse import Store, connect
from tokops.web import records
from tokops.web.pages import PageParams, build_page
from tokops.web.passwords import verify_password
from tokops.web.resources import asset, page_template, vega_bundle
from tokops.web.security import HEADERS, SESSION_COOKIE, Sessions

__all__ = ["DashboardConfig", "create_app"]

_STATIC: Final = {
    "vega.js": "text/javascript; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "report.css": "text/css; charset=utf-8",
}


_DELETE: Final[dict[str, Callable[[Store, str], None]]] = {
    "notes": records.delete_note,
    "comments": records.delete_comment,
}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class DashboardConfig:
    """Where the store is and when "now" is (tests fix the clock)."""

    store_url: str
    clock: Callable[[], dt.datetime] = field(default=_utc_now)
    secure_cookies: bool = False
    """Mark the session cookie ``Secure`` (behind HTTPS)."""


class _Dashboard:
    def __init__(self, config: DashboardConfig, password_hash: str | None) -> None:
        self.config = config
        self.password_hash = password_hash
        self.sessions = Sessions()

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = connect(self.config.store_url)
        try:
            yield store
        finally:
            store.close()

    def needs_login(self, session: str) -> bool:
        return self.password_hash is not None and not self.sessions.logged_in(session)

    def guard_post(self, request: Request, csrf: str) -> None:
        """A mutation: logged in when a password is set, and the session's CSRF token."""
        session = _session(request)
        if not self.sessions.csrf_ok(session, csrf):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")
        if self.needs_login(session):
            raise HTTPException(403, "log in first")


def _session(request: Request) -> str:
    value = getattr(request.state, "session", "")
    return value if isinstance(value, str) else ""


def _checked(request: Request, query: str = Form(""), csrf: str = Form("")) -> str:
    """Every mutation's guard (its CSRF token, the login): the page's query to go back to."""
    dash: _Dashboard = request.app.state.dashboard
    dash.guard_post(request, csrf)
    return query


Checked = Annotated[str, Depends(_checked)]


@cache
def _static(name: str) -> bytes:
    return vega_bundle() if name == "vega.js" else asset(name)


def create_app(config: DashboardConfig, password_hash: str | None = None) -> FastAPI:
    """The dashboard over the store at ``config.store_url``; with *password_hash* (see
    :mod:`.passwords`) every page but the login and share links asks for the password."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    dash = _Dashboard(config, password_hash)
    app.state.dashboard = dash

    @app.middleware("http")
    async def _guard(
        request: Request, call_next: Callable[[Request], Awaitable[StarletteResponse]]
    ) -> StarletteResponse:
        session = request.cookies.get(SESSION_COOKIE, "")
        fresh = len(session) < 40
        if fresh:
            session = Sessions.new_id()
        request.state.session = session
        response = await call_next(request)
        for key, value in HEADERS.items():
            response.headers[key] = value
        if fresh:
            _set_cookie(response, session, config.secure_cookies)
        return response

    def render(request: Request, page_file: str, status: int = 200, **values: Any) -> HTMLResponse:
        session = _session(request)
        html = page_template(page_file).render(
            csrf=dash.sessions.csrf(session),
            login=dash.password_hash is not None,
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def login_first(request: Request) -> RedirectResponse | None:
        if dash.needs_login(_session(request)):
            return RedirectResponse("/login", status_code=303)
        return None

    @app.exception_handler(ConfigError)
    async def _bad_input(request: Request, exc: ConfigError) -> HTMLResponse:
        return render(request, "error.html.j2", 400, message=str(exc))

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in _STATIC:
            raise HTTPException(404)
        return Response(_static(name), media_type=_STATIC[name])

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        return render(request, "login.html.j2", failed=False)

    @app.post("/login", response_model=None)
    def login(request: Request, password: str = Form(""), csrf: str = Form("")) -> Response:
        session = _session(request)
        if not dash.sessions.csrf_ok(session, csrf):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")
        stored = dash.password_hash
        if stored is None or not verify_password(password, stored):
            return render(request, "login.html.j2", 401, failed=True)
        fresh = Sessions.new_id()  # a new session on login: no fixation
        dash.sessions.log_in(fresh)
        response = RedirectResponse("/", status_code=303)
        _set_cookie(response, fresh, config.secure_cookies)
        return response

    @app.post("/logout")
    def logout(request: Request, _: Checked) -> RedirectResponse:
        dash.sessions.log_out(_session(request))
        return RedirectResponse("/login" if dash.password_hash else "/", status_code=303)

    @app.get("/", response_class=HTMLResponse, response_model=None)
    def index(request: Request) -> Response:
        if (redirect := login_first(request)) is not None:
            return redirect
        return render(request, "index.html.j2", templates=TEMPLATES.values(), ranges=RANGES)

    def page(request: Request, name: str, params: PageParams, share: str | None) -> Response:
        if name not in TEMPLATES:
            raise HTTPException(404, f"no report template {name!r}")
        now = config.clock()
        rng = params.resolve(now.date())
        with dash.store() as store:
            notes = records.notes(store, rng.start, rng.end)
            mine = records.comments(store, name)
            _, view = build_page(
                store, name, rng, params, notes=notes, comments=[c.text for c in mine], now=now
            )
        return render(
            request,
            "page.html.j2",
            name=name,
            page=view,
            params=params,
            query=params.query(),
            ranges=RANGES,
            comments=mine,
            kpis=sorted(CATALOGUE),
            share=share,
        )

    @app.get("/r/{name}", response_class=HTMLResponse, response_model=None)
    def report_page(request: Request, name: str) -> Response:
        if (redirect := login_first(request)) is not None:
            return redirect
        params = PageParams.parse(_query(request))
        return page(request, name, params, None)

    @app.get("/s/{token}", response_class=HTMLResponse, response_model=None)
    def shared_page(request: Request, token: str) -> Response:
        with dash.store() as store:
            share = records.find_share(store, token)
        if share is None:
            raise HTTPException(404, "this link does not exist or was revoked")
        params = PageParams.parse(_parse_qs(share.query))
        return page(request, share.template, params, token)

    def back(name: str, query: str) -> RedirectResponse:
        return RedirectResponse(f"/r/{name}?{query}" if query else f"/r/{name}", status_code=303)

    @app.post("/r/{name}/notes")
    def add_note(
        name: str,
        query: Checked,
        day: str = Form(""),
        kpi: str = Form(""),
        text: str = Form(""),
    ) -> RedirectResponse:
        when = PageParams.parse({"from": [day], "to": [day]}).start
        if when is None:
            raise ConfigError("a note needs its day")
        with dash.store() as store:
            records.add_note(store, when, kpi, text, config.clock())
        return back(name, query)

    @app.post("/r/{name}/comments")
    def add_comment(
        name: str,
        query: Checked,
        text: str = Form(""),
    ) -> RedirectResponse:
        if name not in TEMPLATES:
            raise HTTPException(404)
        with dash.store() as store:
            records.add_comment(store, name, text, config.clock())
        return back(name, query)

    @app.post("/r/{name}/{kind}/{item_id}/delete")
    def delete_item(
        name: str,
        kind: str,
        item_id: str,
        query: Checked,
    ) -> RedirectResponse:
        """Delete a note (``notes``) or a comment (``comments``)."""
        delete = _DELETE.get(kind)
        if delete is None:
            raise HTTPException(404)
        with dash.store() as store:
            delete(store, item_id)
        return back(name, query)

    @app.post("/r/{name}/shares", response_class=HTMLResponse)
    def add_share(request: Request, name: str, query: Checked) -> HTMLResponse:
        if name not in TEMPLATES:
            raise HTTPException(404)
        params = PageParams.parse(_parse_qs(query))
        params.resolve(config.clock().date())  # a link to a wrong range is refused now
        with dash.store() as store:
            share, token = records.add_share(store, name, params.query(), config.clock())
        link = str(request.base_url).rstrip("/") + f"/s/{token}"
        return render(request, "shared.html.j2", share=share, link=link)

    @app.get("/shares", response_class=HTMLResponse, response_model=None)
    def list_shares(request: Request) -> Response:
        if (redirect := login_first(request)) is not None:
            return redirect
        with dash.store() as store:
            links = records.shares(store)
        return render(request, "shares.html.j2", shares=links)

    @app.post("/shares/{share_id}/revoke")
    def revoke(share_id: str, _: Checked) -> RedirectResponse:
        with dash.store() as store:
            records.revoke_share(store, share_id, config.clock())
        return RedirectResponse("/shares", status_code=303)

    return app


def _set_cookie(response: StarletteResponse, session: str, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, session, httponly=True, samesite="strict", secure=secure, path="/"
    )


def _query(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def _parse_qs(query: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(query)
