"""A small client of the TikTok Shop Partner API: authorised shops and order search (COM-9).

It runs on the same HTTP core as the Marketing API (:class:`~tokops.tiktok._http.ApiClient`:
retries, rate limit, injected transport, the error tree) with the Shop :data:`SHOP_DIALECT`:
routes at the host root without a trailing slash, the token in ``x-tts-access-token``, only code
0 is success, and an error envelope may come with HTTP 401. Every attempt is signed afresh
(:class:`~tokops.tiktok.shop.signing.ShopSigner`).

- ``GET /authorization/202309/shops`` → ``data.shops[] = {id, name, region, code, cipher,
  seller_type}``;
- ``POST /order/202309/orders/search?shop_cipher&page_size&page_token&sort_field&sort_order``
  with a JSON body of filters (``update_time_ge`` / ``update_time_lt``, Unix seconds) →
  ``data = {orders[], next_page_token, total_count}``; ``page_size`` is at most 100 and an empty
  ``next_page_token`` ends the listing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Final

import httpx
from pydantic import ValidationError

from tokops.errors import APIError, AuthError, PermissionDeniedError, TikTokError
from tokops.tiktok._http import ApiClient, Dialect, OwnsApi, RateLimiter, RetryPolicy
from tokops.tiktok.shop.credentials import ShopCredentials
from tokops.tiktok.shop.models import AuthorizedShop, ShopOrder
from tokops.tiktok.shop.signing import ShopSigner

__all__ = [
    "MAX_PAGE_SIZE",
    "ORDERS_PATH",
    "SHOPS_PATH",
    "SHOP_DIALECT",
    "ShopClient",
    "shop_error_for_code",
]

SHOPS_PATH: Final = "authorization/202309/shops"
ORDERS_PATH: Final = "order/202309/orders/search"
MAX_PAGE_SIZE: Final = 100
MAX_PAGES: Final = 100_000

_SHOP_CODES: Final[dict[int, type[APIError]]] = {
    106001: AuthError,  # "Invalid credentials. The 'sign' query parameter is invalid." (HTTP 401)
    105001: AuthError,  # invalid access token (code unconfirmed)
    105002: AuthError,  # "access token is expired, please refresh it"
    105005: PermissionDeniedError,  # "you should apply auth pkg for this api"
}


def shop_error_for_code(code: int) -> type[APIError]:
    """The exception class of a Shop API ``code`` (its codes are not the Marketing API's)."""
    return _SHOP_CODES.get(code, APIError)


SHOP_DIALECT: Final = Dialect(
    prefix="/",
    token_header="x-tts-access-token",
    trailing_slash=False,
    success_codes=frozenset({0}),
    error_for_code=shop_error_for_code,
    envelope_on_http_error=True,
)


class ShopClient(OwnsApi):
    """Orders of the shops a seller authorised (see the module doc)."""

    def __init__(
        self,
        credentials: ShopCredentials,
        *,
        transport: httpx.BaseTransport | None = None,
        qps: float | None = 10.0,
        retry: RetryPolicy | None = None,
        timeout_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        insecure: bool = False,
    ) -> None:
        """*insecure* allows a plain-``http://`` base off loopback (``ApiClient``)."""
        self.credentials = credentials
        self.api = ApiClient(
            credentials.access_token,
            api_base=credentials.api_base,
            transport=transport,
            timeout_s=timeout_s,
            retry=retry,
            rate_limiter=RateLimiter(qps) if qps else None,
            sleep=sleep,
            dialect=SHOP_DIALECT,
            signer=ShopSigner(credentials.app_key, credentials.app_secret, clock=clock),
            insecure=insecure,
        )

    def authorized_shops(self) -> list[AuthorizedShop]:
        """Every shop of the token (only the configured cipher's when one is set)."""
        data = self.api.get(SHOPS_PATH)
        rows = data.get("shops") if isinstance(data, dict) else None
        shops = [AuthorizedShop.model_validate(r) for r in rows or []]
        wanted = self.credentials.shop_cipher
        return [s for s in shops if wanted is None or s.cipher == wanted]

    def iter_orders(
        self,
        shop_cipher: str,
        *,
        update_time_ge: int,
        update_time_lt: int,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[ShopOrder]:
        """Every order updated in ``[update_time_ge, update_time_lt)`` once, oldest update first."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        query: dict[str, Any] = {
            "shop_cipher": shop_cipher,
            "page_size": page_size,
            "sort_field": "update_time",
            "sort_order": "ASC",
        }
        body = {"update_time_ge": update_time_ge, "update_time_lt": update_time_lt}
        seen: set[str] = set()
        tokens: set[str] = set()
        for _ in range(MAX_PAGES):
            data = self.api.call("POST", ORDERS_PATH, params=query, json=body).data
            data = data if isinstance(data, dict) else {}
            for row in data.get("orders") or []:
                try:
                    order = ShopOrder.model_validate(row)
                except ValidationError as exc:  # name the fields only: values may be PII
                    where = ", ".join(".".join(map(str, e["loc"])) or "order" for e in exc.errors())
                    raise TikTokError(f"{ORDERS_PATH}: an order cannot be read ({where})") from None
                if order.id not in seen:
                    seen.add(order.id)
                    yield order
            token = data.get("next_page_token") or ""
            if not token:
                return
            if token in tokens:
                raise TikTokError(f"{ORDERS_PATH}: next_page_token did not move")
            tokens.add(token)
            query["page_token"] = token
        raise TikTokError(f"{ORDERS_PATH}: more than {MAX_PAGES} pages; refusing to continue")
