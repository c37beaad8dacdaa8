"""The TikTok Shop Partner API (202309) over the world's stores and orders (COM-9, BYD-1).

Served at the host root, as on ``open-api.tiktokglobalshop.com``:

- ``GET /authorization/202309/shops`` → ``data.shops[] = {id, name, region, code, cipher,
  seller_type}``: every store of the world (``id`` is the Marketing API's ``store_id``);
- ``POST /order/202309/orders/search`` (query ``shop_cipher``, ``page_size`` 1–100 required,
  ``page_token``, ``sort_field`` ``create_time`` | ``update_time``, ``sort_order`` ``ASC`` |
  ``DESC``; JSON body ``create_time_ge/_lt``, ``update_time_ge/_lt`` (Unix seconds),
  ``order_status``) → ``data = {orders[], next_page_token, total_count}``, the token empty on
  the last page.

Every call must carry ``app_key``, ``timestamp`` and ``sign`` in the query and the seller token
in ``x-tts-access-token``. The signature is checked as TikTok documents it (HMAC-SHA256 keyed by
the app secret over ``secret + path + sorted key+value pairs except sign/access_token + body +
secret``); a wrong or missing one is answered **HTTP 401, code 106001** "Invalid credentials. The
'sign' query parameter is invalid." as the real API does. A missing or unknown token is HTTP 401
with code 105001 **[UNCONFIRMED]** (105002 is TikTok's code for an expired one). Parameter
errors use code 36009003 **[EMU]**: the real code was not found. The timestamp's age is not
checked **[EMU]**.

Orders are :class:`~tokops.sandbox.shop.orders.Commerce`'s, shaped like the real answer: ``id``,
``status``, ``create_time``, ``update_time``, ``paid_time``, ``user_id``, ``payment`` (decimal
strings), one ``line_items`` entry per unit sold (the 202309 API has no quantity field), and
buyer PII fields (``buyer_email``, ``recipient_address``) filled with obviously fake values so
clients can prove they drop them. **[EMU]** An order shows ``AWAITING_SHIPMENT`` with
``update_time = create_time`` during its first hour, then its final status (``COMPLETED`` or
``CANCELLED``) with ``update_time = create_time + 3600``.

The sandbox's Shop app: ``app_key`` and ``app_secret`` are derived from the sandbox's first token
(``GET /sandbox/shop/credentials/`` tells them, with each store's cipher); every sandbox token is
accepted as a seller token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import orjson

from tokops.sandbox.server.envelope import JSON_HEADERS, SandboxResponse, new_request_id
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.shop.orders import Commerce
from tokops.sandbox.world.calendar import local_date
from tokops.sandbox.world.model import Store
from tokops.sandbox.world.world import World

__all__ = [
    "CODE_BAD_PARAMETER",
    "CODE_BAD_SIGN",
    "CODE_BAD_TOKEN",
    "ORDERS_PATH",
    "SHOPS_PATH",
    "ShopOpenApi",
]

SHOPS_PATH: Final = "/authorization/202309/shops"
ORDERS_PATH: Final = "/order/202309/orders/search"
CODE_BAD_SIGN: Final = 106001
CODE_BAD_TOKEN: Final = 105001
CODE_BAD_PARAMETER: Final = 36009003
MSG_BAD_SIGN: Final = "Invalid credentials. The 'sign' query parameter is invalid."
MSG_BAD_TOKEN: Final = "Invalid credentials. The access token is invalid."
_UNSIGNED: Final = frozenset({"sign", "access_token"})
_UPDATE_AFTER_S: Final = 3600
_FILTERS: Final = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")


class _Refused(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(code, message)
        self.status, self.code, self.message = status, code, message


def _param(message: str) -> _Refused:
    return _Refused(200, CODE_BAD_PARAMETER, message)


def _digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def _id(*parts: str) -> str:
    return str(10**18 + int(_digest(*parts)[:15], 16) % (8 * 10**18))


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _cents(text: str) -> int:
    units, _, frac = text.partition(".")
    return int(units) * 100 + int((frac + "00")[:2])


class ShopOpenApi:
    """The Shop Partner API of one sandbox (see the module doc)."""

    def __init__(
        self, world: Callable[[], World], commerce: Callable[[], Commerce], tokens: tuple[str, ...]
    ) -> None:
        self._world = world
        self._commerce = commerce
        self._tokens = tuple(t.encode() for t in tokens)
        self.app_key = _digest("app_key", tokens[0])[:12]
        self._secret = _digest("app_secret", tokens[0])[:32]

    def __repr__(self) -> str:  # never show the secret
        return f"ShopOpenApi(app_key={self.app_key!r})"

    # -- identities -------------------------------------------------------------------------
    def cipher(self, store: Store) -> str:
        return "ROW_" + _digest("cipher", str(self._world().seed), store.store_id)[:28]

    def credentials(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        """``/sandbox/shop/credentials/``: the app key and secret, and every store's cipher."""
        return {
            "app_key": self.app_key,
            "app_secret": self._secret,
            "shops": [
                {"id": s.store_id, "name": s.name, "cipher": self.cipher(s)}
                for s in self._world().stores.values()
            ],
        }

    # -- the envelope and the checks ------------------------------------------------------
    def _answer(self, now: datetime, work: Callable[[], Any], request: SandboxRequest) -> Any:
        rid = new_request_id(now)
        try:
            self._authenticate(request)
            data = work()
        except _Refused as exc:
            body = {"code": exc.code, "message": exc.message, "request_id": rid, "data": None}
            return SandboxResponse(exc.status, dict(JSON_HEADERS), orjson.dumps(body))
        body = {"code": 0, "message": "Success", "request_id": rid, "data": data}
        return SandboxResponse(200, dict(JSON_HEADERS), orjson.dumps(body))

    def _authenticate(self, request: SandboxRequest) -> None:
        query = request.query
        given = query.get("sign", "")
        if query.get("app_key") != self.app_key or not query.get("timestamp") or not given:
            raise _Refused(401, CODE_BAD_SIGN, MSG_BAD_SIGN)
        pairs = "".join(f"{k}{query[k]}" for k in sorted(query) if k not in _UNSIGNED)
        multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
        body = b"" if multipart else request.body
        secret = self._secret.encode()
        text = secret + request.path.encode() + pairs.encode() + body + secret
        expected = hmac.new(secret, text, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise _Refused(401, CODE_BAD_SIGN, MSG_BAD_SIGN)
        token = request.headers.get("x-tts-access-token", "").strip().encode()
        if not token or not any(hmac.compare_digest(token, t) for t in self._tokens):
            raise _Refused(401, CODE_BAD_TOKEN, MSG_BAD_TOKEN)

    # -- routes -----------------------------------------------------------------------------
    def shops(self, request: SandboxRequest, now: datetime) -> Any:
        def work() -> dict[str, Any]:
            world = self._world()
            rows = [
                {
                    "id": s.store_id,
                    "name": s.name,
                    "region": s.region_codes[0],
                    "code": f"{s.region_codes[0]}LCSANDBOX{s.store_id[-4:]}",
                    "cipher": self.cipher(s),
                    "seller_type": "LOCAL",
                }
                for s in world.stores.values()
            ]
            return {"shops": rows}

        return self._answer(now, work, request)

    def orders(self, request: SandboxRequest, now: datetime) -> Any:
        return self._answer(now, lambda: self._search(request, now), request)

    def _store(self, cipher: str) -> Store:
        for store in self._world().stores.values():
            if self.cipher(store) == cipher:
                return store
        raise _param("Invalid shop_cipher: the shop is not authorized to this app.")

    def _search(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        query = request.query
        store = self._store(query.get("shop_cipher", ""))
        size_text = query.get("page_size", "")
        if not size_text.isdigit() or not 1 <= int(size_text) <= 100:
            raise _param("Invalid page_size: it must be an integer between 1 and 100.")
        size = int(size_text)
        field = query.get("sort_field", "create_time")
        order = query.get("sort_order", "DESC")
        if field not in ("create_time", "update_time") or order not in ("ASC", "DESC"):
            raise _param("Invalid sort_field or sort_order.")
        filters = self._filters(request)
        offset = self._offset(query.get("page_token", ""))
        rows = self._matching(store, filters, now)
        rows.sort(key=lambda o: (o[field], o["id"]), reverse=order == "DESC")
        page = rows[offset : offset + size]
        nxt = offset + size
        token = base64.urlsafe_b64encode(f"o{nxt}".encode()).decode() if nxt < len(rows) else ""
        return {"orders": page, "next_page_token": token, "total_count": len(rows)}

    @staticmethod
    def _filters(request: SandboxRequest) -> dict[str, Any]:
        if not request.body.strip():
            return {}
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise _param("Invalid request body: not valid JSON.") from None
        if not isinstance(body, dict):
            raise _param("Invalid request body: not a JSON object.")
        for key in _FILTERS:
            value = body.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise _param(f"Invalid {key}: it must be a Unix timestamp in seconds.")
        return body

    @staticmethod
    def _offset(token: str) -> int:
        if not token:
            return 0
        try:
            text = base64.urlsafe_b64decode(token.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            raise _param("Invalid page_token.") from None
        if not text.startswith("o") or not text[1:].isdigit():
            raise _param("Invalid page_token.")
        return int(text[1:])

    def _matching(
        self, store: Store, flt: Mapping[str, Any], now: datetime
    ) -> list[dict[str, Any]]:
        world = self._world()
        tz = world.advertisers[store.advertiser_id].timezone
        lows = [flt.get("create_time_ge"), _minus(flt.get("update_time_ge"), _UPDATE_AFTER_S)]
        highs = [flt.get("create_time_lt"), flt.get("update_time_lt"), int(now.timestamp()) + 1]
        lo = max([v for v in lows if v is not None], default=None)
        hi = min(v for v in highs if v is not None)
        first = world.start if lo is None else max(world.start, _day(tz, lo))
        last = _day(tz, hi)
        out = []
        day = first
        while day <= last:
            for raw in self._commerce().orders(store, day):
                wire = self.wire(raw, now)
                if wire is not None and _keep(wire, flt):
                    out.append(wire)
            day += timedelta(days=1)
        return out

    def wire(self, raw: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
        """One world order as the Shop API shows it at *now* (``None`` before it exists)."""
        created = int(raw["create_time"])
        stamp = now.timestamp()
        if created > stamp:
            return None
        settled = created + _UPDATE_AFTER_S <= stamp
        oid = str(raw["order_id"])
        line = raw["line_items"][0]
        currency = str(raw["currency"])
        total = _cents(str(raw["payment"]["total_amount"]))
        quantity = max(1, int(line["quantity"]))
        base, extra = divmod(total, quantity)
        items = [
            {
                "id": _id("line", oid, str(k)),
                "product_id": line["product_id"],
                "product_name": line["product_name"],
                "sku_id": line["sku_id"],
                "sku_name": "Default",
                "seller_sku": f"SKU-{str(line['sku_id'])[-6:]}",
                "currency": currency,
                "sale_price": _money(base + (1 if k < extra else 0)),
                "original_price": _money(base + (1 if k < extra else 0)),
                "seller_discount": "0.00",
                "platform_discount": "0.00",
                "display_status": raw["status"] if settled else "AWAITING_SHIPMENT",
            }
            for k in range(quantity)
        ]
        buyer = _digest("buyer", oid)[:10]
        return {
            "id": oid,
            "status": raw["status"] if settled else "AWAITING_SHIPMENT",
            "create_time": created,
            "update_time": created + _UPDATE_AFTER_S if settled else created,
            "paid_time": created + 30,
            "user_id": _id("user", buyer),
            "buyer_email": f"{buyer}@scs.sandbox-tiktok.example",
            "recipient_address": {
                "name": f"Sandbox Buyer {buyer}",
                "phone_number": "(+1)555-0100",
                "full_address": f"{buyer} Sandbox Street, Testville",
                "region_code": raw.get("buyer_region"),
            },
            "payment": {
                "currency": currency,
                "sub_total": _money(total),
                "shipping_fee": "0.00",
                "seller_discount": "0.00",
                "platform_discount": "0.00",
                "tax": "0.00",
                "total_amount": _money(total),
            },
            "line_items": items,
            "order_type": "NORMAL",
        }


def _minus(value: Any, seconds: int) -> int | None:
    return None if value is None else int(value) - seconds


def _day(tz: str, seconds: int) -> Any:
    return local_date(tz, datetime.fromtimestamp(seconds, UTC))


def _keep(order: Mapping[str, Any], flt: Mapping[str, Any]) -> bool:
    for key in _FILTERS:
        bound = flt.get(key)
        if bound is None:
            continue
        value = order[key[: -len("_ge")]]
        if (key.endswith("_ge") and value < bound) or (key.endswith("_lt") and value >= bound):
            return False
    status = flt.get("order_status")
    return status is None or order["status"] == status
