"""API calls and time spent waiting on the API, measured where they happen.

:class:`MeteredTransport` wraps the HTTP transport: every HTTP exchange (retries included) is one
call, timed from request to the last byte of the answer, and counted under the stream the
calling thread works on (:meth:`Meter.tag`). :class:`MeteredLimiter` is the app's shared
:class:`~tokops.tiktok._http.RateLimiter` with its waits timed. :meth:`Meter.busy_seconds` is the
wall time during which at least one thread was in an API call or held back by the rate limit:
the part of a sync that belongs to the API, not to tokops or the store.

:func:`connect_client` builds a :class:`~tokops.tiktok.marketing.MarketingClient` with both.
Its limit keeps under both the per-second and per-minute app quotas (a QPM breach locks the app
out for five minutes, ``marketing_api.md`` §1.6): at the basic tier's 10 QPS / 600 QPM a burst
of 10 on top of a steady 10/s would break 600 in a minute, so the bucket runs a little under
the quota with a burst of one.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import httpx
from pydantic import SecretStr

from tokops.config import DEFAULT_API_BASE
from tokops.tiktok import ApiClient, RateLimiter, RetryPolicy, in_process
from tokops.tiktok.marketing import BASIC_TIER_QPS, MarketingClient

__all__ = [
    "QUOTA_SHARE",
    "Meter",
    "MeterReport",
    "MeteredLimiter",
    "MeteredTransport",
    "connect_client",
    "meter_of",
    "metered",
    "union_seconds",
]

QUOTA_SHARE: Final = 0.97
"""Share of the app quota the client uses (head room for clock drift between us and TikTok)."""


@dataclass(frozen=True)
class MeterReport:
    calls: int
    calls_by_stream: dict[str, int] = field(default_factory=dict)
    in_flight_s: float = 0.0
    """Sum over calls of their duration (calls overlap: this can exceed the wall time)."""
    limiter_wait_s: float = 0.0
    busy_s: float = 0.0
    """Wall time with at least one call in flight or one thread waiting on the rate limit."""


class Meter:
    """Thread-safe counters of API calls and the time spans spent on them."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._local = threading.local()
        self._calls: Counter[str] = Counter()
        self._spans: list[tuple[float, float]] = []
        self._in_flight = 0.0
        self._waited = 0.0

    def tag(self, stream: str | None) -> None:
        """Count this thread's next calls under *stream*."""
        self._local.stream = stream

    def record_call(self, start: float, end: float) -> None:
        stream = getattr(self._local, "stream", None) or "other"
        with self._lock:
            self._calls[stream] += 1
            self._spans.append((start, end))
            self._in_flight += end - start

    def record_wait(self, start: float, end: float) -> None:
        if end <= start:
            return
        with self._lock:
            self._spans.append((start, end))
            self._waited += end - start

    def busy_seconds(self, since: float | None = None) -> float:
        """Length of the union of call and wait spans (after *since*)."""
        with self._lock:
            spans = list(self._spans)
        return union_seconds(spans, since)

    def report(self, since: float | None = None) -> MeterReport:
        with self._lock:
            calls = dict(self._calls)
            in_flight, waited = self._in_flight, self._waited
        return MeterReport(sum(calls.values()), calls, in_flight, waited, self.busy_seconds(since))


def union_seconds(spans: list[tuple[float, float]], since: float | None = None) -> float:
    """Length of the union of time spans (the parts after *since*)."""
    total, cur_start, cur_end = 0.0, None, 0.0
    for start, end in sorted(spans):
        if since is not None:
            start = max(start, since)
            if end <= start:
                continue
        if cur_start is None or start > cur_end:
            if cur_start is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_start is not None:
        total += cur_end - cur_start
    return total


class MeteredTransport(httpx.BaseTransport):
    """Wraps a transport; each exchange is one call, timed until its body is read."""

    def __init__(self, inner: httpx.BaseTransport | None, meter: Meter) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.meter = meter
        self.in_process = in_process(self.inner)
        """As the wrapped transport (the HTTP core's plain-``http://`` rule follows it)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        start = self.meter.clock()
        try:
            response = self.inner.handle_request(request)
            response.read()
            return response
        finally:
            self.meter.record_call(start, self.meter.clock())

    def close(self) -> None:
        self.inner.close()


class MeteredLimiter(RateLimiter):
    """The app's shared rate limiter, with the time callers wait on it recorded."""

    def __init__(self, rate: float, meter: Meter, *, burst: float = 1.0) -> None:
        super().__init__(rate, burst)
        self.meter = meter

    def acquire(self) -> None:
        start = self.meter.clock()
        super().acquire()
        self.meter.record_wait(start, self.meter.clock())


def connect_client(
    access_token: SecretStr | str,
    *,
    api_base: str = DEFAULT_API_BASE,
    transport: httpx.BaseTransport | None = None,
    qps: float = BASIC_TIER_QPS,
    qpm: float | None = None,
    meter: Meter | None = None,
    max_retries: int = 6,
    timeout_s: float = 30.0,
    insecure: bool = False,
) -> MarketingClient:
    """A Marketing API client for a sync: metered, under one limit shared by every thread.

    *qpm* defaults to ``60 × qps`` (TikTok's tiers, §1.6).
    """
    meter = meter or Meter()
    per_minute = qpm if qpm is not None else qps * 60
    rate = min(qps, per_minute / 60.0) * QUOTA_SHARE
    api = ApiClient(
        access_token,
        api_base=api_base,
        transport=MeteredTransport(transport, meter),
        timeout_s=timeout_s,
        retry=RetryPolicy(max_retries=max_retries),
        rate_limiter=MeteredLimiter(rate, meter),
        insecure=insecure,
    )
    return MarketingClient(api)


def meter_of(client: MarketingClient) -> Meter | None:
    """The meter of a client made by :func:`connect_client` (None for another client)."""
    meter = getattr(client.api.rate_limiter, "meter", None)
    return meter if isinstance(meter, Meter) else None


def metered(
    client: MarketingClient, inner: httpx.BaseTransport | None = None
) -> httpx.BaseTransport | None:
    """A transport for another API's client of the same sync (the TikTok Shop client) whose
    calls count in *client*'s meter, so the sync's summary shows them; *inner* unchanged when
    *client* has no meter."""
    meter = meter_of(client)
    return inner if meter is None else MeteredTransport(inner, meter)
