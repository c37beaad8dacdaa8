"""Shared fixtures for the Marketing API client tests: an ApiClient over a MockTransport, and a
fake clock. Fakes answering requests are small callable classes in each test module."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest

from tokops.tiktok._http import ApiClient, RateLimiter, RetryPolicy

TOKEN = "marketing-secret-token"


class MaxRng(random.Random):
    """Makes backoff deterministic: every jittered delay is its upper bound."""

    def uniform(self, a: float, b: float) -> float:
        return b


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_api() -> Callable[..., ApiClient]:
    """``make_api(handler, limiter=None, max_retries=3, sleep=None)`` → an ApiClient.

    Retry sleeps are recorded on ``api.retry_sleeps`` and do not advance any clock unless a
    *sleep* is given.
    """

    def factory(
        handler: Callable[[httpx.Request], httpx.Response],
        *,
        limiter: RateLimiter | None = None,
        max_retries: int = 3,
        sleep: Callable[[float], None] | None = None,
    ) -> ApiClient:
        sleeps: list[float] = []

        def record(seconds: float) -> None:
            sleeps.append(seconds)
            if sleep is not None:
                sleep(seconds)

        api = ApiClient(
            TOKEN,
            api_base="http://tiktok.test",
            transport=httpx.MockTransport(handler),
            retry=RetryPolicy(max_retries=max_retries, base_s=1.0, rng=MaxRng()),
            rate_limiter=limiter,
            sleep=record,
        )
        api.retry_sleeps = sleeps  # type: ignore[attr-defined]
        return api

    return factory
