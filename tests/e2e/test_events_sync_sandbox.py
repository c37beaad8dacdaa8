"""The events sync against the sandbox (the local TikTok emulator): in process through its
httpx transport, and as a real ``tokops events sync`` subprocess against the sandbox served on
loopback (EVT-1, EVT-6, EVT-7, BYD-1, BYD-4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tokops.activate import SyncOptions, run_sync
from tokops.sandbox import FaultSettings, Sandbox, SandboxSettings
from tokops.sandbox.server import serve_in_thread
from tokops.tiktok._http import ApiClient, RetryPolicy
from tokops.tiktok.events import EventsClient
from tokops.warehouse import Store, connect

TOKEN = "sandbox-e2e-token"
PIXEL = "CTOKOPSDEMOPIXEL0001"
OFFLINE_SET = "7200000000000000001"


def _orders(store: Store, n: int, name: str = "orders") -> None:
    now = int(time.time())
    store.con.create_table(
        name,
        pa.table(
            {
                "event": ["Purchase"] * n,
                "event_time": [now - 120 - i for i in range(n)],
                "order_id": [f"o{i}" for i in range(n)],
                "email": [f"Customer{i}@Example.com" for i in range(n)],
                "phone": [f"+33 6 12 {i % 100:02d} {i % 97:02d} 00" for i in range(n)],
                "ip": ["203.0.113.9"] * n,
                "user_agent": ["Mozilla/5.0"] * n,
                "url": [f"https://shop.example/thanks?o={i}" for i in range(n)],
                "value": [round(10 + i % 7 * 1.25, 2) for i in range(n)],
                "currency": ["EUR"] * n,
                "content_ids": [f"sku{i % 9},sku{i % 4}" for i in range(n)],
            }
        ),
    )


def _client(sandbox: Sandbox) -> EventsClient:
    api = ApiClient(
        TOKEN,
        api_base="http://sandbox.local",
        transport=sandbox.transport(),
        retry=RetryPolicy(max_retries=8, base_s=0.0, cap_s=0.0),
        sleep=lambda _s: None,
    )
    return EventsClient(api)


def _live(sandbox: Sandbox, source_id: str) -> dict[str, Any]:
    events = sandbox.diagnostics(source_id)["events"]
    assert len(events) == 1
    report: dict[str, Any] = events[0]
    return report


def test_in_process_web_and_offline(duck_store: Store) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=(TOKEN,)))
    _orders(duck_store, 2500)
    client = _client(sandbox)
    web = run_sync(duck_store, client, SyncOptions("orders", "web", PIXEL))
    offline = run_sync(duck_store, client, SyncOptions("orders", "offline", OFFLINE_SET))
    assert web.completed and offline.completed
    assert web.counts["sent"] == offline.counts["sent"] == 2500
    report = _live(sandbox, PIXEL)
    assert report["total_received"] == 2500
    assert report["deduplication"]["kept"] == 2500
    coverage = report["match_key_coverage"]
    assert coverage["email"] == coverage["phone"] == coverage["ip_user_agent"] == 1.0
    assert report["not_hashed"] == {"email": 0.0, "phone": 0.0}
    assert report["empty_string_hashes"] == 0
    assert _live(sandbox, OFFLINE_SET)["match_key_coverage"]["ip_user_agent"] == 0.0


def test_sandbox_faults_with_answers_lost_after_processing(duck_store: Store) -> None:
    """Drops *after* the sandbox processed a request make retries deliver twice; the sandbox's
    API-to-API dedup keeps one, and the run still completes with every event sent once."""
    faults = FaultSettings(
        http5xx_rate=0.1, drop_rate=0.1, drop_phase="after", storm_rate=0.1, seed=5
    )
    sandbox = Sandbox(SandboxSettings(access_tokens=(TOKEN,), faults=faults))
    _orders(duck_store, 3000)
    summary = run_sync(
        duck_store, _client(sandbox), SyncOptions("orders", "web", PIXEL, batch_size=200)
    )
    assert summary.completed, summary.error
    assert summary.counts["sent"] == 3000
    report = _live(sandbox, PIXEL)
    assert report["deduplication"]["kept"] == 3000
    assert report["total_received"] - 3000 == report["deduplication"]["dropped"]


def test_unknown_pixel_stops_the_run(duck_store: Store) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=(TOKEN,)))
    _orders(duck_store, 50)
    summary = run_sync(
        duck_store, _client(sandbox), SyncOptions("orders", "web", "CNOTMYPIXEL000000000")
    )
    assert not summary.completed and "40001" in (summary.error or "")
    assert summary.counts["sent"] == 0


def _cli(folder: Path, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKOPS_")}
    env["TIKTOK_ACCESS_TOKEN"] = token
    code = "from tokops.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "events", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_cli_against_the_sandbox_server(tmp_path: Path) -> None:
    store = connect(f"duckdb://{tmp_path / 'ws.duckdb'}")
    _orders(store, 1500)
    store.close()
    (tmp_path / "tokops.toml").write_text(
        f'[store]\nurl = "duckdb://{tmp_path / "ws.duckdb"}"\n', encoding="utf-8"
    )
    sandbox = Sandbox(SandboxSettings(access_tokens=(TOKEN,)))
    with serve_in_thread(sandbox) as server:
        base = ["sync", "--source", "orders", "--event-source", "web"]
        base += ["--event-source-id", PIXEL, "--api-base", server.url, "--json"]

        refused = _cli(tmp_path, *base, token="not-the-token")
        assert refused.returncode != 0
        assert "40105" in refused.stderr and "not-the-token" not in refused.stderr + refused.stdout
        assert json.loads(refused.stdout)["counts"]["sent"] == 0

        first = _cli(tmp_path, *base)
        assert first.returncode == 0, first.stderr
        summary = json.loads(first.stdout)
        assert summary["completed"] and summary["counts"]["sent"] == 1500
        assert TOKEN not in first.stdout + first.stderr

        again = _cli(tmp_path, *base)
        assert again.returncode == 0 and json.loads(again.stdout)["counts"]["already_sent"] == 1500

        test_run = _cli(tmp_path, *base, "--test-event-code", "TEST42")
        assert json.loads(test_run.stdout)["counts"]["sent"] == 1500
    assert _live(sandbox, PIXEL)["total_received"] == 1500  # test events stay out of live
    assert len(sandbox.test_events(PIXEL, "TEST42")["list"]) == 1500
