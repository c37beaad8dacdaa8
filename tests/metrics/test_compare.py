"""``--compare previous`` on time grains and without one, with known sums (KPI-1, BYD-2).

Campaign ``c1`` spends ``day-of-month`` on every day of April and May 2024 and has 100
impressions and one click a day; ``c2`` starts on 8 May. The expected values are sums of
those spends, by hand for a few and from the same generator for all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.metrics.compare import compare_previous, previous_bucket, previous_window
from tokops.warehouse import Store

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]
APRIL_1, MAY_8, MAY_31 = dt.date(2024, 4, 1), dt.date(2024, 5, 8), dt.date(2024, 5, 31)
DAYS = [APRIL_1 + dt.timedelta(days=i) for i in range((MAY_31 - APRIL_1).days + 1)]


def _row(campaign: str, day: dt.date) -> dict[str, Any]:
    return {"advertiser_id": "adv1", "campaign_id": campaign, "adgroup_id": f"{campaign}g",
            "ad_id": f"{campaign}a", "stat_date": day, "currency": "USD",
            "spend": Decimal(day.day), "impressions": 100, "clicks": 1}  # fmt: skip


ROWS = [_row("c1", d) for d in DAYS] + [_row("c2", d) for d in DAYS if d >= MAY_8]


def spent(campaign: str, first: dt.date, last: dt.date) -> Decimal:
    """The generator's spend of *campaign* over ``first..last`` (the independent answer)."""
    return sum(
        (
            r["spend"]
            for r in ROWS
            if r["campaign_id"] == campaign and first <= r["stat_date"] <= last
        ),
        start=Decimal(0),
    )


@pytest.fixture
def store(any_store: Store, load: Loader) -> Store:
    load(any_store, "ad_daily", ROWS)
    return any_store


def _by_key(rows: list[dict[str, Any]], time: str) -> dict[tuple[str, dt.date], dict[str, Any]]:
    return {(r["campaign_id"], r[time]): r for r in rows}


def test_previous_window_cuts_buckets_like_their_successors() -> None:
    thursday, wednesday = dt.date(2024, 5, 2), dt.date(2024, 5, 15)
    assert previous_window(thursday, wednesday, "week") == (dt.date(2024, 4, 25), MAY_8)
    assert previous_window(thursday, wednesday, "day") == (
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 14),
    )
    assert previous_window(thursday, wednesday, None) == (dt.date(2024, 4, 18), dt.date(2024, 5, 1))
    # months: the same days of the month before, up to its last day
    assert previous_window(dt.date(2024, 5, 10), MAY_31, "month") == (
        dt.date(2024, 4, 10), dt.date(2024, 4, 30)
    )  # fmt: skip
    # 30-31 March 2024 has no counterpart in February; 1-10 April compares with 1-10 March
    assert previous_window(dt.date(2024, 3, 30), dt.date(2024, 4, 10), "month") == (
        dt.date(2024, 3, 1), dt.date(2024, 3, 10)
    )  # fmt: skip
    assert previous_window(MAY_31, MAY_31, "month") is None  # 31 April does not exist
    assert previous_bucket(dt.date(2024, 3, 1), "month") == dt.date(2024, 2, 1)
    assert previous_bucket(dt.date(2024, 1, 1), "month") == dt.date(2023, 12, 1)
    assert previous_bucket(dt.date(2024, 5, 6), "week") == dt.date(2024, 4, 29)
    with pytest.raises(ConfigError, match="before it starts"):
        previous_window(wednesday, thursday, "week")


def test_each_week_beside_the_week_before_for_the_same_campaign(store: Store) -> None:
    start, end = dt.date(2024, 5, 2), dt.date(2024, 5, 15)  # Thursday to Wednesday
    result = compare_previous(store, "campaign,week", start=start, end=end, kpis="spend,ctr")
    rows = _by_key(result.rows, "week")
    w1, w2, w3 = dt.date(2024, 4, 29), dt.date(2024, 5, 6), dt.date(2024, 5, 13)
    assert set(rows) == {("c1", w1), ("c1", w2), ("c1", w3), ("c2", w2), ("c2", w3)}
    # by hand: Thu-Sun 2-5 May (14) vs Thu-Sun 25-28 April (106), before --from
    first = rows["c1", w1]
    assert (first["spend"], first["spend_previous"]) == (Decimal(14), Decimal(106))
    assert first["spend_change"] == Decimal(14 - 106) * 100 / 106
    # a whole week against the whole week before it: 6..12 May (63) vs 29 Apr..5 May (74)
    assert (rows["c1", w2]["spend"], rows["c1", w2]["spend_previous"]) == (Decimal(63), Decimal(74))
    # Mon-Wed 13-15 May vs Mon-Wed 6-8 May
    assert (rows["c1", w3]["spend"], rows["c1", w3]["spend_previous"]) == (Decimal(42), Decimal(21))
    # c2 has no week before its first; its second compares with its own 8 May only
    assert rows["c2", w2]["spend_previous"] is None and rows["c2", w2]["spend_change"] is None
    assert rows["c2", w3]["spend_previous"] == spent("c2", dt.date(2024, 5, 6), MAY_8) == 8
    # every row: the generator's sum over the same days one week earlier
    week = dt.timedelta(days=7)
    for (campaign, bucket), row in rows.items():
        days = (max(bucket, start), min(bucket + dt.timedelta(days=6), end))
        assert row["spend"] == spent(campaign, *days)
        if row["spend_previous"] is not None:
            assert row["spend_previous"] == spent(campaign, days[0] - week, days[1] - week)
    # ratios come from the previous bucket's own sums: 7 clicks / 700 impressions
    assert rows["c1", w2]["ctr_previous"] == Decimal(1)
    assert any("week before it" in n for n in result.notes)


def test_months_and_days(store: Store) -> None:
    months = compare_previous(store, "campaign,month", start=dt.date(2024, 5, 10), end=MAY_31,
                              kpis="spend")  # fmt: skip
    c1 = _by_key(months.rows, "month")["c1", dt.date(2024, 5, 1)]
    assert c1["spend"] == spent("c1", dt.date(2024, 5, 10), MAY_31) == sum(range(10, 32))
    assert c1["spend_previous"] == spent("c1", dt.date(2024, 4, 10), dt.date(2024, 4, 30))
    assert c1["spend_previous"] == sum(range(10, 31))
    whole = compare_previous(store, "month", start=dt.date(2024, 5, 1), end=MAY_31, kpis="spend")
    assert [r["spend_previous"] for r in whole.rows] == [spent("c1", APRIL_1, dt.date(2024, 4, 30))]
    none = compare_previous(store, "month", start=MAY_31, end=MAY_31, kpis="spend")
    assert none.rows[0]["spend"] == 31 * 2 and none.rows[0]["spend_previous"] is None
    days = compare_previous(store, "campaign,day", start=MAY_8, end=dt.date(2024, 5, 9),
                            kpis="spend")  # fmt: skip
    got = {(r["campaign_id"], r["day"]): r["spend_previous"] for r in days.rows}
    assert got == {("c1", MAY_8): 7, ("c1", dt.date(2024, 5, 9)): 8,
                   ("c2", MAY_8): None, ("c2", dt.date(2024, 5, 9)): 8}  # fmt: skip


def test_without_a_time_grain_the_previous_period_of_equal_length(store: Store) -> None:
    start, end = dt.date(2024, 5, 2), dt.date(2024, 5, 15)
    result = compare_previous(store, "campaign", start=start, end=end, kpis="spend")
    c1, c2 = result.rows
    assert c1["spend_previous"] == spent("c1", dt.date(2024, 4, 18), dt.date(2024, 5, 1))
    assert c1["spend_previous"] == sum(range(18, 31)) + 1
    assert c2["spend_previous"] is None
    assert "previous period: 2024-04-18 to 2024-05-01" in result.notes
