"""A sync that fails or crashes half-way, then runs again, ends with exactly what one clean run
gives: no duplicates, nothing missing, and the windows already merged are not pulled again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tokops.ingest import AdsSyncOptions, sync_ads
from tokops.ingest import runner as runner_mod
from tokops.warehouse import Store, connect

DATA_TABLES = (
    "ad_daily",
    "adgroup_daily",
    "campaign_daily",
    "advertiser_daily",
    "audience_daily",
    "ads",
    "campaigns",
)
OPTIONS = AdsSyncOptions(since=date(2024, 1, 15), concurrency=3)


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table's rows without the sync time, sorted."""
    out = {}
    for name in DATA_TABLES:
        rows = store.fetch(store.table(name).drop("synced_at")).to_pylist()
        out[name] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    return out


def clean_run(fake: Any, make_client: Callable[..., Any]) -> dict[str, list[tuple[Any, ...]]]:
    store = connect("duckdb://")
    assert sync_ads(store, make_client(fake), OPTIONS, now=lambda: fake.now).status == "ok"
    return snapshot(store)


def test_failed_streams_are_retried_by_the_next_run_and_the_rest_is_not_pulled_again(
    fake: Any, make_client: Callable[..., Any]
) -> None:
    expected = clean_run(fake, make_client)
    full_calls = len(fake.report_params)
    fake.report_params.clear()
    fake.fail_after = 25  # report calls after the 25th answer 50000 (retries disabled)
    store = connect("duckdb://")
    first = sync_ads(store, make_client(fake), OPTIONS, now=lambda: fake.now)
    assert first.status == "failed"
    assert {s.status for s in first.streams} >= {"ok", "failed"}  # the others completed
    windows_done = store.fetch(store.table("ingest_windows")).num_rows
    assert windows_done > 0
    fake.fail_after = None
    fake.report_params.clear()
    second = sync_ads(store, make_client(fake), OPTIONS, now=lambda: fake.now)
    assert second.status == "ok"
    assert snapshot(store) == expected
    assert len(fake.report_params) < full_calls  # resumed, not started over


def test_a_crash_of_the_writer_keeps_committed_windows_only(
    fake: Any, make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = clean_run(fake, make_client)
    real_merge = runner_mod.merge_batches
    merges = {"n": 0}

    def dying_merge(*args: Any, **kwargs: Any) -> Any:
        merges["n"] += 1
        if merges["n"] == 30:
            raise SystemExit("the process died here")  # as abrupt as it gets in-process
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(runner_mod, "merge_batches", dying_merge)
    store = connect("duckdb://")
    with pytest.raises(SystemExit):
        sync_ads(store, make_client(fake), OPTIONS, now=lambda: fake.now)
    runs = store.fetch(store.table("ingest_runs")).to_pylist()
    assert [r["status"] for r in runs] == ["running"]  # no clean end was recorded
    checkpoints = store.fetch(store.table("ingest_windows")).num_rows
    assert 0 < checkpoints < 29
    monkeypatch.setattr(runner_mod, "merge_batches", real_merge)
    again = sync_ads(store, make_client(fake), OPTIONS, now=lambda: fake.now)
    assert again.status == "ok"
    assert snapshot(store) == expected
