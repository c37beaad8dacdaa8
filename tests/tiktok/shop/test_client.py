"""The Shop client (COM-9): paging, envelope errors on HTTP 401, no PII, credentials from env."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tokops.errors import APIError, AuthError, ConfigError, TikTokError
from tokops.tiktok._http import RetryPolicy
from tokops.tiktok.shop import ShopClient, ShopCredentials, ShopOrder, buyer_hash, sign
from tokops.tiktok.shop.credentials import shop_credentials

SECRET = "app-secret-value"
TOKEN = "seller-token-value"


def creds(**kw: Any) -> ShopCredentials:
    return ShopCredentials(
        "app-key", SecretStr(SECRET), SecretStr(TOKEN), api_base="http://shop.test", **kw
    )


def order(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"57{i:017d}",
        "status": "COMPLETED",
        "create_time": 1700000000 + i,
        "update_time": 1700003600 + i,
        "user_id": f"88{i:017d}",
        "buyer_email": f"buyer{i}@scs.tiktok.example",
        "recipient_address": {"name": "Jane Doe", "phone_number": "(+1)555-0100"},
        "payment": {"currency": "USD", "total_amount": "10.50", "sub_total": "10.50"},
        "line_items": [{"id": f"58{i:017d}", "sku_id": "1", "sale_price": "10.50"}],
        **extra,
    }


class PagedShop:
    """Serves *orders* in pages of the requested size; page 2 repeats page 1's last order."""

    def __init__(self, orders: list[dict[str, Any]]) -> None:
        self.orders = orders
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        q = dict(request.url.params)
        expected = sign(SECRET, request.url.path, q, request.content)
        if q.get("sign") != expected or request.headers.get("x-tts-access-token") != TOKEN:
            body = {"code": 106001, "message": "Invalid credentials.", "request_id": "r"}
            return httpx.Response(401, json=body)
        size = int(q["page_size"])
        start = int(q.get("page_token") or 0)
        if start:
            start -= 1  # the listing moved: one order shows again on the next page
        page = self.orders[start : start + size]
        end = start + size
        token = str(end + 1) if end < len(self.orders) else ""
        data = {"orders": page, "next_page_token": token, "total_count": len(self.orders)}
        return httpx.Response(200, json={"code": 0, "message": "Success", "data": data})


def test_paging_yields_every_order_once_and_signs_every_page() -> None:
    fake = PagedShop([order(i) for i in range(23)])
    with ShopClient(creds(), transport=httpx.MockTransport(fake), qps=None) as shop:
        got = list(shop.iter_orders("ROW_c", update_time_ge=1, update_time_lt=2, page_size=10))
    assert [o.id for o in got] == [o["id"] for o in fake.orders]
    assert len(fake.requests) == 3
    first = fake.requests[0]
    assert first.url.path == "/order/202309/orders/search"
    assert json.loads(first.content) == {"update_time_ge": 1, "update_time_lt": 2}
    for req in fake.requests:
        assert TOKEN not in str(req.url) and SECRET not in str(req.url)
        assert req.url.params["app_key"] == "app-key" and req.url.params["shop_cipher"] == "ROW_c"
    assert fake.requests[1].url.params["page_token"] == "11"


def test_orders_hold_no_buyer_pii_only_a_hash_of_the_user_id() -> None:
    fake = PagedShop([order(1)])
    shop = ShopClient(creds(), transport=httpx.MockTransport(fake), qps=None)
    (got,) = list(shop.iter_orders("c", update_time_ge=1, update_time_lt=2))
    dumped = json.dumps(got.model_dump())
    for pii in ("buyer1@scs", "Jane Doe", "555-0100", "8800000000000000001"):
        assert pii not in dumped
    assert got.buyer_id_hash == buyer_hash("8800000000000000001")
    assert got.payment is not None and got.payment.total_amount == "10.50"


def test_a_bad_signature_answered_with_http_401_is_an_auth_error_not_retried() -> None:
    fake = PagedShop([order(1)])
    wrong = ShopCredentials("app-key", SecretStr("wrong"), SecretStr(TOKEN), api_base="http://s")
    sleeps: list[float] = []
    shop = ShopClient(
        wrong,
        transport=httpx.MockTransport(fake),
        qps=None,
        retry=RetryPolicy(max_retries=3),
        sleep=sleeps.append,
    )
    with pytest.raises(AuthError) as err:
        list(shop.iter_orders("c", update_time_ge=1, update_time_lt=2))
    assert err.value.code == 106001 and len(fake.requests) == 1 and sleeps == []


def test_a_malformed_order_fails_the_listing_without_echoing_its_values() -> None:
    bad = {k: v for k, v in order(1).items() if k != "id"}
    shop = ShopClient(creds(), transport=httpx.MockTransport(PagedShop([bad])), qps=None)
    with pytest.raises(TikTokError) as err:
        list(shop.iter_orders("c", update_time_ge=1, update_time_lt=2))
    assert "id" in str(err.value) and "buyer1@scs" not in str(err.value)


def test_unreadable_times_are_flagged_not_fatal() -> None:
    got = ShopOrder.model_validate(order(1, update_time="yesterday", paid_time="1700000100"))
    assert got.update_time is None and got.paid_time == 1700000100
    assert got.malformed == ("update_time",)


def test_authorized_shops_keep_only_the_configured_cipher() -> None:
    shops = [{"id": "1", "cipher": "A", "name": "a"}, {"id": "2", "cipher": "B"}]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET" and request.url.path == "/authorization/202309/shops"
        return httpx.Response(200, json={"code": 0, "message": "ok", "data": {"shops": shops}})

    every = ShopClient(creds(), transport=httpx.MockTransport(handler), qps=None)
    assert [s.id for s in every.authorized_shops()] == ["1", "2"]
    one = ShopClient(creds(shop_cipher="B"), transport=httpx.MockTransport(handler), qps=None)
    assert [s.id for s in one.authorized_shops()] == ["2"]


def test_unknown_shop_codes_are_plain_api_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 36009003, "message": "bad", "data": None})

    shop = ShopClient(creds(), transport=httpx.MockTransport(handler), qps=None)
    with pytest.raises(APIError) as err:
        shop.authorized_shops()
    assert type(err.value) is APIError and err.value.code == 36009003


def test_credentials_come_from_the_environment_and_never_show() -> None:
    assert shop_credentials({}) is None
    env = {
        "TIKTOK_SHOP_APP_KEY": "k",
        "TIKTOK_SHOP_APP_SECRET": SECRET,
        "TIKTOK_SHOP_ACCESS_TOKEN": TOKEN,
    }
    got = shop_credentials(env)
    assert got is not None and got.shop_cipher is None
    assert got.api_base == "https://open-api.tiktokglobalshop.com"
    assert SECRET not in repr(got) and TOKEN not in repr(got)
    assert SECRET not in repr(ShopClient(got, qps=None))
    with pytest.raises(ConfigError, match="TIKTOK_SHOP_ACCESS_TOKEN"):
        shop_credentials({k: v for k, v in env.items() if k != "TIKTOK_SHOP_ACCESS_TOKEN"})
