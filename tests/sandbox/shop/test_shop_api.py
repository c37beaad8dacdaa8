"""The sandbox's TikTok Shop Partner API (BYD-1, COM-9): signature, token, validation, paging."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest

from tokops.sandbox import Sandbox, SandboxSettings

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TOKEN = "shop-sandbox-token"
ORDERS = "/order/202309/orders/search"


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    settings = SandboxSettings(
        seed=5, scale="small", world_anchor=NOW.date(), access_tokens=(TOKEN,)
    )
    return Sandbox(settings, now=lambda: NOW)


def app(sandbox: Sandbox) -> dict[str, Any]:
    answer = sandbox.handle("GET", "/sandbox/shop/credentials/", {"Access-Token": TOKEN})
    data: dict[str, Any] = answer.json()["data"]
    return data


def call(
    sandbox: Sandbox,
    path: str,
    query: dict[str, str],
    body: bytes = b"",
    *,
    secret: str | None = None,
    token: str | None = TOKEN,
    method: str = "POST",
) -> tuple[int, dict[str, Any]]:
    creds = app(sandbox)
    key = secret if secret is not None else creds["app_secret"]
    q = {**query, "app_key": creds["app_key"], "timestamp": "1717243200"}
    text = key + path + "".join(k + q[k] for k in sorted(q)) + body.decode() + key
    q["sign"] = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["x-tts-access-token"] = token
    answer = sandbox.handle(method, path, headers, q, body)
    return answer.status, answer.json()


def search(sandbox: Sandbox, cipher: str, body: dict[str, Any], **query: str) -> Any:
    return call(sandbox, ORDERS, {"shop_cipher": cipher, **query}, orjson.dumps(body))


def test_a_wrong_or_missing_signature_is_http_401_code_106001(sandbox: Sandbox) -> None:
    cipher = app(sandbox)["shops"][0]["cipher"]
    status, env = search(sandbox, cipher, {}, page_size="10")
    assert status == 200 and env["code"] == 0
    status, env = call(sandbox, ORDERS, {"shop_cipher": cipher, "page_size": "10"}, secret="x")
    assert (status, env["code"]) == (401, 106001) and "sign" in env["message"]
    missing = sandbox.handle("POST", ORDERS, {"x-tts-access-token": TOKEN}, {"page_size": "1"})
    assert (missing.status, missing.json()["code"]) == (401, 106001)


def test_the_signature_covers_the_body(sandbox: Sandbox) -> None:
    creds = app(sandbox)
    cipher = creds["shops"][0]["cipher"]
    q = {"shop_cipher": cipher, "page_size": "5", "app_key": creds["app_key"], "timestamp": "1"}
    key = creds["app_secret"]
    text = key + ORDERS + "".join(k + q[k] for k in sorted(q)) + "{}" + key
    q["sign"] = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    headers = {"x-tts-access-token": TOKEN}
    assert sandbox.handle("POST", ORDERS, headers, q, b"{}").json()["code"] == 0
    tampered = sandbox.handle("POST", ORDERS, headers, q, b'{"order_status":"UNPAID"}')
    assert (tampered.status, tampered.json()["code"]) == (401, 106001)


def test_a_missing_or_unknown_seller_token_is_refused(sandbox: Sandbox) -> None:
    status, env = call(sandbox, "/authorization/202309/shops", {}, token=None, method="GET")
    assert (status, env["code"]) == (401, 105001)
    status, env = call(sandbox, "/authorization/202309/shops", {}, token="nope", method="GET")
    assert (status, env["code"]) == (401, 105001)
    assert TOKEN not in orjson.dumps(env).decode()


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ({"page_size": "0"}, {}),
        ({"page_size": "101"}, {}),
        ({}, {}),
        ({"page_size": "10", "sort_order": "SIDEWAYS"}, {}),
        ({"page_size": "10", "page_token": "!!"}, {}),
        ({"page_size": "10"}, {"update_time_ge": "yesterday"}),
    ],
)
def test_invalid_parameters_are_refused(
    sandbox: Sandbox, query: dict[str, str], body: dict[str, Any]
) -> None:
    cipher = app(sandbox)["shops"][0]["cipher"]
    status, env = search(sandbox, cipher, body, **query)
    assert env["code"] == 36009003 and env["data"] is None


def test_an_unknown_shop_cipher_is_refused(sandbox: Sandbox) -> None:
    status, env = search(sandbox, "ROW_unknown", {}, page_size="10")
    assert env["code"] == 36009003


def test_paging_yields_every_order_of_the_window_exactly_once(sandbox: Sandbox) -> None:
    shop = app(sandbox)["shops"][0]
    lo = int((NOW - timedelta(days=5)).timestamp())
    hi = int(NOW.timestamp())
    flt = {"update_time_ge": lo, "update_time_lt": hi}
    ids: list[str] = []
    token = ""
    total = None
    while True:
        extra = {"page_token": token} if token else {}
        status, env = search(sandbox, shop["cipher"], flt, page_size="7", **extra)
        assert env["code"] == 0, env
        data = env["data"]
        total = data["total_count"]
        ids += [o["id"] for o in data["orders"]]
        for o in data["orders"]:
            assert lo <= o["update_time"] < hi
        token = data["next_page_token"]
        if not token:
            break
    assert len(ids) == len(set(ids)) == total > 7
    # the same orders, counted from the world itself
    store = sandbox.world.stores[shop["id"]]
    commerce = sandbox.marketing.stores.commerce
    tz = sandbox.world.advertisers[store.advertiser_id].timezone
    expected = set()
    day = (NOW - timedelta(days=7)).date()
    while day <= NOW.date():
        for raw in commerce.orders(store, day):
            wire = sandbox.shop_api.wire(raw, NOW)
            if wire is not None and lo <= wire["update_time"] < hi:
                expected.add(wire["id"])
        day += timedelta(days=1)
    assert set(ids) == expected, tz


def test_orders_look_like_the_real_answer_with_amounts_that_add_up(sandbox: Sandbox) -> None:
    cipher = app(sandbox)["shops"][0]["cipher"]
    status, env = search(sandbox, cipher, {}, page_size="50", sort_order="DESC")
    orders = env["data"]["orders"]
    assert orders and [o["create_time"] for o in orders] == sorted(
        (o["create_time"] for o in orders), reverse=True
    )
    for o in orders:
        assert o["create_time"] <= NOW.timestamp()
        total = Decimal(o["payment"]["total_amount"])
        assert sum(Decimal(i["sale_price"]) for i in o["line_items"]) == total
        assert Decimal(o["payment"]["sub_total"]) == total
        assert o["status"] in ("AWAITING_SHIPMENT", "COMPLETED", "CANCELLED")
        assert "buyer_email" in o and "recipient_address" in o  # fake PII, for clients to drop
