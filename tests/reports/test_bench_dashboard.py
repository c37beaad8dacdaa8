"""``bench/dashboard.py`` runs end to end on a tiny store and prints its figures (no timing is
asserted, ever)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tokops.reports import TEMPLATES

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dashboard.py"


@pytest.mark.slow
def test_the_dashboard_benchmark_prints_p50_and_p95_of_every_page_and_the_pdf() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--ads", "20", "--days", "40", "--repeat", "1",
         "--pdf-repeat", "1", "--json"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "generated 800 ad_daily rows (20 ads)" in done.stdout
    figures = json.loads(done.stdout.strip().splitlines()[-1])["figures"]
    pages = {f"{kind} {name}" for name in TEMPLATES for kind in ("figures", "page")}
    assert set(figures) == pages | {"pdf tiktok-ads"}
    for got in figures.values():
        assert 0 < got["p50_s"] <= got["p95_s"] and got["runs"] == 1
    assert "reproduce: python bench/dashboard.py --ads 20" in done.stdout
