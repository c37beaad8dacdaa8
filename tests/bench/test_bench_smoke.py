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
