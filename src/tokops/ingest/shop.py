"""Shop streams (COM-2, COM-9): stores, GMV Max results, catalogues and orders.

- ``stores``: the stores the ad account can advertise (``/store/list/``), merged by key.
- ``gmv_max_daily``: ``/gmv_max/report/get/`` per store by campaign and day (orders, gross
  revenue, cost), window by window like the ads reports; one cursor per store.
- ``shop_products``: each store's catalogue (``/store/product/get/`` through the store's
  authorising Business Center), a snapshot replacing the store's rows.
- ``shop_orders``: orders of the seller's shops from the TikTok Shop Partner API (its own
  credentials, :mod:`tokops.tiktok.shop`), by **update time** in UTC-day windows with the run's
  look-back, one cursor per shop; orders go to ``shop_orders`` and their line items to
  ``shop_order_lines``, both merged by key (re-runs add nothing, updated orders replace theirs).
  Amounts become ``Decimal``; one that cannot be read is left NULL and named in the row's
  ``problems`` column instead of failing the stream.

All are optional: an account without Shop access answers with a permission error, and no Shop
credentials means ``shop_orders`` is reported as skipped rather than failed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import AuthError, PipelineError
from tokops.ingest.ads import AdvertiserInfo
from tokops.ingest.batches import BatchBuilder
from tokops.ingest.state import plan_range
from tokops.ingest.tasks import Chunk, SkipStream, Task, TaskContext, local_today
from tokops.ingest.windows import WindowPlanner
from tokops.tiktok.marketing.report_windows import DAILY_MAX_DAYS
from tokops.warehouse import schema
from tokops.warehouse.merge import Scope
from tokops.warehouse.schema.columns import GMV_MAX_COLUMNS

if TYPE_CHECKING:
    from tokops.tiktok.shop import ShopClient, ShopOrder

__all__ = ["SHOP_SCOPE", "SHOP_STREAMS", "order_rows", "shop_tasks"]

STORES: Final = schema.STORES.name
GMV_MAX: Final = schema.GMV_MAX_DAILY.name
PRODUCTS: Final = schema.SHOP_PRODUCTS.name
ORDERS: Final = schema.SHOP_ORDERS.name
ORDER_LINES: Final = schema.SHOP_ORDER_LINES.name
SHOP_STREAMS: Final = (STORES, GMV_MAX, PRODUCTS, ORDERS)
SHOP_SCOPE: Final = "tiktok_shop"
"""Scope of the ``shop_orders`` task (its cursors are per shop)."""
ORDER_WINDOW_DAYS: Final = 7
_STORES_KEY: Final = "stores:"
_STORE_BCS_KEY: Final = "store_bcs:"
_PRODUCTS_DONE: Final = "shop_products_done"
_MAX_MONEY: Final = Decimal(10) ** 16
_NO_CREDENTIALS: Final = (
    "no TikTok Shop credentials: set TIKTOK_SHOP_APP_KEY, TIKTOK_SHOP_APP_SECRET and "
    "TIKTOK_SHOP_ACCESS_TOKEN to pull Shop orders"
)


def _stores(ctx: TaskContext, adv: AdvertiserInfo) -> Iterator[Chunk]:
    aid = adv.advertiser_id
    rows = [s.model_dump() for s in ctx.client.stores.iter(aid)]
    ctx.put(_STORES_KEY + aid, [r["store_id"] for r in rows])
    ctx.put(_STORE_BCS_KEY + aid, [(r["store_id"], r.get("store_authorized_bc_id")) for r in rows])
    tbl = schema.table(STORES)
    constants = {"advertiser_id": aid, "synced_at": ctx.now()}
    builder = BatchBuilder(tbl, [c for c in tbl.names if c not in constants], constants=constants)
    yield Chunk(STORES, list(builder.build(rows)), builder.total)


def _gmv_max(ctx: TaskContext, adv: AdvertiserInfo) -> Iterator[Chunk]:
    aid = adv.advertiser_id
    today = local_today(ctx.now(), adv.timezone)
    tbl = schema.table(GMV_MAX)
    metrics = [c.name for c in GMV_MAX_COLUMNS]
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


def _money(value: Any, name: str, problems: list[str]) -> Decimal | None:
    """A decimal amount, or ``None`` with *name* added to *problems* when unreadable."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= _MAX_MONEY:
        problems.append(name)
        return None
    return number


def _problems(names: Sequence[str]) -> list[str] | None:
    return list(names) if names else None


def _products(ctx: TaskContext, adv: AdvertiserInfo) -> Iterator[Chunk]:
    aid = adv.advertiser_id
    tbl = schema.table(PRODUCTS)
    for store_id, bc_id in ctx.get(_STORE_BCS_KEY + aid) or []:
        if not bc_id:
            continue
        with ctx.lock:  # a store shared by several ad accounts is pulled once
            done: set[str] = ctx.shared.setdefault(_PRODUCTS_DONE, set())
            if store_id in done:
                continue
            done.add(store_id)
        ctx.check_stop()
        rows = []
        for product in ctx.client.stores.products(bc_id, store_id, advertiser_id=aid):
            problems: list[str] = []
            row = product.model_dump(exclude={"min_price", "max_price"})
            row["min_price"] = _money(product.min_price, "min_price", problems)
            row["max_price"] = _money(product.max_price, "max_price", problems)
            row["problems"] = _problems(problems)
            rows.append(row)
        constants = {"store_id": store_id, "synced_at": ctx.now()}
        builder = BatchBuilder(
            tbl, [c for c in tbl.names if c not in constants], constants=constants
        )
        batches = list(builder.build(rows))
        yield Chunk(PRODUCTS, batches, builder.total, scope=Scope({"store_id": store_id}))


def order_rows(
    orders: Sequence[ShopOrder],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``shop_orders`` and ``shop_order_lines`` rows of *orders* (amounts as ``Decimal``;
    unreadable fields NULL and listed in ``problems``)."""
    heads: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for order in orders:
        problems = list(order.malformed)
        pay = order.payment
        head: dict[str, Any] = {
            "order_id": order.id,
            "status": order.status,
            "create_time": order.create_time,
            "update_time": order.update_time,
            "paid_time": order.paid_time,
            "currency": pay.currency if pay else None,
            "line_count": len(order.line_items),
            "buyer_id_hash": order.buyer_id_hash,
        }
        for name in ("sub_total", "shipping_fee", "seller_discount", "platform_discount", "tax"):
            head[name] = _money(getattr(pay, name) if pay else None, f"payment.{name}", problems)
        head["total_amount"] = _money(
            pay.total_amount if pay else None, "payment.total_amount", problems
        )
        for k, item in enumerate(order.line_items):
            line_problems: list[str] = []
            line: dict[str, Any] = {
                "order_id": order.id,
                "line_item_id": item.id or f"{order.id}#{k}",
                **item.model_dump(
                    include={"product_id", "sku_id", "product_name", "sku_name", "seller_sku"}
                ),
                "display_status": item.display_status,
                "currency": item.currency,
            }
            if item.id is None:
                line_problems.append("id")
            for name in ("sale_price", "original_price", "seller_discount", "platform_discount"):
                line[name] = _money(getattr(item, name), name, line_problems)
            line["problems"] = _problems(line_problems)
            lines.append(line)
            problems += [f"line_items[{k}].{p}" for p in line_problems]
        head["problems"] = _problems(problems)
        heads.append(head)
    return heads, lines


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(0), UTC).timestamp())


def _batches(name: str, rows: list[dict[str, Any]], constants: Mapping[str, Any]) -> Chunk:
    tbl = schema.table(name)
    builder = BatchBuilder(tbl, [c for c in tbl.names if c not in constants], constants=constants)
    return Chunk(name, list(builder.build(rows)), 0)


def _orders(ctx: TaskContext, shop: ShopClient | None) -> Iterator[Chunk]:
    if shop is None:
        raise SkipStream(_NO_CREDENTIALS)
    try:
        yield from _pull_orders(ctx, shop)
    except AuthError as exc:  # fails this stream only: the ads token is still good
        raise PipelineError(f"TikTok Shop refused the credentials: {exc}") from None


def _pull_orders(ctx: TaskContext, shop: ShopClient) -> Iterator[Chunk]:
    today = ctx.now().astimezone(UTC).date()
    for found in shop.authorized_shops():
        span = plan_range(
            ctx.cursors.get(ORDERS, found.id),
            today=today,
            since=ctx.since,
            history_days=ctx.history_days,
        )
        if span is None:
            continue
        planner = WindowPlanner(span[0], span[1], max_days=ORDER_WINDOW_DAYS, page_size=100)
        while (window := planner.next()) is not None:
            ctx.check_stop()
            orders = list(
                shop.iter_orders(
                    found.cipher,
                    update_time_ge=_epoch(window.start),
                    update_time_lt=_epoch(window.end + timedelta(days=1)),
                )
            )
            heads, lines = order_rows(orders)
            constants = {"shop_id": found.id, "synced_at": ctx.now()}
            head_chunk = _batches(ORDERS, heads, constants)
            head_chunk.rows = len(heads)
            line_chunk = _batches(ORDER_LINES, lines, constants)
            line_chunk.rows = len(lines)
            line_chunk.window, line_chunk.today, line_chunk.cursor_id = window, today, found.id
            planner.observed(window, len(heads))
            yield head_chunk
            yield line_chunk  # last: its merge moves the shop's cursor past the window


def shop_tasks(
    advertisers: Sequence[AdvertiserInfo],
    streams: Sequence[str] | None = None,
    *,
    shop: ShopClient | None = None,
) -> list[Task]:
    """Stores, then GMV Max and catalogues per store, for each advertiser; then the Shop orders
    of *shop*'s authorised shops (skipped without a client). Every one is optional."""
    wanted = set(streams) if streams else set(SHOP_STREAMS)
    out: list[Task] = []
    for adv in advertisers:
        aid = adv.advertiser_id
        if wanted & {STORES, GMV_MAX, PRODUCTS}:
            out.append(Task(STORES, aid, partial(_stores, adv=adv), optional=True))
        if GMV_MAX in wanted:
            out.append(Task(GMV_MAX, aid, partial(_gmv_max, adv=adv), after=STORES, optional=True))
        if PRODUCTS in wanted:
            out.append(
                Task(PRODUCTS, aid, partial(_products, adv=adv), after=STORES, optional=True)
            )
    if ORDERS in wanted:
        out.append(Task(ORDERS, SHOP_SCOPE, partial(_orders, shop=shop), optional=True))
    return out
