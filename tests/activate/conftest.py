"""Fakes for the events sync: a spec-following Events API behind ``httpx.MockTransport``.

The fake follows ``../shared/specs/events_api.md``: the ``{code, message, request_id, data}``
envelope with HTTP 200 for business errors, whole-request rejection (40002) when one event is
bad, 40100 throttling, HTTP 5xx, dropped connections, and 40105 for a wrong token.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest

from tokops.tiktok._http import ApiClient, RetryPolicy
from tokops.tiktok.events import EventsClient

TOKEN = "test-token"
NOW = datetime(2024, 1, 8, 14, 0, 0, tzinfo=UTC)
NOW_S = int(NOW.timestamp())


def envelope(code: int, message: str = "OK", status: int = 200) -> httpx.Response:
    body = {"code": code, "message": message, "request_id": "20240108140000ABCDEF0123456789ABCDEF"}
    if code == 0:
        body["data"] = {}
    return httpx.Response(status, content=orjson.dumps(body))


@dataclass
class FakeEventsAPI:
    """A callable MockTransport handler that records what it accepted.

    ``bad_ids``: events whose event_id makes TikTok reject the whole request (40002).
    ``fail_rate``: share of requests answered by a fault (HTTP 503, 40100 or a dropped
    connection) *before* anything is recorded.
    """

    bad_ids: set[str] = field(default_factory=set)
    fail_rate: float = 0.0
    lose_answer_rate: float = 0.0
    """Share of accepted requests whose answer is lost (processed, then the connection drops)."""
    lost_answers: int = 0
    seed: int = 7
    token: str = TOKEN
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    delivered: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    on_request: Callable[[dict[str, Any]], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests += 1
            roll = self._rng.random()
            kind = self._rng.choice(["http503", "throttle", "drop"])
        if request.url.path != "/open_api/v1.3/event/track/" or request.method != "POST":
            return httpx.Response(404, text="not found")
        token = request.headers.get("Access-Token")
        if not token:
            return envelope(40104, "Access token is null, you should set it in http header.")
        if token != self.token:
            return envelope(40105, "Access token is incorrect or has been revoked.")
        if roll < self.fail_rate:
            with self._lock:
                self.faults[kind] += 1
            if kind == "http503":
                return httpx.Response(503, text="Service Unavailable")
            if kind == "throttle":
                return envelope(40100, "Too many requests. Please retry in some time.")
            raise httpx.ConnectError("connection reset by peer", request=request)
        body = orjson.loads(request.content)
        data = body.get("data")
        if not isinstance(data, list) or not 1 <= len(data) <= 1000:
            return envelope(40002, "Invalid value for data: length must be between 1 and 1000.")
        for event in data:
            if not isinstance(event.get("event_id"), str):
                return envelope(40002, "Invalid value for event_id: not a valid string.")
            if event["event_id"] in self.bad_ids:
                return envelope(40002, "Invalid value for properties.value: not a valid number.")
        with self._lock:
            self.bodies.append(body)
            for event in data:
                key = (body["event_source_id"], event["event"], event["event_id"])
                self.delivered[key] += 1
            lose = self._rng.random() < self.lose_answer_rate
            if lose:
                self.lost_answers += 1
        if self.on_request is not None:
            self.on_request(body)
        if lose:
            raise httpx.ReadError("connection closed before the answer", request=request)
        return envelope(0)

    def event_ids(self) -> set[str]:
        return {k[2] for k in self.delivered}

    def sent_twice(self) -> int:
        return sum(n - 1 for n in self.delivered.values() if n > 1)


def make_client(
    handler: Any, *, token: str = TOKEN, max_retries: int = 6, partner_name: str | None = "tokops"
) -> EventsClient:
    api = ApiClient(
        token,
        api_base="http://tiktok.test",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_retries=max_retries, base_s=0.0, cap_s=0.0),
        sleep=lambda _s: None,
    )
    return EventsClient(api, partner_name=partner_name)


@pytest.fixture
def fake_api() -> FakeEventsAPI:
    return FakeEventsAPI()


@pytest.fixture
def client_for() -> Iterator[Callable[..., EventsClient]]:
    made: list[EventsClient] = []

    def factory(handler: Any, **kw: Any) -> EventsClient:
        client = make_client(handler, **kw)
        made.append(client)
        return client

    yield factory
    for client in made:
        client.api.close()


def make_table(store: Any, data: dict[str, list[Any]], name: str | None = None) -> str:
    """Create a source table in *store* from columns; returns its name."""
    import pyarrow as pa

    name = name or store.temp_name("src")
    store.con.create_table(name, pa.table(data))
    return name


def prepared_rows(
    store: Any,
    data: dict[str, list[Any]],
    *,
    event_source: str = "web",
    mapping: Any = None,
    max_age_days: int = 7,
    region: str = "US",
    test_event_code: str | None = None,
    event_source_id: str = "PIXEL",
) -> list[dict[str, Any]]:
    """Run the engine preparation on *data* and return its rows in source order."""
    import pyarrow as pa

    from tokops.activate.mapping import resolve_mapping
    from tokops.activate.prepare import PrepareOptions, prepare

    n = len(next(iter(data.values())))
    table = pa.table({**data, "__order": list(range(n))})
    name = store.temp_name("src")
    store.con.create_table(name, table)
    source = store.table(name)
    cols = [c for c in source.columns if c != "__order"]
    resolved = resolve_mapping(cols, mapping, event_source)
    opts = PrepareOptions(
        event_source=event_source,  # type: ignore[arg-type]
        event_source_id=event_source_id,
        now=NOW_S,
        max_age_days=max_age_days,
        phone_region=region,
        test_event_code=test_event_code,
        keep=("__order",),
    )
    expr = prepare(store, source, resolved, opts)
    rows: list[dict[str, Any]] = store.fetch(expr).to_pylist()
    rows.sort(key=lambda r: r["_keep___order"])
    for row in rows:
        del row["_keep___order"]
    return rows
