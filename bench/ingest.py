"""Benchmark: a year of daily ads data (and breakdowns) from the sandbox into DuckDB.

    python bench/ingest.py [--scale medium] [--days 365] [--qps 10] [--concurrency 8]
                           [--hourly-days 0] [--json]

1. Starts the sandbox in its own process (``tokops sandbox serve``) on 127.0.0.1 with a seeded
   world (``medium``: 6 advertisers in several time zones and currencies, ~1,000 ads) and the
   Marketing API's app limit (``--qps``; 10 is TikTok's basic tier, with 60 × qps per minute).
2. Runs ``tokops.ingest.sync_ads`` for ``--days`` days of every stream: objects, daily reports
   at four levels, audience breakdowns (gender, age, country), stores and GMV Max; with
   ``--hourly-days N`` also the hourly ad report of the last N days (``ad_hourly``, one request
   per day and page; off by default so the figures stay comparable with earlier runs).
3. Prints rows written and rows/s; API calls made against the minimum the API allows (per
   stream and scope: ``ceil(rows / 1,000)`` pages, and at least one call per 30-day window, the
   sync report's date cap); the share of wall time the API took (a call in flight or a thread
   held by the app's rate limit); the writer's time and how long the store held any worker back.
4. Checks the sums against the sandbox's own ground truth (``world.totals``) on settled days,
   and, with hours, that each advertiser's hourly sums equal its daily sums on the same days.

Nothing here asserts on time; it prints figures.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

TOKEN = "bench-ingest-token"
SEED = 7
REPORTS = (
    "advertiser_daily",
    "campaign_daily",
    "adgroup_daily",
    "ad_daily",
    "audience_gender",
    "audience_age",
    "audience_country",
    "gmv_max_daily",
)
HOURLY = "ad_hourly"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_sandbox(
    folder: Path, scale: str, qps: int, anchor: date
) -> tuple[subprocess.Popen[bytes], str, dict[str, Any]]:
    config = folder / "sandbox.toml"
    config.write_text(
        f'seed = {SEED}\nscale = "{scale}"\nmarketing_qps = {qps}\n'
        f"world_anchor = {anchor.isoformat()}\n\n[marketing]\nqpm = {qps * 60}\n",
        encoding="utf-8",
    )
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from tokops.cli.main import main; main()",
        "sandbox",
        "serve",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--config",
        str(config),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:  # the first read-out also builds the world, outside the timed sync
            r = httpx.get(url + "/sandbox/world/", headers={"Access-Token": TOKEN}, timeout=60)
            if r.status_code == 200:
                return proc, url, r.json()["data"]
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("the sandbox did not start")
        time.sleep(0.2)


def minimum_calls(result: Any, world: dict[str, Any], page_size: int = 1000) -> dict[str, int]:
    """The fewest calls the API allows for what was pulled, per stream.

    Reports: a page per 1,000 rows and a request per 30 days (the daily report's cap) per
    stream and scope. Objects: campaigns, ad groups and ads fit one page each, and campaigns
    need a second request for TopView (``RESERVATION_TOP_VIEW`` must be asked alone, §3.1).
    Discovery: ``/bc/get/``, one ``/bc/asset/get/`` per Business Center, ``/advertiser/info/``
    per 100 advertisers.
    """
    out: dict[str, int] = defaultdict(int)
    for s in result.streams:
        if s.stream == HOURLY and s.first_day:  # one day per hourly request
            days = (date.fromisoformat(s.last_day) - date.fromisoformat(s.first_day)).days + 1
            out[s.stream] += max(math.ceil(s.rows / page_size), days)
        elif s.stream in REPORTS and s.first_day:
            days = (date.fromisoformat(s.last_day) - date.fromisoformat(s.first_day)).days + 1
            out[s.stream] += max(math.ceil(s.rows / page_size), math.ceil(days / 30))
        elif s.stream == "objects":
            out[s.stream] += 4
        elif s.stream == "stores":
            out[s.stream] += 1
    advertisers = len(world["advertisers"])
    out["advertisers"] = math.ceil(advertisers / 100) + 1 + len(world["business_centers"])
    return dict(out)


def ground_truth(store: Any, scale: str, anchor: date, since: date, now: datetime) -> list[str]:
    """Sums of settled days (past the restatement window) against the world's own totals."""
    from tokops.ingest.tasks import local_today
    from tokops.sandbox import Sandbox, SandboxSettings

    world = Sandbox(SandboxSettings(seed=SEED, scale=scale, world_anchor=anchor)).world
    lines = []
    for adv in world.advertisers.values():
        end = local_today(now, adv.timezone) - timedelta(days=9)
        truth = world.totals(adv.advertiser_id, since, end, as_of=now, include_deleted=True)
        got = store.con.con.execute(
            "SELECT sum(spend), sum(impressions), sum(conversion) FROM ad_daily "
            "WHERE advertiser_id = ? AND stat_date BETWEEN ? AND ?",
            [adv.advertiser_id, since, end],
        ).fetchall()[0]
        want = (truth["spend"], truth["impressions"], truth["conversion"])
        verdict = "equal" if tuple(got) == want else f"DIFFERENT (world {want})"
        lines.append(
            f"{adv.advertiser_id} {adv.timezone:<20} {adv.currency} spend {got[0]} "
            f"impressions {got[1]} conversions {got[2]}: {verdict}"
        )
    return lines


def hourly_check(store: Any) -> list[str]:
    """Per advertiser: hourly sums against daily sums over the days ``ad_hourly`` holds, but
    the advertiser's today (still accruing on the real clock between the two pulls)."""
    rows = store.con.con.execute(
        "WITH h AS (SELECT advertiser_id, stat_date, sum(spend) s, sum(impressions) i "
        "FROM ad_hourly GROUP BY 1, 2), d AS (SELECT advertiser_id, stat_date, sum(spend) s, "
        "sum(impressions) i FROM ad_daily GROUP BY 1, 2), "
        "t AS (SELECT advertiser_id, max(stat_date) today FROM ad_daily GROUP BY 1) "
        "SELECT h.advertiser_id, count(*), count(*) FILTER (WHERE h.s = d.s AND h.i = d.i) "
        "FROM h JOIN d USING (advertiser_id, stat_date) JOIN t USING (advertiser_id) "
        "WHERE h.stat_date < t.today GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return [
        f"{adv} hours vs days on {n} days: "
        + ("equal" if same == n else f"DIFFERENT on {n - same} days")
        for adv, n, same in rows
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--qps", type=int, default=10, help="the app's QPS tier (sandbox and client)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument(
        "--hourly-days", type=int, default=0, help="also pull ad_hourly for the last N days"
    )
    ap.add_argument("--no-check", action="store_true", help="skip the ground-truth comparison")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args()

    from tokops.ingest import AdsSyncOptions, connect_client, sync_ads
    from tokops.warehouse import connect as connect_store

    now = datetime.now(UTC)
    anchor = now.date()
    since = anchor - timedelta(days=args.days - 1)
    with tempfile.TemporaryDirectory(prefix="tokops-bench-ingest-") as tmp:
        folder = Path(tmp)
        proc, url, world = start_sandbox(folder, args.scale, args.qps, anchor)
        try:
            client = connect_client(TOKEN, api_base=url, qps=args.qps)
            store = connect_store(f"duckdb://{folder / 'bench.duckdb'}")
            options = AdsSyncOptions(
                since=since, concurrency=args.concurrency, hourly_days=args.hourly_days
            )
            result = sync_ads(store, client, options)
            check = [] if args.no_check else ground_truth(store, args.scale, anchor, since, now)
            if args.hourly_days and not args.no_check:
                check += hourly_check(store)
            store.close()
            client.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    report(args, result, minimum_calls(result, world), check)


def report(
    args: argparse.Namespace, result: Any, minimum: dict[str, int], check: list[str]
) -> None:
    made: dict[str, int] = defaultdict(int)
    rows: dict[str, int] = defaultdict(int)
    for s in result.streams:
        made[s.stream] += s.calls
        rows[s.stream] += s.rows
    other = result.api_calls - sum(made.values())
    made["advertisers"] += other  # discovery and /advertiser/info/ are counted outside streams
    total_min = sum(minimum.values())
    print(
        f"tokops ingest bench: scale={args.scale} days={args.days} qps={args.qps} "
        f"concurrency={args.concurrency} status={result.status}"
    )
    print(f"{'stream':<18}{'rows':>10}{'calls':>8}{'minimum':>9}{'ratio':>7}")
    for name in sorted(set(made) | set(minimum)):
        m = minimum.get(name, 0)
        ratio = f"{made[name] / m:.2f}" if m else "-"
        print(f"{name:<18}{rows.get(name, 0):>10,}{made[name]:>8,}{m:>9,}{ratio:>7}")
    ratio = result.api_calls / total_min if total_min else float("nan")
    print(f"{'total':<18}{result.rows:>10,}{result.api_calls:>8,}{total_min:>9,}{ratio:>7.2f}")
    print(
        f"rows written      {result.rows:,} in {result.seconds:.1f} s = "
        f"{result.rows / result.seconds:,.0f} rows/s"
    )
    print(f"API calls         {result.api_calls:,} made, {total_min:,} minimum: {ratio:.3f} x")
    print(
        f"API's wall share  {result.api_share:.1%} (a call in flight or the app's rate limit "
        f"holding a thread: {result.api_busy_s:.1f} s of {result.seconds:.1f} s)"
    )
    print(
        f"store             writer busy {result.store_s:.1f} s (overlapping the API); workers "
        f"held back by the store {result.store_stall_s:.2f} s"
    )
    for line in check:
        print(f"ground truth      {line}")
    dropped = ", ".join(f"{k}: {v}" for k, v in result.dropped_metrics.items())
    if dropped:
        print(f"metrics the sandbox refused (left NULL): {dropped}")
    cmd = [
        "python",
        "bench/ingest.py",
        "--scale",
        args.scale,
        "--days",
        str(args.days),
        "--qps",
        str(args.qps),
        "--concurrency",
        str(args.concurrency),
        *(["--hourly-days", str(args.hourly_days)] if args.hourly_days else []),
    ]
    print(f"reproduce: {shlex.join(cmd)}")
    if args.json:
        figures = {
            "rows": result.rows,
            "seconds": round(result.seconds, 3),
            "rows_per_s": round(result.rows / result.seconds, 1),
            "api_calls": result.api_calls,
            "min_calls": total_min,
            "calls_ratio": round(ratio, 4),
            "api_share": round(result.api_share, 4),
            "store_s": round(result.store_s, 3),
            "store_stall_s": round(result.store_stall_s, 3),
            "status": result.status,
            "ground_truth_equal": all(line.endswith("equal") for line in check),
        }
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
