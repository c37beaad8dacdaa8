"""TikTok Shop Partner API client (orders of the seller's shops; COM-9).

>>> creds = shop_credentials()  # doctest: +SKIP
>>> with ShopClient(creds) as shop:     # doctest: +SKIP
...     for s in shop.authorized_shops():
...         orders = list(shop.iter_orders(s.cipher, update_time_ge=t0, update_time_lt=t1))
"""

from __future__ import annotations

from tokops.tiktok.shop.client import SHOP_DIALECT, ShopClient, shop_error_for_code
from tokops.tiktok.shop.credentials import ShopCredentials, shop_credentials
from tokops.tiktok.shop.models import (
    AuthorizedShop,
    ShopLineItem,
    ShopOrder,
    ShopPayment,
    buyer_hash,
)
from tokops.tiktok.shop.signing import ShopSigner, sign

__all__ = [
    "SHOP_DIALECT",
    "AuthorizedShop",
    "ShopClient",
    "ShopCredentials",
    "ShopLineItem",
    "ShopOrder",
    "ShopPayment",
    "ShopSigner",
    "buyer_hash",
    "shop_credentials",
    "shop_error_for_code",
    "sign",
]
