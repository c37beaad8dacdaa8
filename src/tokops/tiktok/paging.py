"""Page-based listing for Marketing API ``…/list/`` endpoints (``marketing_api.md`` §1.3).

Request: ``page`` (≥ 1) and ``page_size``; answer: ``data = {"list": [...], "page_info": {"page",
"page_size", "total_number", "total_page"}}``. We stop when ``page >= total_page`` (Airbyte's
rule), when a page comes back empty, or — for an answer without ``page_info`` — when a page is
shorter than ``page_size``. A hard cap on the number of pages guards against a server that keeps
saying "one more page".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient

__all__ = ["MAX_PAGES", "Page", "iter_items", "iter_pages"]

#: Safety cap: 10,000 pages of 1,000 rows is far beyond any account we know of.
MAX_PAGES = 10_000


@dataclass(frozen=True)
class Page:
    """One page of a list endpoint, with TikTok's own counters when it sent them."""

    items: list[Any]
    page: int
    page_size: int
    total_number: int | None
    total_page: int | None
    request_id: str | None
    headers: Mapping[str, str] = field(default_factory=dict)
    """The answer's HTTP headers (sync reports signal truncation with ``X-Tt-Ads-Throttle``)."""


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def iter_pages(
    api: ApiClient,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 100,
    list_key: str = "list",
    max_pages: int = MAX_PAGES,
) -> Iterator[Page]:
    """Yield every page of ``GET path`` (``page`` 1, 2, … with *params* repeated on each call).

    *page_size* must respect the endpoint's own cap (1–1000 in general, 100 for audiences).
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    page = 1
    while True:
        query = {**(params or {}), "page": page, "page_size": page_size}
        resp = api.call("GET", path, params=query)
        data = resp.data if isinstance(resp.data, dict) else {}
        items = data.get(list_key) or []
        if not isinstance(items, list):
            raise TikTokError(f"{path}: '{list_key}' is not a list in the answer")
        info = data.get("page_info") if isinstance(data.get("page_info"), dict) else None
        total_page = _int_or_none(info.get("total_page")) if info else None
        total_number = _int_or_none(info.get("total_number")) if info else None
        yield Page(items, page, page_size, total_number, total_page, resp.request_id, resp.headers)
        if not items:
            return
        if total_page is not None:
            if page >= total_page:
                return
        elif len(items) < page_size:
            return
        if page >= max_pages:
            raise TikTokError(f"{path}: more than {max_pages} pages; refusing to continue")
        page += 1


def iter_items(
    api: ApiClient,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 100,
    list_key: str = "list",
) -> Iterator[Any]:
    """Every item of every page, in the order TikTok returns them."""
    for page in iter_pages(api, path, params, page_size=page_size, list_key=list_key):
        yield from page.items
