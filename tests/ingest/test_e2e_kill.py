"""A real ``tokops sync ads`` in a subprocess, killed with SIGKILL mid-run, then run again: the
store ends with exactly the world's numbers (no duplicates, nothing missing). The sandbox is a
real HTTP server on loopback; the benchmark script also runs end to end on a tiny world."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tokops.ingest.tasks import local_today
from tokops.sandbox import FaultSettings, Sandbox, SandboxSettings
from tokops.sandbox.server import serve_in_thread
from tokops.warehouse import connect

TOKEN = "ingest-kill-token"
KILL_AFTER_REPORTS = 12
BENCH = Path(__file__).resolve().parents[2] / "bench" / "ingest.py"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tokops.cli.sync import app; app()", *args]


@pytest.mark.slow
def test_a_killed_sync_resumes_and_ends_with_the_worlds_numbers(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    settings = SandboxSettings(
        seed=5,
        scale="small",
        world_anchor=now.date(),
        access_tokens=(TOKEN,),
        marketing_qps=20,
        faults=FaultSettings(latency_ms=40),
    )
    sandbox = Sandbox(settings)
    reports = {"n": 0}
    enough = threading.Event()
    handle = sandbox.handle

    def counting(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        if path.endswith("/report/integrated/get/"):
            reports["n"] += 1
            if reports["n"] >= KILL_AFTER_REPORTS:
                enough.set()
        return handle(method, path, *args, **kwargs)

    sandbox.handle = counting  # type: ignore[method-assign]
    store_path = tmp_path / "tokops.duckdb"
    (tmp_path / "tokops.toml").write_text(f'[store]\nurl = "duckdb://{store_path}"\n')
    env = {**os.environ, "TIKTOK_ACCESS_TOKEN": TOKEN}
    since = (now - timedelta(days=45)).date()
    with serve_in_thread(sandbox) as server:
        args = cli(
            "ads", "--api-base", server.url, "--since", since.isoformat(), "--qps", "20", "--json"
        )
        first = subprocess.Popen(
            args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert enough.wait(120), "the first sync never got going"
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        second = subprocess.run(
            args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    assert second.returncode == 0, second.stderr[-2000:]
    assert json.loads(second.stdout)["status"] == "ok"
    store = connect(f"duckdb://{store_path}")
    con = store.con.con
    runs = [r["status"] for r in store.fetch(store.table("ingest_runs")).to_pylist()]
    assert sorted(runs) == ["ok", "running"]  # the killed run never recorded an end
    dupes = con.execute(
        "SELECT count(*) - count(DISTINCT (advertiser_id, ad_id, stat_date)) FROM ad_daily"
    ).fetchall()
    assert dupes == [(0,)]
    world = sandbox.world
    for adv in world.advertisers.values():
        end = local_today(now, adv.timezone) - timedelta(days=9)  # settled: restatement is over
        truth = world.totals(adv.advertiser_id, since, end, include_deleted=True)
        got = con.execute(
            "SELECT sum(spend), sum(impressions), sum(conversion) FROM ad_daily "
            "WHERE advertiser_id = ? AND stat_date BETWEEN ? AND ?",
            [adv.advertiser_id, since, end],
        ).fetchall()
        assert got == [(truth["spend"], truth["impressions"], truth["conversion"])]


@pytest.mark.slow
def test_the_benchmark_prints_its_figures_on_a_tiny_world() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--scale", "small", "--days", "20", "--qps", "50", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for label in ("rows/s", "minimum", "API's wall share", "ground truth", "reproduce"):
        assert label in done.stdout
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["status"] == "ok" and figures["ground_truth_equal"] is True
    assert figures["api_calls"] >= figures["min_calls"] > 0
