"""Benchmark: KPI roll-ups over 10 million ad-day rows on DuckDB.

    python bench/kpi.py [--rows 10000000] [--repeat 5] [--json] [--store PATH] [--by GRAIN]

1. Generates ``ad_daily`` (tables as declared in ``tokops.warehouse.schema``) in a temporary
   DuckDB file with one DuckDB SQL statement: 20,000 ads × days (rows / 20,000), 10 advertisers
   (two in EUR), 400 campaigns, 4,000 ad groups, a third of the ads Spark; plus ``ads``.
2. Rebuilds the ``ad_monthly`` pre-aggregate (:mod:`tokops.warehouse.rollup`; a sync does this
   once for the advertisers it pulled) and prints its time.
3. Times :func:`tokops.metrics.compute.compute_kpis` with **every paid KPI of the catalogue** at
   each grain below (query + formulas + Python rows), median of ``--repeat`` runs after one
   warm-up. Target: every roll-up under 1 s median on the CI machine.

``--store PATH`` keeps the generated DuckDB file (and reuses it when it exists, so runs can be
repeated without the ~20 s generation); ``--by`` times only the grains given (repeatable). The
load average is printed before and after: on a shared machine, a busy run is not a figure.

Nothing here asserts on time; it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tokops.metrics.compute import compute_kpis
from tokops.warehouse import connect
from tokops.warehouse._duckdb import raw_connection
from tokops.warehouse.merge import declare_table
from tokops.warehouse.rollup import refresh_ad_monthly
from tokops.warehouse.schema import table as table_def

ADS = 20_000
GRAINS = (
    "",
    "day",
    "week",
    "month",
    "advertiser",
    "campaign",
    "campaign,month",
    "adgroup",
    "spark",
    "advertiser,day",
    "ad",
)

_AD_DAILY = """
INSERT INTO ad_daily (advertiser_id, campaign_id, adgroup_id, ad_id, stat_date, currency, spend,
    impressions, clicks, reach, conversion, complete_payment, total_complete_payment_rate,
    onsite_shopping, total_onsite_shopping_value, video_play_actions, video_watched_2s,
    video_watched_6s, video_views_p25, video_views_p50, video_views_p75, video_views_p100,
    average_video_play, average_video_play_per_user, likes, comments, shares, follows,
    profile_visits, anchor_clicks, engagements)
SELECT 'adv' || (a // 2000), 'c' || (a // 50), 'g' || (a // 5), 'ad' || a,
    DATE '2023-01-01' + CAST(i // {ads} AS INTEGER),
    CASE WHEN a // 2000 >= 8 THEN 'EUR' ELSE 'USD' END,
    CAST((h % 10000) / 100.0 AS DECIMAL(18, 2)), imp, imp // 97, imp * 8 // 10,
    imp // 1500, imp // 3000, CAST((h % 5000) / 10.0 AS DECIMAL(18, 2)), imp // 4000,
    CAST((h % 3000) / 10.0 AS DECIMAL(18, 2)), imp // 3, imp // 4, imp // 6, imp // 5,
    imp // 8, imp // 12, imp // 20, CAST((h % 900) / 100.0 AS DECIMAL(18, 4)),
    CAST((h % 1200) / 100.0 AS DECIMAL(18, 4)), imp // 200, imp // 900, imp // 700,
    CASE WHEN a % 3 = 0 THEN imp // 1000 ELSE 0 END, CASE WHEN a % 3 = 0 THEN imp // 800 ELSE 0 END,
    CASE WHEN a % 3 = 0 THEN imp // 2000 ELSE 0 END, imp // 60
FROM (SELECT i, i % {ads} AS a, hash(i) AS h, 100 + hash(i) % 20000 AS imp FROM range({rows}) t(i))
"""
_ADS = """
INSERT INTO ads (advertiser_id, campaign_id, adgroup_id, ad_id, is_spark)
SELECT 'adv' || (a // 2000), 'c' || (a // 50), 'g' || (a // 5), 'ad' || a, a % 3 = 0
FROM range({ads}) t(a)
"""


def generate(url: str, rows: int) -> float:
    store = connect(url)
    started = time.perf_counter()
    for name in ("ad_daily", "ads"):
        declare_table(store, table_def(name).spec())
    raw = raw_connection(store.con)
    raw.execute(_AD_DAILY.format(ads=ADS, rows=rows))
    raw.execute(_ADS.format(ads=ADS))
    raw.execute("CHECKPOINT")
    store.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="also print figures as JSON")
    parser.add_argument("--store", type=Path, help="DuckDB file to keep (reused if it exists)")
    parser.add_argument("--by", action="append", help="only this grain ('' = total); repeat")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "bench.duckdb"
        url = f"duckdb://{path}"
        gen = 0.0
        if path.exists():
            print(f"reusing {path} (not regenerated; --rows ignored)")
        else:
            gen = generate(url, args.rows)
            print(f"generated {args.rows:,} ad_daily rows in {gen:.1f} s")
        store = connect(url)
        started = time.perf_counter()
        monthly = refresh_ad_monthly(store)  # what every sync pays once (see warehouse/rollup.py)
        refresh = time.perf_counter() - started
        print(f"refreshed ad_monthly ({monthly:,} rows) in {refresh:.2f} s")
        figures: dict[str, dict[str, float | int]] = {}
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        for grain in args.by if args.by is not None else GRAINS:
            compute_kpis(store, grain)  # warm-up
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = compute_kpis(store, grain)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            figures[grain or "(total)"] = {"median_s": median, "groups": len(result.rows)}
            flag = "" if median < 1 else "  OVER 1 s"
            print(
                f"--by {grain or '(total)':<16} {len(result.rows):>7,} groups × "
                f"{len(result.kpis)} KPIs  median {median:.3f} s  (min {min(times):.3f}){flag}"
            )
        store.close()
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"reproduce: python bench/kpi.py --rows {args.rows} --repeat {args.repeat}")
    if args.json:
        figures_all = {"rows": args.rows, "generate_s": gen, "refresh_s": refresh}
        print(json.dumps({**figures_all, "rollups": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
