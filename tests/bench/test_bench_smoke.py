"""The benchmark script runs end to end on tiny sizes (no timing is asserted, ever)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "events_sync.py"


@pytest.mark.slow
def test_benchmark_prints_figures_and_the_sink_gets_every_event() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--events", "2000", "--sdk-events", "1000", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for label in ("tokops ", "tokops peak RSS", "official SDK", "ratio", "reproduce"):
        assert label in out
    assert "events/s" in out and "python bench/events_sync.py --events 2000" in out
    figures = json.loads(out.strip().splitlines()[-1])
    tokops, sdk = figures["tokops"], figures["sdk"]
    assert tokops["events_received_by_sink"] == 2000 == tokops["sync_counts"]["sent"]
    assert tokops["requests"] == 2
    assert sdk["events_received_by_sink"] == 1000 == sdk["events_sent"]
    assert tokops["peak_rss_mb"] > 0 and figures["ratio"] is not None


@pytest.mark.slow
def test_whole_process_mode_runs_the_cli_in_fresh_workspaces() -> None:
    """Issue 9 §1: ``--cli`` runs ``tokops events sync`` as a whole process on a messy Parquet
    file, N fresh runs in a row, and prints per run: completed, events/s, wall, RSS, CPU."""
    done = subprocess.run(
        [sys.executable, str(BENCH), "--cli", "--events", "3000", "--runs", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("run ")]
    assert len(lines) == 2
    for line in lines:
        for label in ("completed", "events/s", "wall", "peak RSS", "CPU", "load"):
            assert label in line
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["runs"] == 2 == figures["completed"]
    for run in figures["results"]:
        assert run["completed"] and run["sent"] == 3000 == run["received"]
        assert run["requests"] == 3  # 1,000 events a request
        assert run["peak_rss_mb"] > 0 and run["wall_s"] > 0 and run["cpu_percent"] > 0
