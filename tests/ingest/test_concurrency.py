"""Many advertisers at once under one app-wide rate limit (``marketing_api.md`` §1.6)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from tokops.ingest import AdsSyncOptions, Meter, sync_ads
from tokops.ingest.metering import MeteredTransport, connect_client
from tokops.tiktok._http import ApiClient, RateLimiter, RetryPolicy
from tokops.tiktok.marketing import MarketingClient
from tokops.warehouse import connect as connect_store


class SharedFakeClock:
    """A monotonic clock shared by threads that only moves when one of them sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += max(seconds, 0.0)


def test_workers_share_one_limit_and_never_exceed_it(fake: Any) -> None:
    clock = SharedFakeClock()
    fake.clock = clock
    qps = 5.0
    grants: list[float] = []  # taken under the limiter's lock: a request's own timestamp can
    # lag its grant while another thread's sleep moves the shared clock
    limiter = RateLimiter(qps, burst=1, clock=clock, sleep=clock.sleep, on_grant=grants.append)
    threads: set[str] = set()

    def spy(request: httpx.Request) -> httpx.Response:
        threads.add(threading.current_thread().name)
        return fake(request)

    api = ApiClient(
        "t",
        api_base="http://tiktok.test",
        transport=httpx.MockTransport(spy),
        retry=RetryPolicy(max_retries=0),
        rate_limiter=limiter,
        sleep=clock.sleep,
    )
    result = sync_ads(
        connect_store("duckdb://"),
        MarketingClient(api),
        AdsSyncOptions(since=date(2024, 3, 1), concurrency=6),
        now=lambda: fake.now,
    )
    assert result.status == "ok"
    assert len([t for t in threads if t.startswith("tokops-ingest")]) > 1  # really concurrent
    times = sorted(grants)
    assert len(times) == len(fake.call_times) > 30  # one grant per request
    for i, start in enumerate(times):  # any one-second window holds at most qps (+ burst 1)
        inside = sum(1 for t in times[i:] if t < start + 1.0)
        assert inside <= qps + 1
    assert times[-1] - times[0] >= (len(times) - 1) / qps - 1e-6


def test_the_client_keeps_under_the_per_minute_quota_too() -> None:
    meter = Meter()
    client = connect_client(
        "t",
        api_base="http://x",
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        qps=10,
        meter=meter,
    )
    limiter = client.api.rate_limiter
    assert limiter is not None
    # a steady rate r with a burst of b allows r*60 + b calls in a minute: keep it under 600
    assert limiter.rate * 60 + limiter.capacity <= 600


def test_the_meter_counts_calls_per_stream_and_the_time_spent_on_the_api(
    fake: Any, make_client: Callable[..., Any]
) -> None:
    client = make_client(fake)
    result = sync_ads(
        connect_store("duckdb://"),
        client,
        AdsSyncOptions(since=date(2024, 4, 1), streams=("ad_daily",)),
        now=lambda: fake.now,
    )
    assert result.api_calls == sum(fake.calls.values())
    by_stream = {s.label: s.calls for s in result.streams}
    assert by_stream[f"ad_daily:{fake.TOKYO}"] == sum(
        1 for p in fake.report_params if p["advertiser_id"] == fake.TOKYO
    )
    assert 0 < result.api_busy_s <= result.seconds + 1e-6
    assert isinstance(client.api._http._transport, MeteredTransport)
