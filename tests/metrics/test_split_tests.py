"""metrics.split_tests: the stored split tests and their account's time zone (KPI-5e; BYD-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.metrics.query import currency_groups
from tokops.metrics.sources import require_synced
from tokops.metrics.split_tests import advertiser_timezone, split_test_row, split_test_rows
from tokops.metrics.window import Window
from tokops.warehouse import Store

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]
T0 = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def _test(group: str, days: int) -> dict[str, Any]:
    return {
        "advertiser_id": "adv1",
        "split_test_group_id": group,
        "object_ids": '["a", "b"]',
        "key_metric": "COST_PER_CONVERT",
        "start_time": T0 + dt.timedelta(days=days),
        "end_time": T0 + dt.timedelta(days=days + 7),
    }


def test_rows_newest_first_and_one_by_id(any_store: Store, load: Loader) -> None:
    load(any_store, "split_tests", [_test("g1", 0), _test("g2", 3), _test("g0", 3)])
    assert [r["split_test_group_id"] for r in split_test_rows(any_store)] == ["g0", "g2", "g1"]
    row = split_test_row(any_store, "g2")
    assert row is not None and row["object_ids"] == '["a", "b"]'
    assert row["key_metric"] == "COST_PER_CONVERT"
    assert split_test_row(any_store, "nope") is None


def test_without_the_table_the_error_names_the_sync(duck_store: Store) -> None:
    with pytest.raises(ConfigError, match=r"no split_tests table .* `tokops sync ads` first"):
        split_test_rows(duck_store)
    with pytest.raises(ConfigError, match=r"no audience_daily table .* `tokops sync ads` first"):
        require_synced(duck_store, "audience_daily")


def test_the_account_time_zone(any_store: Store, load: Loader) -> None:
    assert advertiser_timezone(any_store, "adv1") is None  # accounts never synced
    load(any_store, "advertisers", [
        {"advertiser_id": "adv1", "timezone": "Europe/Paris"},
        {"advertiser_id": "adv2", "timezone": ""},
    ])  # fmt: skip
    assert advertiser_timezone(any_store, "adv1") == "Europe/Paris"
    assert advertiser_timezone(any_store, "adv2") is None
    assert advertiser_timezone(any_store, "adv3") is None


def test_currency_groups_of_a_filtered_report_table(duck_store: Store, load: Loader) -> None:
    day = dt.date(2024, 5, 1)
    accounts = (("adv1", "age", "USD"), ("adv2", "age", "EUR"), ("adv3", "gender", "JPY"))
    load(duck_store, "audience_daily", [
        {"advertiser_id": a, "stat_date": day, "dimension": dim, "segment": "x",
         "currency": cur, "spend": 1}
        for a, dim, cur in accounts
    ])  # fmt: skip
    groups = currency_groups(duck_store, Window(), "audience_daily", {"dimension": ("age",)})
    assert [(g.currency, g.advertiser_ids) for g in groups] == [
        ("EUR", ("adv2",)),
        ("USD", ("adv1",)),
    ]
