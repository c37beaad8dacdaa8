"""Delivering one batch: bisect on whole-request rejections, fail on exhausted retries, stop on
credential errors (EVT-1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from tokops.activate.payload import EncodedEvents
from tokops.activate.sender import BatchSender

from .conftest import FakeEventsAPI, envelope


def _events(n: int) -> EncodedEvents:
    texts = [f'{{"event":"Purchase","event_time":1,"event_id":"e{i}"}},' for i in range(n)]
    return EncodedEvents(pa.array(texts))


def _sender(handler: Any, client_for: Callable[..., Any], **kw: Any) -> BatchSender:
    client = client_for(handler, **kw)
    return BatchSender(
        client,
        event_source="web",
        event_source_id="PIX",
        max_attempts=client.api.retry.max_retries + 1,
    )


def test_bisect_isolates_one_bad_event_in_1000(client_for: Callable[..., Any]) -> None:
    api = FakeEventsAPI(bad_ids={"e617"})
    delivery = _sender(api, client_for).deliver(_events(1000))
    rejected = [o for o in delivery.outcomes if o.status == "rejected"]
    assert [(o.start, o.stop, o.api_code) for o in rejected] == [(617, 618, 40002)]
    assert (
        rejected[0].reason
        == "TikTok 40002: Invalid value for properties.value: not a valid number."
    )
    assert sum(o.stop - o.start for o in delivery.outcomes if o.status == "sent") == 999
    assert len(api.event_ids()) == 999 and api.sent_twice() == 0
    assert api.requests <= 2 * 10 + 1  # 1 + 2 per halving level (log2 1000 < 10)


def test_several_bad_events(client_for: Callable[..., Any]) -> None:
    bad = {"e0", "e3", "e99"}
    api = FakeEventsAPI(bad_ids=bad)
    delivery = _sender(api, client_for).deliver(_events(100))
    assert {f"e{o.start}" for o in delivery.outcomes if o.status == "rejected"} == bad
    assert api.event_ids() == {f"e{i}" for i in range(100)} - bad
    covered = sorted((o.start, o.stop) for o in delivery.outcomes)
    assert covered[0][0] == 0 and covered[-1][1] == 100
    assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False))


class AlwaysDown:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: Any) -> Any:
        self.calls += 1
        return envelope(50000, "System error")


def test_exhausted_retries_fail_the_batch(client_for: Callable[..., Any]) -> None:
    down = AlwaysDown()
    delivery = _sender(down, client_for, max_retries=3).deliver(_events(10))
    assert [(o.status, o.start, o.stop, o.attempts) for o in delivery.outcomes] == [
        ("failed", 0, 10, 4)
    ]
    assert down.calls == 4 and delivery.stop is None


def test_auth_error_stops_without_splitting(client_for: Callable[..., Any]) -> None:
    api = FakeEventsAPI()
    delivery = _sender(api, client_for, token="wrong").deliver(_events(50))
    assert delivery.stop is not None and "40105" in str(delivery.stop)
    assert [(o.status, o.start, o.stop) for o in delivery.outcomes] == [("failed", 0, 50)]
    assert api.requests == 1
