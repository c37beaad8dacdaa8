"""`tokops events map` and `tokops events sync --dry-run` through the CLI (thin adapter)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokops.activate.mapping import load_mapping
from tokops.cli.main import app

runner = CliRunner()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOKOPS_STORE_URL", raising=False)
    monkeypatch.delenv("TIKTOK_ACCESS_TOKEN", raising=False)
    (tmp_path / "tokops.toml").write_text('[store]\nurl = "duckdb://ws.duckdb"\n', encoding="utf-8")
    now = int(time.time())
    (tmp_path / "orders.csv").write_text(
        "order_number,customer_email,amount,currency_code,created_at,page_url\n"
        f"A1, Bob@Example.com ,12.50,eur,{now - 60},https://s/1\n"
        f"A2,not-an-email,5,EUR,{now - 60},https://s/2\n"
        f"A3,c@d.co,7,EUR,{now - 60},https://s/3\n"
        f"A3,c@d.co,7,EUR,{now - 60},https://s/3\n",
        encoding="utf-8",
    )
    return tmp_path


def test_map_proposes_a_mapping_file(workspace: Path) -> None:
    result = runner.invoke(app, ["events", "map", "orders.csv", "--out", "m.toml"])
    assert result.exit_code == 0, result.output
    assert "customer_email" in result.output and "synonym" in result.output
    mapping = load_mapping(workspace / "m.toml")
    assert mapping.columns["email"] == "customer_email"
    assert mapping.constants == {"event": "Purchase"}
    again = runner.invoke(app, ["events", "map", "orders.csv", "--out", "m.toml"])
    assert again.exit_code != 0  # refuses to overwrite without --force


def test_dry_run_json(workspace: Path) -> None:
    runner.invoke(app, ["events", "map", "orders.csv", "--out", "m.toml"])
    args = ["events", "sync", "--source", "orders.csv", "--event-source", "web"]
    args += ["--event-source-id", "CPIX", "--mapping", "m.toml", "--dry-run", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["completed"] is True and summary["dry_run"] is True
    counts = summary["counts"]
    assert (counts["would_send"], counts["invalid"], counts["duplicate"]) == (2, 1, 1)
    assert summary["top_reasons"] == [{"reason": "invalid email", "count": 1, "sample": "no…"}]
    assert "Bob@Example.com" not in result.stdout  # the sample event carries hashes only


def test_dry_run_table_output(workspace: Path) -> None:
    runner.invoke(app, ["events", "map", "orders.csv", "--out", "m.toml"])
    args = ["events", "sync", "--source", "orders.csv", "--event-source", "web"]
    args += ["--event-source-id", "CPIX", "--mapping", "m.toml", "--dry-run"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "would send" in result.output and "invalid email" in result.output


def test_missing_token_is_a_clear_error(workspace: Path) -> None:
    args = ["events", "sync", "--source", "orders.csv", "--event-source", "web"]
    result = runner.invoke(app, [*args, "--event-source-id", "CPIX"])
    assert result.exit_code != 0
    assert "TIKTOK_ACCESS_TOKEN" in str(result.exception)


def test_missing_source_is_a_one_line_error(workspace: Path) -> None:
    args = ["events", "sync", "--source", "no_such_table", "--event-source", "web"]
    result = runner.invoke(app, [*args, "--event-source-id", "CPIX", "--dry-run"])
    assert result.exit_code != 0
    assert "no table 'no_such_table'" in str(result.exception)


def test_declared_formats_through_the_cli(workspace: Path) -> None:
    """Issue 9 §5: US-style times in the workspace's zone, amounts with symbols and grouping,
    a constant page URL; the output says which zone was assumed and shows redacted samples."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    local = (datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=1)).replace(
        second=0, microsecond=0
    )
    when = local.strftime("%m/%d/%Y %I:%M %p")
    (workspace / "shop.csv").write_text(
        "order,mail,total,at\n"
        f'A1,bob@example.com,"$1,234.50",{when}\n'
        f'A2,"[red]x@y","$2",{when}\n'
        f'A3,c@d.co,"1.234,50",{when}\n',
        encoding="utf-8",
    )
    (workspace / "tokops.toml").write_text(
        '[store]\nurl = "duckdb://ws.duckdb"\n[events]\ntimezone = "America/New_York"\n',
        encoding="utf-8",
    )
    (workspace / "m.toml").write_text(
        '[columns]\norder_id = "order"\nemail = "mail"\nvalue = "total"\nevent_time = "at"\n'
        '[constants]\nevent = "Purchase"\ncurrency = "USD"\nurl = "https://shop.example/co"\n'
        '[formats]\nevent_time_format = "%m/%d/%Y %I:%M %p"\nvalue_locale = "en"\n',
        encoding="utf-8",
    )
    args = ["events", "sync", "--source", "shop.csv", "--event-source", "web"]
    args += ["--event-source-id", "CPIX", "--mapping", "m.toml", "--dry-run"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["counts"]["would_send"] == 1 and summary["counts"]["invalid"] == 2
    assert summary["time_zone"] == "America/New_York"
    event = summary["sample_event"]
    assert event["event_time"] == int(local.timestamp())
    assert event["properties"]["value"] == 1234.5
    assert event["page"]["url"] == "https://shop.example/co"
    samples = {r["reason"]: r["sample"] for r in summary["top_reasons"]}
    assert samples == {"invalid email": "[r…@…", "non-numeric value": "1.234,50"}
    table = runner.invoke(app, args, env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    assert "times without a zone were read as America/New_York" in table.output
    assert '"[r…@…"' in table.output and "x@y" not in table.output


def test_map_explains_the_url_constant_as_text(workspace: Path) -> None:
    (workspace / "no_url.csv").write_text(
        "order_number,customer_email,amount,created_at\nA1,b@c.co,1,2026-01-01\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["events", "map", "no_url.csv"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "constant for every row in [constants]" in result.output  # not eaten as markup
    assert '# url = "https://shop.example/checkout"' in result.stdout


def test_the_events_client_has_the_events_api_rate_not_the_marketing_api_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 9 §1: /event/track/ allows 1,000 QPS (events_api.md §4); the Marketing API's
    default cap of 50 QPS limited a sync to 50 requests × 1,000 events a second."""
    from tokops.cli.events import _events_client
    from tokops.config import Settings

    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", "t")
    settings = Settings.model_validate({"tiktok": {"qps": 50}})
    client = _events_client(settings, "http://127.0.0.1:9")
    try:
        assert client.api.rate_limiter is not None and client.api.rate_limiter.rate == 1000
    finally:
        client.api.close()
    tuned = Settings.model_validate({"tiktok": {"qps": 50}, "events": {"qps": 200}})
    client = _events_client(tuned, "http://127.0.0.1:9")
    try:
        assert client.api.rate_limiter is not None and client.api.rate_limiter.rate == 200
    finally:
        client.api.close()
