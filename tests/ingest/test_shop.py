"""Shop streams against the sandbox (COM-2, COM-9): catalogues, orders and their lines.

The sandbox runs in-process with a fixed clock; its world's own orders (``Commerce``, shaped
by the Shop API emulator at the same instant) are the truth the store must match.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tokops.ingest import AdsSyncOptions, SyncResult, connect_client, sync_ads
from tokops.ingest.metering import metered
from tokops.ingest.shop import SHOP_SCOPE, order_rows
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.tiktok.shop import ShopClient, ShopCredentials, ShopOrder
from tokops.warehouse import Store

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SINCE = date(2024, 5, 20)
TOKEN = "ingest-shop-token"
SHOP_STREAMS = ("stores", "shop_products", "shop_orders")


def query(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.con.con.execute(sql).fetchall()]


class ShopWorld:
    def __init__(self) -> None:
        self.now = NOW
        settings = SandboxSettings(
            seed=23,
            scale="small",
            world_anchor=NOW.date(),
            access_tokens=(TOKEN,),
            marketing_qps=1000,
        )
        self.sandbox = Sandbox(settings, now=lambda: self.now)
        self.client = connect_client(
            TOKEN, api_base="http://sandbox.test", transport=self.sandbox.transport(), qps=1000
        )
        app = self.sandbox.handle("GET", "/sandbox/shop/credentials/", {"Access-Token": TOKEN})
        self.app = app.json()["data"]

    def shop(self, secret: str | None = None) -> ShopClient:
        creds = ShopCredentials(
            self.app["app_key"],
            SecretStr(secret or self.app["app_secret"]),
            SecretStr(TOKEN),
            api_base="http://sandbox.test",
        )
        return ShopClient(creds, transport=metered(self.client, self.sandbox.transport()), qps=None)

    def sync(self, store: Store, shop: ShopClient | None, **options: Any) -> SyncResult:
        opts = AdsSyncOptions(**{"since": SINCE, "streams": SHOP_STREAMS, **options})
        return sync_ads(store, self.client, opts, now=lambda: self.now, shop=shop)

    def truth(self) -> dict[str, tuple[int, Decimal, int]]:
        """Per shop: orders updated since SINCE (UTC), their total paid and their line count."""
        lo = datetime.combine(SINCE, datetime.min.time(), UTC).timestamp()
        commerce = self.sandbox.marketing.stores.commerce
        out = {}
        for store in self.sandbox.world.stores.values():
            n, total, lines = 0, Decimal(0), 0
            day = SINCE - timedelta(days=2)
            while day <= self.now.date() + timedelta(days=1):
                for raw in commerce.orders(store, day):
                    wire = self.sandbox.shop_api.wire(raw, self.now)
                    if wire is None or wire["update_time"] < lo:
                        continue
                    n += 1
                    total += Decimal(raw["payment"]["total_amount"])
                    lines += len(wire["line_items"])
                day += timedelta(days=1)
            out[store.store_id] = (n, total, lines)
        return out


@pytest.fixture
def world() -> ShopWorld:
    return ShopWorld()


def in_store(store: Store) -> dict[str, tuple[int, Decimal, int]]:
    heads = query(
        store,
        "SELECT shop_id, count(*), sum(total_amount), sum(line_count) FROM shop_orders "
        "GROUP BY shop_id",
    )
    return {r[0]: (int(r[1]), Decimal(r[2]), int(r[3])) for r in heads}


def test_order_sums_in_the_store_equal_the_worlds_own_orders(
    any_store: Store, world: ShopWorld
) -> None:
    result = world.sync(any_store, world.shop())
    assert result.status == "ok", [(s.label, s.error) for s in result.streams]
    truth = world.truth()
    assert in_store(any_store) == truth
    assert all(n > 0 for n, _, _ in truth.values())
    lines = query(any_store, "SELECT count(*), sum(sale_price) FROM shop_order_lines")[0]
    assert (int(lines[0]), Decimal(lines[1])) == (
        sum(v[2] for v in truth.values()),
        sum(v[1] for v in truth.values()),
    )
    by_order = query(
        any_store,
        "SELECT count(*) FROM shop_orders o JOIN (SELECT order_id, sum(sale_price) AS s "
        "FROM shop_order_lines GROUP BY order_id) l ON l.order_id = o.order_id "
        "WHERE l.s <> o.total_amount",
    )
    assert by_order == [(0,)]
    (orders_stream,) = [s for s in result.streams if s.stream == "shop_orders"]
    assert orders_stream.scope_id == SHOP_SCOPE and orders_stream.windows >= 2
    assert orders_stream.calls >= orders_stream.windows  # Shop calls count in the summary


def test_re_runs_add_nothing_and_later_updates_replace_their_rows(
    duck_store: Store, world: ShopWorld
) -> None:
    shop = world.shop()
    world.sync(duck_store, shop)
    before = in_store(duck_store)
    world.sync(duck_store, shop)
    assert in_store(duck_store) == before
    awaiting = query(
        duck_store, "SELECT count(*) FROM shop_orders WHERE status = 'AWAITING_SHIPMENT'"
    )
    world.now = NOW + timedelta(hours=3)  # new orders arrive, the pending ones settle
    world.sync(duck_store, shop)
    assert in_store(duck_store) == world.truth()
    dupes = query(
        duck_store,
        "SELECT count(*) FROM (SELECT order_id FROM shop_orders GROUP BY 1 HAVING count(*) > 1) d",
    )
    assert dupes == [(0,)]
    line_dupes = query(
        duck_store, "SELECT count(*) - count(DISTINCT line_item_id) FROM shop_order_lines"
    )
    assert line_dupes == [(0,)]
    if awaiting[0][0]:
        still = query(
            duck_store,
            "SELECT count(*) FROM shop_orders WHERE status = 'AWAITING_SHIPMENT' AND "
            f"create_time < TIMESTAMPTZ '{(NOW - timedelta(hours=1)).isoformat()}'",
        )
        assert still == [(0,)]


def test_no_shop_credentials_skip_the_orders_stream_and_nothing_fails(
    duck_store: Store, world: ShopWorld
) -> None:
    result = world.sync(duck_store, None)
    (orders,) = [s for s in result.streams if s.stream == "shop_orders"]
    assert orders.status == "skipped" and "TIKTOK_SHOP_APP_KEY" in (orders.error or "")
    assert result.status == "ok"
    assert query(duck_store, "SELECT count(*) FROM shop_orders") == [(0,)]
    assert query(duck_store, "SELECT count(*) FROM shop_products")[0][0] > 0


def test_refused_shop_credentials_fail_that_stream_only(
    duck_store: Store, world: ShopWorld
) -> None:
    result = world.sync(duck_store, world.shop(secret="not-the-secret"))
    status = {s.stream: s.status for s in result.streams}
    assert status["shop_orders"] == "failed" and status["shop_products"] == "ok"
    (orders,) = [s for s in result.streams if s.stream == "shop_orders"]
    assert "106001" in (orders.error or "") and "not-the-secret" not in (orders.error or "")


def test_no_buyer_pii_reaches_the_store(duck_store: Store, world: ShopWorld) -> None:
    world.sync(duck_store, world.shop())
    for tbl in ("shop_orders", "shop_order_lines"):
        text = " ".join(
            str(r) for r in query(duck_store, f"SELECT CAST(t AS VARCHAR) FROM {tbl} t")
        )
        for pii in ("Sandbox Buyer", "sandbox-tiktok.example", "555-0100", "Sandbox Street"):
            assert pii not in text, (tbl, pii)
    hashes = query(
        duck_store,
        "SELECT count(DISTINCT buyer_id_hash), min(length(buyer_id_hash)) FROM shop_orders",
    )
    assert hashes[0][0] > 1 and hashes[0][1] == 64


def test_catalogues_are_snapshots_of_each_stores_products(
    duck_store: Store, world: ShopWorld
) -> None:
    world.sync(duck_store, None)
    for store in world.sandbox.world.stores.values():
        rows = query(
            duck_store,
            f"SELECT item_group_id, min_price, currency FROM shop_products "
            f"WHERE store_id = '{store.store_id}' ORDER BY 1",
        )
        expected = sorted(
            (p.item_group_id, Decimal(f"{p.price:.2f}"), store.currency) for p in store.products
        )
        assert rows == expected
    duck_store.con.con.execute(
        "INSERT INTO shop_products (store_id, item_group_id, title) "
        f"VALUES ('{store.store_id}', '1', 'gone from the catalogue')"
    )
    world.sync(duck_store, None)
    assert query(duck_store, "SELECT count(*) FROM shop_products WHERE item_group_id = '1'") == [
        (0,)
    ]


class MalformedShop:
    """A Shop API answering one page with unreadable amounts and times."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/shops"):
            data: dict[str, Any] = {"shops": [{"id": "7400000000000000001", "cipher": "ROW_x"}]}
        else:
            data = {"next_page_token": "", "orders": self.orders()}
        return httpx.Response(200, json={"code": 0, "message": "Success", "data": data})

    @staticmethod
    def orders() -> list[dict[str, Any]]:
        t = int(NOW.timestamp()) - 3600
        return [
            {
                "id": "5700000000000000001",
                "create_time": t,
                "update_time": t,
                "paid_time": "soon",
                "payment": {"currency": "USD", "total_amount": "12,3x", "sub_total": "1e30"},
                "line_items": [
                    {"id": "5800000000000000001", "sale_price": "NaN"},
                    {"sale_price": "4.50"},
                ],
            },
            {
                "id": "5700000000000000002",
                "create_time": t,
                "update_time": t,
                "payment": {"currency": "USD", "total_amount": "9.99"},
                "line_items": [{"id": "5800000000000000002", "sale_price": "9.99"}],
            },
        ]


def test_malformed_amounts_are_reported_in_the_rows_not_fatal(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    creds = ShopCredentials("k", SecretStr("s"), SecretStr("t"), api_base="http://shop.test")
    shop = ShopClient(creds, transport=httpx.MockTransport(MalformedShop()), qps=None)
    opts = AdsSyncOptions(advertiser_ids=(fake.TOKYO,), streams=("shop_orders",), since=NOW.date())
    result = sync_ads(duck_store, make_client(fake), opts, now=lambda: NOW, shop=shop)
    assert result.status == "ok", [(s.label, s.error) for s in result.streams]
    rows = query(
        duck_store,
        "SELECT order_id, total_amount, sub_total, problems FROM shop_orders ORDER BY 1",
    )
    assert rows[0][1] is None and rows[0][2] is None
    for name in (
        "payment.total_amount",
        "payment.sub_total",
        "paid_time",
        "line_items[0].sale_price",
        "line_items[1].id",
    ):
        assert name in rows[0][3], name
    assert rows[1][1:] == (Decimal("9.99"), None, None)
    lines = query(duck_store, "SELECT line_item_id, sale_price FROM shop_order_lines ORDER BY 1")
    assert lines == [
        ("5700000000000000001#1", Decimal("4.50")),
        ("5800000000000000001", None),
        ("5800000000000000002", Decimal("9.99")),
    ]


def test_order_rows_keep_exact_decimals() -> None:
    order = ShopOrder.model_validate(
        {
            "id": "1",
            "payment": {"total_amount": "0.10", "sub_total": "0.20"},
            "line_items": [{"id": "2", "sale_price": "0.1"}, {"id": "3", "sale_price": "0.2"}],
        }
    )
    heads, lines = order_rows([order])
    assert heads[0]["total_amount"] == Decimal("0.10") and heads[0]["problems"] is None
    assert sum(line["sale_price"] for line in lines) == Decimal("0.3")
