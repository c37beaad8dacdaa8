"""Follower growth per period from follower snapshots (KPI-5c), on DuckDB and PostgreSQL.

Hand computation, account b1 (no snapshot on 3, 5, 7 and 8 May):
29 Apr 80 · 30 Apr 90 · 1 May 100 · 2 May 110 · 4 May 130 · 6 May 125 · 9 May 150.
Account b2: 2 May 1000 · 9 May 1100. Weeks start on Monday (29 Apr, 6 May).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from tokops.metrics.compute import compute_kpis
from tokops.warehouse import Store

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]
KPIS = "followers_start,followers_end,follower_growth,follower_growth_rate"
B1 = {29: 80, 30: 90, 101: 100, 102: 110, 104: 130, 106: 125, 109: 150}  # 1xx = May


def day(code: int) -> dt.date:
    return dt.date(2024, 4, code) if code < 100 else dt.date(2024, 5, code - 100)


def snap(business: str, code: int, count: int) -> dict[str, Any]:
    taken = dt.datetime.combine(day(code), dt.time(9), tzinfo=dt.UTC)
    return {"business_id": business, "snapshot_date": day(code), "followers_count": count,
            "taken_at": taken}  # fmt: skip


@pytest.fixture
def store(any_store: Store, load: Loader) -> Store:
    rows = [snap("b1", c, n) for c, n in B1.items()] + [
        snap("b2", 102, 1000),
        snap("b2", 109, 1100),
    ]
    load(any_store, "follower_snapshots", rows)
    return any_store


def _table(rows: list[dict[str, Any]], key: str) -> list[tuple[Any, ...]]:
    names = ("followers_start", "followers_end", "follower_growth")
    return [(r[key], *(r[n] for n in names)) for r in rows]


def test_per_day_uses_the_previous_snapshot_even_across_gaps(store: Store) -> None:
    res = compute_kpis(store, "account,day", kpis=KPIS, start=day(101), end=day(109))
    b1 = [r for r in res.rows if r["business_id"] == "b1"]
    assert _table(b1, "day") == [
        (day(101), 90, 100, 10),
        (day(102), 100, 110, 10),
        (day(104), 110, 130, 20),
        (day(106), 130, 125, -5),
        (day(109), 125, 150, 25),
    ]  # 3 May is missing: the 110 → 130 change counts on 4 May; fmt: skip
    assert b1[0]["follower_growth_rate"] == Decimal(1000) / 90  # denominator: start of period
    assert b1[3]["follower_growth_rate"] == Decimal(-500) / 130
    b2 = [r for r in res.rows if r["business_id"] == "b2"]
    assert _table(b2, "day") == [(day(102), 1000, 1000, 0), (day(109), 1000, 1100, 100)]
    assert any("closes at its last one" in n for n in res.notes)


def test_per_week_opens_at_the_last_snapshot_before_the_period(store: Store) -> None:
    weeks = compute_kpis(store, "account,week", kpis=KPIS)
    b1 = [r for r in weeks.rows if r["business_id"] == "b1"]
    # no snapshot before 29 Apr: the week opens at its own first snapshot (80)
    assert _table(b1, "week") == [(day(29), 80, 130, 50), (day(106), 130, 150, 20)]
    assert b1[1]["follower_growth_rate"] == Decimal(2000) / 130
    clipped = compute_kpis(store, "account,week", kpis=KPIS, start=day(101))
    b1 = [r for r in clipped.rows if r["business_id"] == "b1"]
    assert _table(b1, "week") == [(day(29), 90, 130, 40), (day(106), 130, 150, 20)]


def test_accounts_add_up_within_a_period(store: Store) -> None:
    weeks = compute_kpis(store, "week", kpis=KPIS, start=day(101)).rows
    assert _table(weeks, "week") == [(day(29), 1090, 1130, 40), (day(106), 1130, 1250, 120)]
    assert weeks[1]["follower_growth_rate"] == Decimal(12000) / 1130
    whole = compute_kpis(store, "account", kpis=KPIS, start=day(101), end=day(106)).rows
    assert _table(whole, "business_id") == [("b1", 90, 125, 35), ("b2", 1000, 1000, 0)]
    assert whole[0]["follower_growth_rate"] == Decimal(3500) / 90
    months = compute_kpis(store, "month", kpis=KPIS).rows
    april, may = dt.date(2024, 4, 1), day(101)
    assert _table(months, "month") == [(april, 80, 90, 10), (may, 1090, 1250, 160)]


def test_period_without_snapshots_has_no_row(any_store: Store, load: Loader) -> None:
    load(any_store, "follower_snapshots", [snap("b1", 101, 100), snap("b1", 115, 160)])
    rows = compute_kpis(any_store, "week", kpis=KPIS, start=day(101)).rows
    # the week of 6 May has no snapshot; its growth counts in the week of 13 May
    assert _table(rows, "week") == [(day(29), 100, 100, 0), (day(113), 100, 160, 60)]
    assert rows[0]["follower_growth_rate"] == 0
