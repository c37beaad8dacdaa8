"""Fixtures for the sandbox: an injected clock, an in-process sandbox and a small API helper."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

import tokops.sandbox.server.socket_server
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.sandbox.settings import (
    DEFAULT_ADVERTISER_ID,
    DEFAULT_CRM_EVENT_SET_ID,
    DEFAULT_OFFLINE_EVENT_SET_ID,
    DEFAULT_PIXEL_CODE,
)

TOKEN = "sandbox-test-token"
PIXEL = DEFAULT_PIXEL_CODE
OFFLINE = DEFAULT_OFFLINE_EVENT_SET_ID
CRM = DEFAULT_CRM_EVENT_SET_ID
ADVERTISER = DEFAULT_ADVERTISER_ID
TRACK = "/open_api/v1.3/event/track/"
START = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class MockClock:
    """A clock tests move by hand (UTC-aware)."""

    def __init__(self, start: datetime = START) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)

    @property
    def unix(self) -> int:
        return int(self.t.timestamp())


class Api:
    """Thin helper over an httpx client bound to a sandbox (in-process or over a socket)."""

    def __init__(self, client: httpx.Client, clock: MockClock | None = None) -> None:
        self.client = client
        self.clock = clock or MockClock()

    def event(self, name: str = "Purchase", **fields: Any) -> dict[str, Any]:
        """A valid web event; keyword arguments replace top-level fields."""
        ev: dict[str, Any] = {
            "event": name,
            "event_time": self.clock.unix - 60,
            "event_id": "order_1",
            "user": {
                "email": [sha("alice@example.com")],
                "ip": "203.0.113.8",
                "user_agent": "Mozilla/5.0",
            },
            "properties": {"currency": "USD", "value": 20.0},
            "page": {"url": "https://shop.example/thanks"},
        }
        ev.update(fields)
        return ev

    def post(self, path: str, body: Any, **kw: Any) -> dict[str, Any]:
        response = self.client.post(path, content=orjson.dumps(body), **kw)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def track(
        self,
        events: list[dict[str, Any]],
        source: str = "web",
        source_id: str = PIXEL,
        **top: Any,
    ) -> dict[str, Any]:
        body = {"event_source": source, "event_source_id": source_id, "data": events, **top}
        return self.post(TRACK, body)

    def browser(
        self, events: list[dict[str, Any]], pixel: str = PIXEL, **top: Any
    ) -> dict[str, Any]:
        return self.post("/sandbox/pixel/events/", {"pixel_code": pixel, "events": events, **top})

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def diagnostics(self, source_id: str = PIXEL) -> dict[str, Any]:
        answer = self.get("/sandbox/diagnostics/", event_source_id=source_id)
        assert answer["code"] == 0, answer
        return {e["event"]: e for e in answer["data"]["events"]}


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def clock() -> MockClock:
    return MockClock()


@pytest.fixture
def settings() -> SandboxSettings:
    return SandboxSettings(access_tokens=(TOKEN,))


@pytest.fixture
def sandbox(settings: SandboxSettings, clock: MockClock) -> Sandbox:
    return Sandbox(settings, now=clock, sleep=lambda _s: None)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=sandbox.transport(),
        base_url="http://sandbox.test",
        headers={"Access-Token": TOKEN},
    ) as c:
        yield c


@pytest.fixture
def api(client: httpx.Client, clock: MockClock) -> Api:
    return Api(client, clock)


# -- Marketing API world ---------------------------------------------------------------------
ANCHOR = date(2026, 3, 1)
"""Last day of the seeded history; the clock (START) is the next day, 12:00 UTC."""
API = "/open_api/v1.3/"


def marketing_settings(**overrides: Any) -> SandboxSettings:
    """Settings for marketing tests: a fixed anchor and rate limits out of the way."""
    base: dict[str, Any] = {
        "access_tokens": (TOKEN,),
        "world_anchor": ANCHOR,
        "marketing_qps": 100_000,
        "marketing": {"qpm": 10**9, "qpd": 10**9, "endpoint_qps": {}},
    }
    base.update(overrides)
    return SandboxSettings.model_validate(base)


def _encode(value: Any) -> Any:
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class Marketing:
    """Calls the Marketing API of an in-process sandbox the way TikTok's clients do."""

    def __init__(self, sandbox: Sandbox, clock: MockClock) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.client = httpx.Client(
            transport=sandbox.transport(),
            base_url="http://sandbox.test",
            headers={"Access-Token": TOKEN},
        )

    @property
    def world(self) -> Any:
        return self.sandbox.world

    @property
    def adv(self) -> str:
        return ADVERTISER

    def raw_get(self, path: str, **params: Any) -> httpx.Response:
        query = {k: _encode(v) for k, v in params.items() if v is not None}
        return self.client.get(API + path, params=query)

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.raw_get(path, **params)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def post(self, path: str, body: Any) -> dict[str, Any]:
        response = self.client.post(API + path, content=orjson.dumps(body))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def report(self, **params: Any) -> dict[str, Any]:
        params.setdefault("advertiser_id", ADVERTISER)
        params.setdefault("report_type", "BASIC")
        return self.get("report/integrated/get/", **params)

    def ok(self, answer: dict[str, Any]) -> Any:
        assert answer["code"] == 0, answer
        return answer["data"]

    def all_rows(self, page_size: int = 1000, **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.ok(self.report(page=page, page_size=page_size, **params))
            rows.extend(data["list"])
            if page >= data["page_info"]["total_page"]:
                return rows
            page += 1


@pytest.fixture
def mk_settings() -> SandboxSettings:
    return marketing_settings()


@pytest.fixture
def mk_sandbox(mk_settings: SandboxSettings, clock: MockClock) -> Sandbox:
    return Sandbox(mk_settings, now=clock, sleep=lambda _s: None)


@pytest.fixture
def mk(mk_sandbox: Sandbox, clock: MockClock) -> Iterator[Marketing]:
    api = Marketing(mk_sandbox, clock)
    yield api
    api.client.close()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Sandbox, str, int]]:
    """What ``tokops sandbox serve`` would run, recorded instead of served (the socket is
    already bound, as in real use)."""
    calls: list[tuple[Sandbox, str, int]] = []

    def fake(sb: Sandbox, host: str, port: int, sock: socket.socket | None = None) -> None:
        assert sock is not None and sock.getsockname()[1] == port
        calls.append((sb, host, port))

    monkeypatch.setattr(tokops.sandbox.server.socket_server, "serve", fake)
    return calls
