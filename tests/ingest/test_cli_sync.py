"""``tokops sync ads|organic`` through Typer's CliRunner, against the fake API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tokops.cli import sync as sync_cli
from tokops.errors import ConfigError, PipelineError
from tokops.warehouse import connect


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: Any, make_client: Any) -> Path:
    (tmp_path / "tokops.toml").write_text(
        f'[store]\nurl = "duckdb://{tmp_path / "tokops.duckdb"}"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    fake.now = datetime.now(UTC)  # the CLI runs on the real clock
    monkeypatch.setattr(
        sync_cli, "marketing_client", lambda settings, api_base, qps: make_client(fake)
    )
    return tmp_path


def test_sync_ads_json_reports_every_stream_and_fills_the_workspace_store(
    workspace: Path, fake: Any
) -> None:
    since = (fake.now - timedelta(days=20)).date().isoformat()
    result = CliRunner().invoke(
        sync_cli.app, ["ads", "--since", since, "--lookback-days", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "ok" and summary["command"] == "ads"
    streams = {(s["stream"], s["scope_id"]): s for s in summary["streams"]}
    for adv in (fake.TOKYO, fake.LA):
        assert streams[("ad_daily", adv)]["last_day"] == fake.local_today(adv).isoformat()
        assert streams[("ad_daily", adv)]["first_day"] == since
    assert summary["api_calls"] == sum(fake.calls.values())
    store = connect(f"duckdb://{workspace / 'tokops.duckdb'}")
    count = store.con.con.execute("SELECT count(*) FROM ad_daily").fetchall()[0][0]
    assert (
        count == streams[("ad_daily", fake.TOKYO)]["rows"] + streams[("ad_daily", fake.LA)]["rows"]
    )


def test_a_failed_stream_exits_non_zero_after_the_others_completed(
    workspace: Path, fake: Any
) -> None:
    fake.fail_after = 0
    result = CliRunner().invoke(sync_cli.app, ["ads", "--stream", "ad_daily"])
    assert result.exit_code != 0
    assert isinstance(result.exception, PipelineError)
    assert "stream(s) failed" in str(result.exception)
    assert "objects" in result.stdout and "ad_daily" in result.stdout  # the summary table


def test_sync_organic_and_the_stream_list(workspace: Path, fake: Any) -> None:
    result = CliRunner().invoke(sync_cli.app, ["organic", "--business-id", fake.BUSINESS, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] > 0
    listed = CliRunner().invoke(sync_cli.app, ["ads", "--list-streams"])
    assert "ad_daily" in listed.stdout and "audience_age" in listed.stdout
    missing = CliRunner().invoke(sync_cli.app, ["organic"])
    assert isinstance(missing.exception, ConfigError)
    bad = CliRunner().invoke(sync_cli.app, ["ads", "--stream", "nope"])
    assert isinstance(bad.exception, ConfigError)


@pytest.mark.parametrize("days", [0, 2])
def test_hourly_days_bounds_the_hourly_stream(workspace: Path, fake: Any, days: int) -> None:
    since = (fake.now - timedelta(days=20)).date().isoformat()
    result = CliRunner().invoke(
        sync_cli.app, ["ads", "--since", since, "--hourly-days", str(days), "--json"]
    )
    assert result.exit_code == 0, result.output
    streams = {(s["stream"], s["scope_id"]): s for s in json.loads(result.stdout)["streams"]}
    for adv in (fake.TOKYO, fake.LA):
        hourly = streams.get(("ad_hourly", adv))
        if days == 0:
            assert hourly is None
            continue
        assert hourly is not None and hourly["windows"] == days
        today = fake.local_today(adv)
        assert hourly["first_day"] == (today - timedelta(days=days - 1)).isoformat()
        assert hourly["last_day"] == today.isoformat()


def test_sync_ads_pulls_shop_orders_only_with_shop_credentials(
    workspace: Path, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("TIKTOK_SHOP_APP_KEY", "TIKTOK_SHOP_APP_SECRET", "TIKTOK_SHOP_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    args = ["ads", "--stream", "shop_orders", "--advertiser", fake.TOKYO, "--json"]
    result = CliRunner().invoke(sync_cli.app, args)
    assert result.exit_code == 0, result.output
    (orders,) = json.loads(result.stdout)["streams"]
    assert orders["stream"] == "shop_orders" and orders["status"] == "skipped"
    monkeypatch.setenv("TIKTOK_SHOP_APP_KEY", "key")
    monkeypatch.setenv("TIKTOK_SHOP_APP_SECRET", "shop-secret-value")
    monkeypatch.setenv("TIKTOK_SHOP_ACCESS_TOKEN", "shop-token-value")
    monkeypatch.setenv("TIKTOK_SHOP_API_BASE", "https://shop.invalid")
    from tokops.config import load_settings
    from tokops.ingest import connect_client

    with connect_client("t", api_base="https://marketing.invalid") as marketing:
        shop = sync_cli.shop_client(load_settings(), marketing)
    assert shop is not None and shop.api.api_base == "https://shop.invalid"
    assert "shop-secret-value" not in repr(shop) and "shop-token-value" not in repr(shop)
    shop.close()
    monkeypatch.delenv("TIKTOK_SHOP_ACCESS_TOKEN")
    result = CliRunner().invoke(sync_cli.app, args)
    assert result.exit_code != 0 and "TIKTOK_SHOP_ACCESS_TOKEN" in result.output + str(
        result.exception
    )
