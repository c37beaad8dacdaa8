"""The sandbox service: world state, the route table and the one dispatcher (BYD-1).

:class:`Sandbox` plays TikTok's side without any server: ``handle(method, path, headers, query,
body)`` answers like the real API, ``transport()`` plugs it into ``httpx.Client`` in-process,
and :func:`tokops.sandbox.server.app.create_app` serves the same route table over HTTP.

Order of checks for an ``/open_api/…`` call: route (else HTTP 404/405) → faults drawn
(latency, drop "before", HTTP 503) → ``Access-Token`` (40104/40105) → 40100 storm → QPS limit
(40100, ingestion routes) → app-level Marketing API limit (40100, QPS/QPM/QPD and per-endpoint
QPS, ``marketing_api.md`` §1.6) → per-advertiser / per-field-value QPS (40133 / 40132, when
configured) → the ``error_rate`` fault (``faults.error_code``, 50000 by default) → the route's
own validation and work (a handler may answer 20001 partial success) → drop "after".
``/sandbox/…`` read-outs need the token too but are never faulty or throttled.

The Marketing API world (:attr:`Sandbox.world`) is built on first use from ``settings.seed``,
``settings.scale`` and ``settings.world_anchor`` (default: the clock's UTC date when the
sandbox was created), so the event-only uses of the sandbox never pay for it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from tokops.sandbox.events.diagnostics import diagnostics_report, read_test_events
from tokops.sandbox.events.sink import EventSink
from tokops.sandbox.events.validation import Invalid
from tokops.sandbox.marketing.audiences import Audiences
from tokops.sandbox.marketing.context import Market
from tokops.sandbox.marketing.routes import MarketingApi
from tokops.sandbox.server.auth import Permissions
from tokops.sandbox.server.envelope import (
    CODE_OK,
    CODE_PARAMETER,
    CODE_SYSTEM_ERROR,
    CODE_TOO_MANY_REQUESTS,
    ApiFailure,
    ConnectionDropped,
    SandboxResponse,
    envelope,
    http_error,
    new_request_id,
)
from tokops.sandbox.server.event_routes import EventRoutes
from tokops.sandbox.server.faults import NO_FAULT, FaultDecision, FaultInjector
from tokops.sandbox.server.ratelimit import AppRateLimiter, ValueRateLimiter, field_values
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.server.route_answers import Answer, RawAnswer
from tokops.sandbox.server.routing import API, Route
from tokops.sandbox.server.throttle import QpsLimiter
from tokops.sandbox.server.transport import SandboxTransport
from tokops.sandbox.settings import SandboxSettings
from tokops.sandbox.shop.partner_api import ORDERS_PATH, SHOPS_PATH, ShopOpenApi
from tokops.sandbox.world import World, build_world, world_advertiser_ids

__all__ = ["MSG_SYSTEM_ERROR", "MSG_TOO_MANY_REQUESTS", "Sandbox", "utc_now"]

MSG_TOO_MANY_REQUESTS: Final = "Too many requests. Please retry in some time."
MSG_SYSTEM_ERROR: Final = "System error. Please retry later."
_FAULT_MESSAGES: Final = {
    40016: "The operation is too frequent. Please try again later.",
    40100: MSG_TOO_MANY_REQUESTS,
    40132: "Too many requests with the same field value. Please retry in some time.",
    40133: "Too many requests for this advertiser. Please retry in some time.",
    50002: "Processing error. Please retry later.",
    60001: "The service is under maintenance. Please retry later.",
}
"""[EMU] Messages of the ``faults.error_code`` answers (50000 and others: the system error)."""
DMP: Final = API + "dmp/custom_audience/"


def utc_now() -> datetime:
    """The default clock: timezone-aware UTC now."""
    return datetime.now(UTC)


class Sandbox:
    """A local, faithful TikTok: Events API (2.0 and legacy 1.0), custom audiences, the
    Marketing API over a simulated world, read-outs.

    *now* is the clock every window (dedup, QPS, storm, "Active" status, data latency,
    restatement, task states) is measured on; *sleep* is how added latency waits. Both are
    injectable so tests are deterministic.
    """

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        *,
        now: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or SandboxSettings()
        self._now = now
        self._sleep = sleep
        self.tokens: tuple[str, ...] = self.settings.access_tokens or (secrets.token_hex(20),)
        self.born = now()
        self._world: World | None = None
        sources = self.settings.sources
        advertisers = tuple(
            dict.fromkeys(sources.advertiser_ids + world_advertiser_ids(self.settings.scale))
        )
        with_world = self.settings.model_copy(
            update={"sources": sources.model_copy(update={"advertiser_ids": advertisers})}
        )
        self.permissions = Permissions(with_world, self.tokens)
        self.sink = EventSink(self.settings.test_events_kept)
        self.events = EventRoutes(self.permissions, self.sink, self.settings.offline_max_age_days)
        self.audiences = Audiences(
            self.permissions,
            min_size=self.settings.audience_min_size,
            match_rate=self.settings.audience_match_rate,
        )
        self.faults = FaultInjector(self.settings.faults, now().timestamp())
        self.throttle = QpsLimiter(self.settings.qps)
        mk = self.settings.marketing
        self.app_limiter = AppRateLimiter(
            mk.app_id,
            self.settings.marketing_qps,
            mk.qpm,
            mk.qpd,
            lockout_s=mk.qpm_lockout_s,
            endpoint_qps=mk.endpoint_qps,
        )
        self.value_limiter = ValueRateLimiter(mk.advertiser_qps, mk.field_qps)
        self.market = Market(self.settings, lambda: self.world)
        self.marketing = MarketingApi(self.market, self.tokens[0])
        self.shop_api = ShopOpenApi(
            lambda: self.world, lambda: self.marketing.stores.commerce, self.tokens
        )
        self._lock = threading.Lock()
        self.routes: tuple[Route, ...] = self._route_table()
        self._by_path = {route.path: route for route in self.routes}

    def __repr__(self) -> str:  # never show tokens
        return f"Sandbox(routes={len(self.routes)}, event_sources={self.event_sources()})"

    @property
    def token(self) -> str:
        """The first accepted token (the generated one when none was configured)."""
        return self.tokens[0]

    @property
    def app_id(self) -> str:
        """The sandbox's Marketing API app (the only one ``/oauth2/…`` accepts)."""
        return self.marketing.oauth.app_id

    @property
    def app_secret(self) -> str:
        """That app's secret (configured, or generated at start)."""
        return self.marketing.oauth.app_secret

    @property
    def world(self) -> World:
        """The simulated Marketing API world, with its ground truth (``world.truth``) and
        ``world.totals(advertiser_id, start, end)``; built on first use."""
        if self._world is None:
            anchor = self.settings.world_anchor or self.born.astimezone(UTC).date()
            self._world = build_world(
                self.settings.seed, self.settings.scale, anchor, self.settings.marketing
            )
        return self._world

    def event_sources(self) -> dict[str, tuple[str, ...]]:
        """The seeded assets, by kind (for the CLI banner and the demo)."""
        src = self.settings.sources
        return {
            "pixel_codes": src.pixel_codes,
            "offline_event_set_ids": src.offline_event_set_ids,
            "crm_event_set_ids": src.crm_event_set_ids,
            "app_ids": src.app_ids,
            "advertiser_ids": src.advertiser_ids,
        }

    # -- the public seam ------------------------------------------------------------------
    def transport(self) -> httpx.BaseTransport:
        """A synchronous httpx transport calling :meth:`handle` directly (no sockets)."""
        return SandboxTransport(self.handle)

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> SandboxResponse:
        """Answer one HTTP call. Raises :class:`ConnectionDropped` for the drop fault."""
        route = self._by_path.get(path)
        if route is None:
            return http_error(404, "404 page not found")
        if method.upper() != route.method:
            return http_error(405, "405 method not allowed")
        decision = NO_FAULT
        if route.faulty and self.faults.active:
            decision = self.faults.decide(self._now().timestamp())
            if decision.latency_s:
                self._sleep(decision.latency_s)
            drop_before = self.settings.faults.drop_phase == "before"
            if decision.drop and drop_before:
                raise ConnectionDropped(path)
            if decision.http5xx:
                return http_error(503, "503 Service Temporarily Unavailable")
        request = SandboxRequest(
            method=route.method,
            path=path,
            headers={k.lower(): v for k, v in (headers or {}).items()},
            query=dict(query or {}),
            body=body,
        )
        answer = self._dispatch(route, request, decision)
        if decision.drop:
            raise ConnectionDropped(path)
        return answer

    def _dispatch(
        self, route: Route, request: SandboxRequest, decision: FaultDecision
    ) -> SandboxResponse:
        now = self._now()
        request_id = new_request_id(now)
        try:
            if not route.public:
                self.permissions.authenticate(request.headers)
            if decision.storm:
                raise ApiFailure(CODE_TOO_MANY_REQUESTS, MSG_TOO_MANY_REQUESTS)
            if route.throttled and not self.throttle.allow(route.path, now.timestamp()):
                raise ApiFailure(CODE_TOO_MANY_REQUESTS, MSG_TOO_MANY_REQUESTS)
            if route.app_limited:
                self.app_limiter.check(route.path[len(API) - 1 :], now.timestamp())
                fields = self.value_limiter.fields
                if fields:
                    self.value_limiter.check(field_values(request, fields), now.timestamp())
            if decision.error:
                code = self.settings.faults.error_code or CODE_SYSTEM_ERROR
                raise ApiFailure(code, _FAULT_MESSAGES.get(code, MSG_SYSTEM_ERROR))
            with self._lock:
                data = route.handler(request, now)
        except Invalid as exc:
            message = exc.legacy_message() if route.legacy else exc.message()
            return envelope(CODE_PARAMETER, message, request_id)
        except ApiFailure as exc:
            return envelope(exc.code, exc.message, request_id)
        if isinstance(data, SandboxResponse):  # an API with its own envelope (TikTok Shop)
            return data
        if isinstance(data, RawAnswer):
            return SandboxResponse(200, {"content-type": data.content_type}, data.body)
        if isinstance(data, Answer):
            answer = envelope(data.code, data.message, request_id, data.data)
            answer.headers.update(data.headers)
            return answer
        return envelope(CODE_OK, "OK", request_id, data)

    # -- read-outs (also served under /sandbox/) ------------------------------------------
    def diagnostics(self, event_source_id: str) -> dict[str, Any]:
        """Events-Manager-like health of one event source (EVT-6)."""
        with self._lock:
            return diagnostics_report(self.sink, event_source_id, self._now().timestamp())

    def test_events(
        self, event_source_id: str, test_event_code: str | None = None
    ) -> dict[str, Any]:
        with self._lock:
            return read_test_events(self.sink, event_source_id, test_event_code)

    # -- route handlers ---------------------------------------------------------------------
    def _route_table(self) -> tuple[Route, ...]:
        aud = self.audiences
        routes = self.events.routes()
        routes += [
            Route("POST", DMP + "file/upload/", aud.upload_file, "Upload an audience file"),
            Route("POST", DMP + "create/", aud.create_audience, "Create a custom audience"),
            Route("POST", DMP + "update/", aud.update_audience, "Update a custom audience"),
            Route("POST", DMP + "delete/", aud.delete_audiences, "Delete custom audiences"),
            Route("GET", DMP + "list/", aud.list_audiences, "List custom audiences"),
            Route("GET", DMP + "get/", aud.get_audiences, "Get custom audience details"),
        ]
        routes += self.events.sandbox_routes()
        mk = self.marketing
        for spec in mk.routes:
            path = API + spec.path.lstrip("/")
            routes.append(Route(spec.method, path, spec.handler, spec.summary, app_limited=True))
        for spec in mk.public_routes:
            path = API + spec.path.lstrip("/")
            routes.append(
                Route(spec.method, path, spec.handler, spec.summary, app_limited=True, public=True)
            )
        for spec in mk.sandbox_routes:
            routes.append(Route(spec.method, spec.path, spec.handler, spec.summary, faulty=False))
        shop = self.shop_api  # TikTok Shop Partner API: its own signature and token checks
        routes += [
            Route("GET", SHOPS_PATH, shop.shops, "Shop: shops", public=True, faulty=False),
            Route("POST", ORDERS_PATH, shop.orders, "Shop: orders", public=True, faulty=False),
            Route(
                "GET",
                "/sandbox/shop/credentials/",
                shop.credentials,
                "The sandbox's Shop app key, secret and shop ciphers",
                faulty=False,
            ),
        ]
        return tuple(routes)
