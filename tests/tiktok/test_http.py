"""The HTTP core: envelope, error mapping, retries, rate limit, parameter encoding, secrecy."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import orjson
import pytest

from tokops.errors import (
    AuthError,
    HTTPStatusError,
    ParameterError,
    RateLimitError,
    ServerError,
    TransientHTTPStatusError,
    TransportError,
)
from tokops.tiktok._http import ApiClient, RateLimiter, RetryPolicy, _encode_params

TOKEN = "s3cr3t-token-value"


def envelope(code: int = 0, message: str = "OK", data: object = None) -> bytes:
    return orjson.dumps(
        {"code": code, "message": message, "request_id": "20250101000000ABCDEF", "data": data or {}}
    )


class Script:
    """A transport handler answering from a script of (status, body) or exceptions, in order."""

    def __init__(self, *answers: tuple[int, bytes] | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return httpx.Response(status, content=body)


def make(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> ApiClient:
    sleeps: list[float] = []
    kw.setdefault("retry", RetryPolicy(max_retries=3, base_s=0.01))
    api = ApiClient(
        TOKEN,
        api_base="http://sandbox.test/",
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        **kw,  # type: ignore[arg-type]
    )
    api.sleeps = sleeps  # type: ignore[attr-defined]
    return api


def test_success_returns_data_and_sends_token_header_only() -> None:
    script = Script((200, envelope(data={"x": 1})))
    api = make(script)
    assert api.post("event/track", json={"a": 1}) == {"x": 1}
    req = script.requests[0]
    assert req.url.path == "/open_api/v1.3/event/track/"  # trailing slash added
    assert req.headers["Access-Token"] == TOKEN
    assert "authorization" not in req.headers
    assert TOKEN not in str(req.url)
    assert TOKEN not in repr(api)


@pytest.mark.parametrize(
    ("code", "cls"),
    [(40002, ParameterError), (40105, AuthError), (40104, AuthError), (40001, Exception)],
)
def test_non_retryable_codes_raise_once(code: int, cls: type[Exception]) -> None:
    script = Script((200, envelope(code, "nope")))
    api = make(script)
    with pytest.raises(cls) as info:
        api.post("event/track/", json={})
    assert len(script.requests) == 1
    assert getattr(info.value, "code", None) == code
    assert "nope" in str(info.value) and TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "failure",
    [
        (200, envelope(40100, "Too many requests.")),
        (200, envelope(50000, "system error")),
        (503, b"upstream"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ConnectError("refused"),
    ],
)
def test_transient_failures_are_retried_then_succeed(failure: object) -> None:
    script = Script(failure, failure, (200, envelope(data={"ok": True})))  # type: ignore[arg-type]
    api = make(script)
    resp = api.call("POST", "event/track/", json={})
    assert resp.data == {"ok": True}
    assert resp.attempts == 3
    assert len(api.sleeps) == 2  # type: ignore[attr-defined]


def test_retries_exhausted_raise_the_last_transient_error() -> None:
    script = Script((200, envelope(40100, "Too many requests.")))
    api = make(script, retry=RetryPolicy(max_retries=2, base_s=0.01))
    with pytest.raises(RateLimitError):
        api.post("event/track/", json={})
    assert len(script.requests) == 3


def test_error_types_for_transport_and_status() -> None:
    with pytest.raises(TransportError):
        make(Script(httpx.ConnectError("x")), retry=RetryPolicy(max_retries=0)).get("a/")
    with pytest.raises(TransientHTTPStatusError):
        make(Script((502, b"bad gateway")), retry=RetryPolicy(max_retries=0)).get("a/")
    with pytest.raises(HTTPStatusError) as info:
        make(Script((404, b"no route"))).get("missing/")
    assert info.value.status == 404
    with pytest.raises(ServerError):
        make(Script((200, envelope(60001, "maintenance"))), retry=RetryPolicy(max_retries=0)).get(
            "a/"
        )


def test_backoff_grows_exponentially_and_is_capped() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=8.0)
    for attempt in range(8):
        ceiling = min(8.0, 2.0**attempt)
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.7  # full jitter explores the whole range


def test_get_params_json_encode_lists_and_objects() -> None:
    enc = _encode_params(
        {"advertiser_id": "123", "page": 2, "fields": ["a", "b"], "f": {"x": 1}, "none": None}
    )
    assert enc == {"advertiser_id": "123", "page": "2", "fields": '["a","b"]', "f": '{"x":1}'}
    script = Script((200, envelope(data={"list": []})))
    make(script).get("campaign/get/", {"fields": ["campaign_id"]})
    assert json.loads(script.requests[0].url.params["fields"]) == ["campaign_id"]


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_rate_limiter_caps_the_request_rate() -> None:
    t = FakeTime()
    limiter = RateLimiter(10, burst=1, clock=t.clock, sleep=t.sleep)
    for _ in range(51):
        limiter.acquire()
    assert t.now == pytest.approx(5.0, abs=1e-6)  # 50 waits of 0.1 s after the first token


def test_rate_limiter_pause_makes_every_caller_wait() -> None:
    t = FakeTime()
    limiter = RateLimiter(100, clock=t.clock, sleep=t.sleep)
    limiter.acquire()
    limiter.pause(3.0)
    limiter.acquire()
    assert t.now >= 3.0


def test_rate_limit_error_pauses_the_shared_limiter() -> None:
    t = FakeTime()
    limiter = RateLimiter(1000, clock=t.clock, sleep=t.sleep)
    script = Script((200, envelope(40100, "Too many requests.")), (200, envelope()))
    api = ApiClient(
        TOKEN,
        api_base="http://x",
        transport=httpx.MockTransport(script),
        retry=RetryPolicy(max_retries=2, base_s=2.0),
        rate_limiter=limiter,
        sleep=t.sleep,
    )
    api.post("event/track/", json={})
    assert limiter._paused_until > 0
