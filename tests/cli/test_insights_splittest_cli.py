"""``tokops insights ab --split-test ID`` on a store synced from the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import typer
from typer.testing import CliRunner

from tokops.cli.insights import app as insights_app
from tokops.ingest import AdsSyncOptions, connect_client, sync_ads
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import connect

pytestmark = pytest.mark.slow
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, tuple[str, str]]:
    settings = SandboxSettings.unthrottled(seed=2, world_anchor=NOW.date())
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client(
        "t", api_base="http://sandbox.test", transport=sandbox.transport(), qps=100_000
    )
    (group_id, test), *_ = sandbox.world.split_tests.items()
    url = f"duckdb://{tmp_path_factory.mktemp('st') / 'store.duckdb'}"
    store = connect(url)
    options = AdsSyncOptions(
        advertiser_ids=(test.advertiser_id,),
        since=date(2024, 4, 1),
        streams=("objects", "ad_daily", "split_tests"),
    )
    assert sync_ads(store, client, options, now=lambda: NOW).status == "ok"
    store.close()
    return url, group_id, test.object_ids


@pytest.fixture
def app(synced: tuple[str, str, tuple[str, str]], monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("TOKOPS_STORE_URL", synced[0])
    monkeypatch.setenv("COLUMNS", "220")
    root = typer.Typer()
    root.add_typer(insights_app, name="insights")
    return root


def test_split_test_json(app: typer.Typer, synced: tuple[str, str, tuple[str, str]]) -> None:
    _, group_id, cells = synced
    out = CliRunner().invoke(app, ["insights", "ab", "--split-test", group_id, "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["cells"] == list(cells) and data["key_kpi"] == "cpa"
    assert data["platform"]["winner"] == cells[1] and data["platform"]["confidence"] > 0.9
    assert data["tokops"]["verdict"] == cells[1] and data["agreement"] == "agree"
    metrics = [(a["metric"], a["method"]) for a in data["tokops"]["analyses"]]
    assert metrics[0] == ("cpa", "delta_method_t") and ("ctr", "two_proportion_z") in metrics
    # one unit per KPI (issue 9 §4): the z-test rows and the day-cluster rows of CTR agree on
    # the unit (percent, as the catalogue), not 0.008 beside 0.8
    ctr = [a["estimates"] for a in data["tokops"]["analyses"] if a["metric"] == "ctr"]
    assert len(ctr) == 2
    z, days = ctr
    for a, b in zip(z, days, strict=True):
        assert a == pytest.approx(b, rel=0.2)  # same totals, two estimators: same magnitude


def test_split_test_table_and_early_replay(
    app: typer.Typer, synced: tuple[str, str, tuple[str, str]]
) -> None:
    _, group_id, _ = synced
    args = ["insights", "ab", "--split-test", group_id, "--to", "2024-04-18"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "cpa (key)" in out.stdout and "delta, days" in out.stdout and "TikTok B" in out.stdout
    ctr_rows = [line for line in out.stdout.splitlines() if line.startswith("│ ctr")]
    assert len(ctr_rows) == 2 and all(r.count("%") >= 2 for r in ctr_rows)
    assert "fewer than the recommended 7" in out.stderr


def test_split_test_refuses_ad_groups_too(app: typer.Typer) -> None:
    out = CliRunner().invoke(app, ["insights", "ab", "--split-test", "1", "--control-adgroup", "2"])
    assert out.exit_code != 0
