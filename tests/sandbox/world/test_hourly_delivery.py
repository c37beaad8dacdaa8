"""``stat_time_hour`` rows sum to the day, per ad and field, even when some hours have no spend."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

import tokops.sandbox.world.delivery as delivery
from tokops.sandbox import Sandbox
from tokops.sandbox.world.ad_day_counts import FIELDS, IDX

from ..conftest import ANCHOR, Marketing, MockClock, marketing_settings

_COUNTERS = {"spark_days", "ad_days", "uv_days"}  # 1 per record: hours have one each


def _check_world(sandbox: Sandbox, now: datetime, days: range) -> int:
    sim, checked = sandbox.world.sim, 0
    for ad in sandbox.world.ads.values():
        m = sim.model(ad)
        for ordinal in days:
            day = sim.day(m, ordinal, now.timestamp())
            hours = [r for _, r in sim.hours(m, ordinal, now.timestamp())]
            if day is None:
                assert hours == []
                continue
            sums = [sum(col) for col in zip(*hours, strict=True)]
            for j, name in enumerate(FIELDS):
                if name not in _COUNTERS:
                    assert sums[j] == day[j], (ad.ad_id, ordinal, name)
            checked += 1
    return checked


def test_hours_sum_to_days_for_every_ad_day_including_today() -> None:
    now = datetime(2026, 3, 1, 15, 10, tzinfo=UTC)  # a partial local day everywhere
    sandbox = Sandbox(marketing_settings(), now=MockClock(now))
    last = ANCHOR.toordinal()
    assert _check_world(sandbox, now, range(last - 6, last + 1)) > 100


def test_hours_without_spend_carry_their_counts_to_the_next_hour_with_spend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tiny budget: 9 cents over the day, hundreds of impressions; most hours spend 0."""
    real = delivery.full_record

    def tiny(*args: Any) -> list[int]:
        rec = real(*args)
        rec[IDX["spend"]] = 9
        rec[IDX["impressions"]] = 777
        rec[IDX["clicks"]] = 31
        return rec

    monkeypatch.setattr(delivery, "full_record", tiny)
    now = datetime(2026, 3, 3, 12, tzinfo=UTC)
    sandbox = Sandbox(marketing_settings(), now=MockClock(now))
    sim = sandbox.world.sim
    ad = next(a for a in sandbox.world.ads.values() if sim.model(a).active_days())
    m = sim.model(ad)
    ordinal = m.active_days()[0] + 1  # type: ignore[index]
    day = sim.day(m, ordinal, now.timestamp())
    hours = list(sim.hours(m, ordinal, now.timestamp()))
    assert day is not None and 0 < len(hours) <= 9  # at most one row per cent spent
    assert all(r[IDX["spend"]] > 0 for _, r in hours)  # no zero-spend rows (§2.1)
    for name in ("spend", "impressions", "clicks"):
        assert sum(r[IDX[name]] for _, r in hours) == day[IDX[name]], name


def test_report_endpoint_hours_equal_days_per_ad(mk: Marketing) -> None:
    metrics = ["spend", "impressions", "clicks", "conversion", "video_play_actions", "likes"]
    common = {"data_level": "AUCTION_AD", "metrics": metrics, "start_date": "2026-02-27"}
    daily = mk.all_rows(dimensions=["ad_id", "stat_time_day"], end_date="2026-02-27", **common)
    hourly = mk.all_rows(dimensions=["ad_id", "stat_time_hour"], end_date="2026-02-27", **common)
    assert {r["dimensions"]["stat_time_hour"][:10] for r in hourly} == {"2026-02-27"}
    sums: dict[str, dict[str, float]] = {}
    for r in hourly:
        acc = sums.setdefault(r["dimensions"]["ad_id"], dict.fromkeys(metrics, 0.0))
        for name in metrics:
            acc[name] += float(r["metrics"][name])
    assert len(daily) == len(sums) > 5
    for r in daily:
        got = sums[r["dimensions"]["ad_id"]]
        for name in metrics:
            assert round(got[name], 2) == float(r["metrics"][name]), name
    assert date.fromisoformat(hourly[0]["dimensions"]["stat_time_hour"][:10]) == date(2026, 2, 27)
