"""Fixtures for the sandbox: an injected clock, an in-process sandbox and a small API helper."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

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
