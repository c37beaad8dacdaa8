"""The ``split_tests`` stream: found through the ad groups, stored as the API answers, merged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tokops.ingest import AdsSyncOptions, connect_client, sync_ads
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import connect

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_split_tests_stream_stores_the_platform_verdict() -> None:
    settings = SandboxSettings.unthrottled(seed=5, world_anchor=NOW.date())
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client(
        "t", api_base="http://sandbox.test", transport=sandbox.transport(), qps=100_000
    )
    (group_id, test), *_ = sandbox.world.split_tests.items()
    options = AdsSyncOptions(advertiser_ids=(test.advertiser_id,), streams=("split_tests",))
    store = connect("duckdb://")
    for _ in range(2):  # a re-run replaces the row
        result = sync_ads(store, client, options, now=lambda: NOW)
        assert result.status == "ok", result.to_json()
    rows = store.fetch(store.table("split_tests")).to_pylist()
    assert len(rows) == 1
    row = rows[0]
    api = client.split_tests.result(test.advertiser_id, group_id)
    assert row["split_test_group_id"] == group_id
    assert json.loads(row["object_ids"]) == list(test.object_ids)
    assert (row["test_variable"], row["key_metric"], row["status"]) == (
        "CREATIVE", "COST_PER_CONVERT", "COMPLETED"
    )  # fmt: skip
    assert row["start_time"] == test.start and row["end_time"] == test.end
    assert row["winning_object_id"] == api.winning_object_id == test.object_ids[1]
    assert row["is_significant"] is True
    p_values = json.loads(row["p_values"])
    assert p_values["COST_PER_CONVERT"] == str(api.key_p_value)
    assert [c["object_id"] for c in json.loads(row["cells"])] == list(test.object_ids)
    assert store.fetch(store.table("ad_daily")).num_rows == 0  # only the stream asked for ran
