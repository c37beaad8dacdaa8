"""Shop streams of one advertiser (COM-2): its TikTok Shop stores and their GMV Max results.

- ``stores``: the stores the ad account can advertise (``/store/list/``), merged by key.
- ``gmv_max_daily``: ``/gmv_max/report/get/`` per store by campaign and day (orders, gross
  revenue, cost), window by window like the ads reports; one cursor per store.

Both are optional: an account without Shop access answers with a permission error, and the
stream is reported as skipped rather than failed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any, Final

from tokops.ingest.ads import AdvertiserInfo
from tokops.ingest.batches import BatchBuilder
from tokops.ingest.state import plan_range
from tokops.ingest.tables import GMV_MAX_METRICS, table
from tokops.ingest.tasks import Chunk, Task, TaskContext, local_today
from tokops.ingest.windows import WindowPlanner
from tokops.tiktok.marketing.report_windows import DAILY_MAX_DAYS
from tokops.warehouse.merge import Scope

__all__ = ["SHOP_STREAMS", "shop_tasks"]

STORES: Final = "stores"
GMV_MAX: Final = "gmv_max_daily"
SHOP_STREAMS: Final = (STORES, GMV_MAX)
_STORES_KEY: Final = "stores:"


def _stores(ctx: TaskContext, adv: AdvertiserInfo) -> Iterator[Chunk]:
    aid = adv.advertiser_id
    rows = [s.model_dump() for s in ctx.client.stores.iter(aid)]
    ctx.put(_STORES_KEY + aid, [r["store_id"] for r in rows])
    tbl = table(STORES)
    constants = {"advertiser_id": aid, "synced_at": ctx.now()}
    builder = BatchBuilder(tbl, [c for c in tbl.names if c not in constants], constants=constants)
    yield Chunk(STORES, list(builder.build(rows)), builder.total)


def _gmv_max(ctx: TaskContext, adv: AdvertiserInfo) -> Iterator[Chunk]:
    aid = adv.advertiser_id
    today = local_today(ctx.now(), adv.timezone)
    tbl = table(GMV_MAX)
    metrics = [c.name for c in GMV_MAX_METRICS]
    for store_id in ctx.get(_STORES_KEY + aid) or []:
        span = plan_range(
            ctx.cursors.get(GMV_MAX, store_id),
            today=today,
            since=ctx.since,
            history_days=ctx.history_days,
        )
        if span is None:
            continue
        planner = WindowPlanner(span[0], span[1], max_days=DAILY_MAX_DAYS, page_size=ctx.page_size)
        scope: dict[str, Any] = {"advertiser_id": aid, "store_id": store_id}
        while (window := planner.next()) is not None:
            ctx.check_stop()
            rows = ctx.client.gmv_max.report(
                aid,
                store_id,
                start_date=window.start,
                end_date=window.end,
                dimensions=["campaign_id", "stat_time_day"],
                metrics=metrics,
                page_size=ctx.page_size,
            )
            constants = {**scope, "currency": adv.currency, "synced_at": ctx.now()}
            builder = BatchBuilder(
                tbl, [c for c in tbl.names if c not in constants], constants=constants
            )
            batches = list(
                builder.build(
                    {
                        **r.metrics,
                        "campaign_id": r.dimensions.get("campaign_id"),
                        "stat_date": r.day,
                    }
                    for r in rows
                    if r.day is not None and r.dimensions.get("campaign_id")
                )
            )
            planner.observed(window, builder.total)
            yield Chunk(
                GMV_MAX,
                batches,
                builder.total,
                scope=Scope(scope, ("stat_date", window.start, window.end)),
                window=window,
                today=today,
                cursor_id=store_id,
            )


def shop_tasks(
    advertisers: Sequence[AdvertiserInfo], streams: Sequence[str] | None = None
) -> list[Task]:
    """Stores, then GMV Max per store, for each advertiser (both optional)."""
    wanted = set(streams) if streams else set(SHOP_STREAMS)
    out: list[Task] = []
    for adv in advertisers:
        aid = adv.advertiser_id
        if STORES in wanted or GMV_MAX in wanted:
            out.append(Task(STORES, aid, partial(_stores, adv=adv), optional=True))
        if GMV_MAX in wanted:
            out.append(Task(GMV_MAX, aid, partial(_gmv_max, adv=adv), after=STORES, optional=True))
    return out
