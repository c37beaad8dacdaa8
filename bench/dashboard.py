"""Benchmark: report pages and a PDF over two years of daily data for 2,000 ads (KPI-6).

    python bench/dashboard.py [--ads 2000] [--days 730] [--repeat 5] [--pdf-repeat 3]
                              [--store PATH] [--json]

1. Generates ``ad_daily`` (≈ 1.5 M ad-day rows: 2,000 ads × 730 days from 2023-01-01, with
   ``bench/kpi.py``'s generator) and ``ads`` in a temporary DuckDB file, then refreshes the
   ``ad_monthly`` roll-up as a sync does.
2. Times, for each report template over the last 30 days of the data, ``--repeat`` runs after
   one warm-up of: its **figures** (:func:`tokops.reports.build_report`: every tile, series and
   table through the KPI engine, what a live page needs from the server, whose charts the
   browser draws from their Vega-Lite specs) and its **page** (the figures plus the
   self-contained HTML of :func:`tokops.reports.render_report`, whose charts vl-convert draws
   to SVG on the server). Templates whose sources are not generated (organic, events) show
   their "No data" widgets: theirs is the cost of an empty page.
3. Times the PDF of ``tiktok-ads`` (``--pdf-repeat`` runs).

It prints p50 and p95 of each (targets on this machine: page p95 < 300 ms, PDF < 5 s) and the
load average before and after: on a shared machine, a busy run is not a figure. Nothing here
asserts on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kpi import generate
from tokops.reports import TEMPLATES, build_report, render_report, resolve_range
from tokops.warehouse import Store, connect
from tokops.warehouse.rollup import refresh_ad_monthly

FIRST_DAY = dt.date(2023, 1, 1)
PAGE_TARGET_S = 0.3
PDF_TARGET_S = 5.0


def percentiles(times: list[float]) -> dict[str, float]:
    """p50 and p95 of *times* (seconds; the largest time stands for p95 below 20 runs)."""
    ordered = sorted(times)
    p95 = statistics.quantiles(ordered, n=20)[-1] if len(ordered) >= 20 else ordered[-1]
    return {"p50_s": statistics.median(ordered), "p95_s": p95, "runs": len(ordered)}


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm-up: the first chart of a process starts vl-convert's engine
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def page(store: Store, name: str, fmt: str | None, last_day: dt.date) -> Callable[[], object]:
    """Build the report *name* over the last 30 days, and render it to *fmt* unless None."""
    rng = resolve_range(None, start=last_day - dt.timedelta(days=29), end=last_day)
    if fmt is None:
        return lambda: build_report(store, name, rng)
    return lambda: render_report(build_report(store, name, rng), fmt)


def show(label: str, got: dict[str, float], target_s: float) -> None:
    flag = "" if got["p95_s"] < target_s else f"  over the {target_s * 1000:.0f} ms target"
    print(f"{label:<30} p50 {got['p50_s'] * 1000:7.0f} ms  p95 {got['p95_s'] * 1000:7.0f} ms{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=2000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pdf-repeat", type=int, default=3)
    parser.add_argument("--store", type=Path, help="DuckDB file to keep (reused if it exists)")
    parser.add_argument("--json", action="store_true", help="also print figures as JSON")
    args = parser.parse_args(argv)
    rows = args.ads * args.days
    last_day = FIRST_DAY + dt.timedelta(days=args.days - 1)
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "dashboard.duckdb"
        url = f"duckdb://{path}"
        if path.exists():
            print(f"reusing {path} (not regenerated)")
        else:
            seconds = generate(url, rows, ads=args.ads)
            print(f"generated {rows:,} ad_daily rows ({args.ads:,} ads) in {seconds:.1f} s")
        store = connect(url)
        try:
            refresh_ad_monthly(store)
            print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            for name in TEMPLATES:
                for kind, fmt in (("figures", None), ("page", "html")):
                    got = percentiles(timed(page(store, name, fmt, last_day), args.repeat))
                    figures[f"{kind} {name}"] = got
                    show(f"{kind} {name}", got, PAGE_TARGET_S)
            got = percentiles(timed(page(store, "tiktok-ads", "pdf", last_day), args.pdf_repeat))
            figures["pdf tiktok-ads"] = got
            show("pdf tiktok-ads", got, PDF_TARGET_S)
        finally:
            store.close()
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"reproduce: python bench/dashboard.py --ads {args.ads} --days {args.days} "
        f"--repeat {args.repeat} --pdf-repeat {args.pdf_repeat}"
    )
    if args.json:
        print(json.dumps({"rows": rows, "ads": args.ads, "figures": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
