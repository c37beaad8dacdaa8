"""Wire models of the TikTok Shop Partner API (202309): authorised shops, orders, line items.

**No buyer PII is ever held.** These models ignore every field they do not declare, so names,
e-mails (``buyer_email``), phone numbers and addresses (``recipient_address``) are dropped as
the JSON is read; the buyer's platform ``user_id`` is kept only as a SHA-256 digest
(:attr:`ShopOrder.buyer_id_hash`, for counting repeat buyers). Amounts stay the strings TikTok
sends (``"35.97"``): turning them into ``Decimal`` is the ingest's job, which reports a malformed
one instead of failing the page. Times are Unix seconds (UTC).
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["AuthorizedShop", "ShopLineItem", "ShopOrder", "ShopPayment", "buyer_hash"]

_BUYER_SALT = "tiktok-shop-user:"


def buyer_hash(user_id: str) -> str:
    """SHA-256 hex of the buyer's platform id (namespaced, so it matches no other hash)."""
    return hashlib.sha256((_BUYER_SALT + user_id).encode()).hexdigest()


class _Shop(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class AuthorizedShop(_Shop):
    """A shop the seller authorised the app on (``GET /authorization/202309/shops``)."""

    id: str
    """Shop ID (the Marketing API's ``store_id`` of the same shop)."""
    name: str | None = None
    region: str | None = None
    code: str | None = None
    cipher: str
    """Opaque value every shop-scoped call passes as ``shop_cipher``."""
    seller_type: str | None = None


class ShopPayment(_Shop):
    """Order amounts, in ``currency``, as decimal strings."""

    currency: str | None = None
    sub_total: str | None = None
    shipping_fee: str | None = None
    seller_discount: str | None = None
    platform_discount: str | None = None
    tax: str | None = None
    total_amount: str | None = None


class ShopLineItem(_Shop):
    """One line of an order (one unit of one SKU on the 202309 API)."""

    id: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    sku_id: str | None = None
    sku_name: str | None = None
    seller_sku: str | None = None
    currency: str | None = None
    sale_price: str | None = None
    original_price: str | None = None
    seller_discount: str | None = None
    platform_discount: str | None = None
    display_status: str | None = None


class ShopOrder(_Shop):
    """One order of ``POST /order/202309/orders/search``, without buyer PII."""

    id: str
    status: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    paid_time: int | None = None
    payment: ShopPayment | None = None
    line_items: list[ShopLineItem] = Field(default_factory=list)
    buyer_id_hash: str | None = None
    """SHA-256 of the buyer's ``user_id`` (:func:`buyer_hash`); the id itself is not kept."""
    malformed: tuple[str, ...] = ()
    """Fields that arrived unreadable (a time that is not Unix seconds) and were left out."""

    @model_validator(mode="before")
    @classmethod
    def _hash_buyer(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        user = data.get("user_id")
        out = {k: v for k, v in data.items() if k not in _DERIVED}
        out["buyer_id_hash"] = buyer_hash(str(user)) if user not in (None, "") else None
        bad = []
        for name in _TIMES:
            value = out.get(name)
            if value is None or (isinstance(value, int) and not isinstance(value, bool)):
                continue
            if isinstance(value, str) and value.strip().isdigit():
                out[name] = int(value)
                continue
            out[name] = None
            bad.append(name)
        out["malformed"] = tuple(bad)
        items = out.get("line_items")
        if items is not None and not isinstance(items, list):
            out["line_items"] = []
            out["malformed"] = (*out["malformed"], "line_items")
        return out


_TIMES = ("create_time", "update_time", "paid_time")
_DERIVED = frozenset({"user_id", "buyer_id_hash", "malformed"})
