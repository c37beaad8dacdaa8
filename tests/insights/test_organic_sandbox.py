"""Ground truth: saturating formats of an ingested sandbox world are flagged (backtest)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tokops.ingest import connect_client, sync_organic
from tokops.insights.saturation import assess, load_series
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import connect

pytestmark = pytest.mark.slow
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_world_saturating_formats_are_flagged() -> None:
    settings = SandboxSettings.model_validate(
        {"seed": 11, "scale": "small", "world_anchor": NOW.date(), "access_tokens": ("t",),
         "marketing_qps": 100_000, "marketing": {"qpm": 10**9, "qpd": 10**9, "endpoint_qps": {}}}
    )  # fmt: skip
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client("t", api_base="http://sandbox.test", transport=sandbox.transport())
    store = connect("duckdb://")
    assert (
        sync_organic(store, client, sorted(sandbox.world.accounts), now=lambda: NOW).status == "ok"
    )
    truth = sandbox.world.truth.saturating_formats
    series = load_series(store, "content_type")
    assert series is not None
    first: dict[str, date] = {}
    for t in range(len(series.days)):
        for j, key in enumerate(series.keys):
            if key not in first and assess(series, j, t).status == "saturating":
                first[key] = series.days[t]
    true_flags = [k for k in first if k in truth]
    assert set(true_flags) == set(truth)  # recall 2/2 (measured)
    assert len(true_flags) / len(first) >= 0.6  # precision 2/3 measured
    early = [k for k in true_flags if first[k] < date.fromisoformat(truth[k]["collapse"])]
    assert len(early) >= 1  # "review" flagged 15 days before collapse; before_after 4 days late
