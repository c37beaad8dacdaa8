"""Cursors, date ranges, window sizing and typed batches: the pure pieces of the ingest."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokops.errors import ParameterError
from tokops.ingest.batches import BatchBuilder, normalize, parse_timestamp
from tokops.ingest.state import Cursor, advance, plan_range
from tokops.ingest.tasks import invalid_metrics, local_today
from tokops.ingest.windows import WindowPlanner
from tokops.tiktok.marketing import DateWindow
from tokops.warehouse.schema import table

D = date(2024, 5, 20)


def W(a: date, b: date) -> DateWindow:
    return DateWindow(a, b)


def days(n: int) -> timedelta:
    return timedelta(days=n)


# -- cursors -------------------------------------------------------------------------------
def test_first_sync_pulls_the_history_and_settles_only_days_past_the_lookback() -> None:
    assert plan_range(None, today=D, since=None, history_days=90) == (D - days(89), D)
    cur = advance(None, "ad_daily", "1", W(D - days(89), D - days(60)), today=D, lookback_days=7)
    assert (cur.synced_from, cur.settled_through) == (D - days(89), D - days(60))
    cur = advance(cur, "ad_daily", "1", W(D - days(59), D), today=D, lookback_days=7)
    assert cur.synced_through == D and cur.settled_through == D - days(8)
    # next day: the 7 unsettled days and the new one are pulled again, nothing older
    assert plan_range(cur, today=D + days(1), since=None) == (D - days(7), D + days(1))


def test_a_crash_mid_backfill_resumes_after_the_last_committed_window() -> None:
    cur = advance(None, "s", "1", W(date(2023, 5, 1), date(2023, 5, 29)), today=D, lookback_days=7)
    cur = advance(cur, "s", "1", W(date(2023, 5, 30), date(2023, 6, 27)), today=D, lookback_days=7)
    # the run died here; the same command again continues on the next day
    assert plan_range(cur, today=D, since=date(2023, 5, 1)) == (date(2023, 6, 28), D)


def test_an_earlier_since_starts_a_new_range_and_a_gap_never_settles() -> None:
    cur = Cursor("s", "1", date(2024, 4, 1), date(2024, 5, 1), date(2024, 4, 20))
    assert plan_range(cur, today=D, since=date(2024, 3, 1)) == (date(2024, 3, 1), D)
    restart = advance(
        cur, "s", "1", W(date(2024, 3, 1), date(2024, 3, 30)), today=D, lookback_days=7
    )
    assert restart.synced_from == date(2024, 3, 1)
    assert restart.settled_through == date(2024, 3, 30)  # not 4/20: 3/31 was not pulled again
    gap = advance(cur, "s", "1", W(date(2024, 5, 5), date(2024, 5, 6)), today=D, lookback_days=0)
    assert gap.settled_through == date(2024, 4, 20) and gap.synced_through == date(2024, 5, 6)


def test_organic_backfill_is_capped_and_nothing_is_pulled_after_today() -> None:
    assert plan_range(None, today=D, since=date(2020, 1, 1), max_history_days=60) == (
        D - days(59),
        D,
    )
    settled = Cursor("s", "1", D - days(30), D, D)
    assert plan_range(settled, today=D, since=None) is None


# -- time zones ----------------------------------------------------------------------------
def test_today_is_the_advertisers_own_day() -> None:
    now = datetime(2024, 5, 1, 20, 0, tzinfo=UTC)
    assert local_today(now, "Asia/Tokyo") == date(2024, 5, 2)
    assert local_today(now, "America/Los_Angeles") == date(2024, 5, 1)
    assert local_today(now, None) == date(2024, 5, 1)


# -- windows -------------------------------------------------------------------------------
def test_windows_are_cut_so_pages_come_back_full() -> None:
    planner = WindowPlanner(date(2024, 1, 1), date(2024, 12, 30), max_days=30, rate=167)
    first = planner.next()
    # 30 days would be 5,010 rows: 6 calls for 5.01 pages' worth; 29 days fill 5 pages to 97 %
    assert first is not None and first.days == 29
    planner.observed(first, 167 * 29)
    windows = [first]
    while (w := planner.next()) is not None:
        windows.append(w)
    assert windows[-1].end == date(2024, 12, 30)
    assert all(a.end + days(1) == b.start for a, b in zip(windows, windows[1:], strict=False))
    calls = sum(math.ceil(167 * w.days / 1000) for w in windows)
    assert calls <= 1.08 * math.ceil(167 * 365 / 1000)  # whole days per window: a little slack


@given(
    span=st.integers(1, 400),
    rate=st.floats(0, 5000),
    cap=st.integers(1, 30),
)
def test_windows_always_tile_the_range_within_the_cap(span: int, rate: float, cap: int) -> None:
    start = date(2024, 1, 1)
    planner = WindowPlanner(start, start + days(span - 1), max_days=cap, rate=rate)
    covered = []
    while (w := planner.next()) is not None:
        assert 1 <= w.days <= cap
        covered.extend(w.start + days(i) for i in range(w.days))
        planner.observed(w, int(rate * w.days))
    assert covered == [start + days(i) for i in range(span)]


# -- typed batches -------------------------------------------------------------------------
def test_batches_keep_decimals_exact_and_missing_values_null() -> None:
    tbl = table("ad_daily")
    builder = BatchBuilder(
        tbl,
        ["ad_id", "stat_date", "spend", "impressions", "frequency"],
        constants={"advertiser_id": 123, "currency": "JPY"},
        size=2,
    )
    batches = list(
        builder.build(
            [
                {
                    "ad_id": 1,
                    "stat_date": date(2024, 5, 1),
                    "spend": Decimal("14.685"),
                    "impressions": 1079,
                    "frequency": Decimal("1.08"),
                },
                {
                    "ad_id": "2",
                    "stat_date": "2024-05-02",
                    "spend": Decimal("0.1"),
                    "impressions": None,
                },
                {
                    "ad_id": "3",
                    "stat_date": date(2024, 5, 3),
                    "spend": 7,
                    "impressions": Decimal("5"),
                },
            ]
        )
    )
    assert [b.num_rows for b in batches] == [2, 1]
    got = pa.Table.from_batches(batches).to_pylist()
    assert [r["spend"] for r in got] == [Decimal("14.68"), Decimal("0.10"), Decimal("7.00")]
    assert [r["impressions"] for r in got] == [1079, None, 5]
    assert got[0]["ad_id"] == "1" and got[0]["advertiser_id"] == "123"
    assert batches[0].schema.field("spend").type == pa.decimal128(18, 2)


def test_values_are_normalised_by_column_type() -> None:
    assert normalize("count", Decimal("3.5")) is None
    assert normalize("json", [{"source": "For You"}]) == '[{"source":"For You"}]'
    assert normalize("bool", "true") is True
    assert parse_timestamp("2024-05-01 10:00:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert parse_timestamp(1714557600) == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert parse_timestamp("-") is None


@pytest.mark.parametrize(
    ("message", "names"),
    [
        (
            "Invalid metric fields: ['voucher_spend', 'cash_spend']. ",
            ["voucher_spend", "cash_spend"],
        ),
        (
            "Conflict occurs. The input params including metrics and dimensions have no relation.",
            [],
        ),
    ],
)
def test_invalid_metric_names_are_read_from_a_40002(message: str, names: list[str]) -> None:
    assert invalid_metrics(ParameterError(40002, message)) == names
