"""Ground truth: every split test of ingested sandbox worlds is judged like the world made it.

Each world seeds one finished creative split test whose cell B truly wins (its ads have 1.35×
the latent quality: higher CTR and CVR, cheaper CPM), key metric COST_PER_CONVERT. tokops must
name B, or say "inconclusive" with a lift interval that still allows B to be better; it must
never name A. Replaying the first 3 days checks the same with far less data and the <7-day
warning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tokops.ingest import AdsSyncOptions, connect_client, sync_ads
from tokops.insights.splittest import list_split_tests, split_test_report
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import Store, connect

pytestmark = pytest.mark.slow
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SEEDS = (1, 2, 3, 11, 12)


def _ingest(seed: int) -> tuple[Sandbox, Store]:
    settings = SandboxSettings.unthrottled(seed=seed, world_anchor=NOW.date())
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client(
        "t", api_base="http://sandbox.test", transport=sandbox.transport(), qps=100_000
    )
    advertisers = tuple(sorted({t.advertiser_id for t in sandbox.world.split_tests.values()}))
    options = AdsSyncOptions(
        advertiser_ids=advertisers,
        since=date(2024, 4, 1),
        streams=("objects", "ad_daily", "split_tests"),
        concurrency=2,
    )
    result = sync_ads(store := connect("duckdb://"), client, options, now=lambda: NOW)
    assert result.status == "ok", result.to_json()
    return sandbox, store


@pytest.mark.parametrize("seed", SEEDS)
def test_split_tests_pick_the_true_winner(seed: int) -> None:
    sandbox, store = _ingest(seed)
    truth = sandbox.world.truth.split_test_winners
    tests = list_split_tests(store)
    assert {t.split_test_group_id for t in tests} == set(truth)
    for test in tests:
        winner = truth[test.split_test_group_id]
        assert test.object_ids[1] == winner  # the world's B cell
        full = split_test_report(store, test.split_test_group_id)
        assert full.key_kpi == "cpa" and full.key.days_run >= 7
        assert full.verdict == winner, full.to_dict()  # measured: p < 1e-10 on every seed
        assert full.agreement == "agree"  # the platform found it too
        assert not full.budget_split.mismatch
        first_day = full.start_day
        early = split_test_report(
            store, test.split_test_group_id, as_of=first_day + timedelta(days=2)
        )
        key = early.key
        assert key.days_run == 3
        assert any("fewer than the recommended 7" in w for w in key.warnings)
        assert early.verdict in (winner, "inconclusive")
        if early.verdict == "inconclusive":
            assert key.lift_rel_ci[0] < 0  # CPA lower in B stays possible
