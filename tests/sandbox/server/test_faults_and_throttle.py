"""QPS throttling (40100) on an injected clock, and every fault knob, deterministic with a seed."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tokops.sandbox import FaultSettings, Sandbox, SandboxSettings
from tokops.sandbox.server.envelope import ConnectionDropped
from tokops.sandbox.server.throttle import QpsLimiter
from tokops.sandbox.settings import DEFAULT_ADVERTISER_ID, DEFAULT_PIXEL_CODE

TRACK = "/open_api/v1.3/event/track/"
TOKEN = {"Access-Token": "t"}


def track_body(clock: Any, event_id: str = "o1") -> bytes:
    return orjson.dumps(
        {
            "event_source": "web",
            "event_source_id": DEFAULT_PIXEL_CODE,
            "data": [
                {
                    "event": "Purchase",
                    "event_id": event_id,
                    "event_time": clock.unix,
                    "page": {"url": "https://shop.example/"},
                }
            ],
        }
    )


def make(clock: Any, sleeps: list[float] | None = None, **settings: Any) -> Sandbox:
    faults = settings.pop("faults", {})
    return Sandbox(
        SandboxSettings(access_tokens=("t",), faults=FaultSettings(**faults), **settings),
        now=clock,
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
    )


def outcome(sandbox: Sandbox, clock: Any, i: int = 0) -> str:
    """One track call summarised: 'drop', 'http503' or the envelope code."""
    try:
        answer = sandbox.handle("POST", TRACK, TOKEN, {}, track_body(clock, f"o{i}"))
    except ConnectionDropped:
        return "drop"
    if answer.status != 200:
        return f"http{answer.status}"
    return str(answer.json()["code"])


# -- throttling -----------------------------------------------------------------------------------


def test_qps_limit_answers_40100_and_recovers_next_second(clock: Any) -> None:
    sandbox = make(clock, qps=3)
    codes = [outcome(sandbox, clock, i) for i in range(5)]
    assert codes == ["0", "0", "0", "40100", "40100"]
    answer = sandbox.handle("POST", TRACK, TOKEN, {}, track_body(clock)).json()
    assert answer["message"] == "Too many requests. Please retry in some time."
    clock.advance(seconds=1)
    assert outcome(sandbox, clock) == "0"


def test_throttled_requests_ingest_nothing(clock: Any) -> None:
    sandbox = make(clock, qps=1)
    outcome(sandbox, clock, 1)
    outcome(sandbox, clock, 2)
    assert sandbox.diagnostics(DEFAULT_PIXEL_CODE)["total_received"] == 1


def test_qps_is_per_endpoint_and_only_for_ingestion(clock: Any) -> None:
    sandbox = make(clock, qps=1)
    assert outcome(sandbox, clock) == "0"
    legacy = orjson.dumps({"pixel_code": DEFAULT_PIXEL_CODE, "event": "Purchase"})
    path = "/open_api/v1.3/pixel/track/"
    assert sandbox.handle("POST", path, TOKEN, {}, legacy).json()["code"] == 0
    assert sandbox.handle("POST", path, TOKEN, {}, legacy).json()["code"] == 40100
    listing = "/open_api/v1.3/dmp/custom_audience/list/"
    for _ in range(3):
        answer = sandbox.handle("GET", listing, TOKEN, {"advertiser_id": DEFAULT_ADVERTISER_ID})
        assert answer.json()["code"] == 0


def test_default_qps_is_1000(clock: Any) -> None:
    sandbox = make(clock)
    assert sandbox.throttle.qps == 1000
    limiter = QpsLimiter(1000)
    assert all(limiter.allow("k", 5.0) for _ in range(1000))
    assert not limiter.allow("k", 5.999)
    assert limiter.allow("k", 6.0)


def test_auth_comes_before_the_limit(clock: Any) -> None:
    sandbox = make(clock, qps=1)
    outcome(sandbox, clock)
    answer = sandbox.handle("POST", TRACK, {}, {}, track_body(clock))
    assert answer.json()["code"] == 40104


# -- fault knobs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("knob", "expected"),
    [("error_rate", "50000"), ("http5xx_rate", "http503"), ("drop_rate", "drop")],
)
def test_each_rate_knob_is_deterministic_with_a_seed(clock: Any, knob: str, expected: str) -> None:
    runs = []
    for _ in range(2):
        sandbox = make(clock, faults={knob: 0.3, "seed": 42})
        runs.append([outcome(sandbox, clock, i) for i in range(200)])
    assert runs[0] == runs[1]
    hits = runs[0].count(expected)
    assert 30 <= hits <= 90, hits
    assert set(runs[0]) == {"0", expected}
    other_seed = make(clock, faults={knob: 0.3, "seed": 43})
    assert [outcome(other_seed, clock, i) for i in range(200)] != runs[0]


def test_rate_of_one_always_faults_and_zero_never(clock: Any) -> None:
    always = make(clock, faults={"error_rate": 1.0, "seed": 1})
    assert {outcome(always, clock, i) for i in range(20)} == {"50000"}
    never = make(clock, faults={"seed": 1})
    assert {outcome(never, clock, i) for i in range(20)} == {"0"}


def test_system_error_message_and_no_ingestion(clock: Any) -> None:
    sandbox = make(clock, faults={"error_rate": 1.0})
    answer = sandbox.handle("POST", TRACK, TOKEN, {}, track_body(clock))
    assert answer.status == 200
    assert answer.json()["code"] == 50000
    assert sandbox.diagnostics(DEFAULT_PIXEL_CODE)["total_received"] == 0


def test_http5xx_is_a_gateway_answer_without_envelope(clock: Any) -> None:
    sandbox = make(clock, faults={"http5xx_rate": 1.0})
    answer = sandbox.handle("POST", TRACK, TOKEN, {}, track_body(clock))
    assert answer.status == 503
    assert not answer.body.startswith(b"{")
    assert sandbox.diagnostics(DEFAULT_PIXEL_CODE)["total_received"] == 0


def test_latency_is_added_to_api_calls_only(clock: Any) -> None:
    sleeps: list[float] = []
    sandbox = make(clock, sleeps, faults={"latency_ms": 250})
    outcome(sandbox, clock)
    assert sleeps == [0.25]
    sandbox.handle("GET", "/sandbox/diagnostics/", TOKEN, {"event_source_id": DEFAULT_PIXEL_CODE})
    assert sleeps == [0.25], "sandbox read-outs are never faulty"


def test_storm_answers_40100_during_the_first_seconds(clock: Any) -> None:
    sandbox = make(clock, faults={"storm_seconds": 10})
    assert outcome(sandbox, clock) == "40100"
    clock.advance(seconds=9.9)
    assert outcome(sandbox, clock) == "40100"
    clock.advance(seconds=0.1)
    assert outcome(sandbox, clock) == "0"


def test_storm_rate(clock: Any) -> None:
    sandbox = make(clock, faults={"storm_rate": 0.5, "seed": 3})
    codes = [outcome(sandbox, clock, i) for i in range(100)]
    assert set(codes) == {"0", "40100"}
    assert 30 <= codes.count("40100") <= 70


def test_drop_after_processing_keeps_the_event_so_a_retry_is_deduplicated(clock: Any) -> None:
    sandbox = make(clock, faults={"drop_rate": 1.0})
    with httpx.Client(transport=sandbox.transport(), base_url="http://s", headers=TOKEN) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(TRACK, content=track_body(clock))
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(TRACK, content=track_body(clock))  # the client's retry
    report = sandbox.diagnostics(DEFAULT_PIXEL_CODE)["events"][0]
    assert report["deduplication"] == {"kept": 1, "merged": 0, "dropped": 1}


def test_drop_before_processing_ingests_nothing(clock: Any) -> None:
    sandbox = make(clock, faults={"drop_rate": 1.0, "drop_phase": "before"})
    assert outcome(sandbox, clock) == "drop"
    assert sandbox.diagnostics(DEFAULT_PIXEL_CODE)["total_received"] == 0


def test_turning_one_knob_does_not_reshuffle_another(clock: Any) -> None:
    only_errors = make(clock, faults={"error_rate": 0.3, "seed": 9})
    with_storm = make(clock, faults={"error_rate": 0.3, "storm_rate": 0.0001, "seed": 9})
    a = [outcome(only_errors, clock, i) for i in range(100)]
    b = [outcome(with_storm, clock, i) for i in range(100)]
    assert a == b
