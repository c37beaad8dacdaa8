"""Paging additions on top of :mod:`tokops.tiktok.paging` (``marketing_api.md`` §1.3).

:func:`tokops.tiktok.paging.iter_pages` does page-based listing (stop when ``page >=
total_page``). This module adds what the Marketing API resources also need:

- :func:`iter_unique`: every object exactly once while the listing changes under us. Lists sort by
  ID descending (§1.3), so an object created mid-run pushes rows onto the next page (a duplicate)
  and a deleted one pulls a row back (a miss). We de-duplicate by ID, and when ``total_number``
  changed during a pass we make another pass that only yields IDs not seen yet.
- :func:`iter_cursor`: ``cursor`` + ``has_more`` paging (``/identity/video/get/`` §4, the organic
  ``/business/video/list/``), with a guard against a cursor that does not move.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.paging import MAX_PAGES, iter_pages

__all__ = [
    "DEFAULT_MAX_PASSES",
    "iter_cursor",
    "iter_unique",
]

#: Passes over a list whose total keeps changing before we settle for what we have.
DEFAULT_MAX_PASSES: Final = 3


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _item_key(item: Any, id_key: str, path: str) -> str:
    if isinstance(item, Mapping) and item.get(id_key) not in (None, ""):
        return str(item[id_key])
    raise TikTokError(f"{path}: a listed item has no '{id_key}'")


def iter_unique(
    api: ApiClient,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    id_key: str,
    page_size: int = 1000,
    list_key: str = "list",
    max_passes: int = DEFAULT_MAX_PASSES,
) -> Iterator[Any]:
    """Every listed item once (by *id_key*), re-passing while ``total_number`` moves."""
    seen: set[str] = set()
    for _ in range(max(1, max_passes)):
        totals: set[int] = set()
        for page in iter_pages(api, path, params, page_size=page_size, list_key=list_key):
            if page.total_number is not None:
                totals.add(page.total_number)
            for item in page.items:
                key = _item_key(item, id_key, path)
                if key not in seen:
                    seen.add(key)
                    yield item
        if len(totals) <= 1:
            return


def _first_list(data: Mapping[str, Any], keys: Sequence[str], path: str) -> list[Any]:
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            return value
        if value is not None:
            raise TikTokError(f"{path}: '{key}' is not a list in the answer")
    return []


def iter_cursor(
    api: ApiClient,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    list_keys: Sequence[str] = ("list",),
    size: int | None = None,
    size_param: str = "max_count",
    cursor_param: str = "cursor",
    max_pages: int = MAX_PAGES,
) -> Iterator[Any]:
    """Every item of a ``cursor`` + ``has_more`` listing, in the order TikTok returns them.

    The first call sends no cursor; each next call sends the ``cursor`` of the last answer. It
    stops when ``has_more`` is false; a cursor that does not move while ``has_more`` is true is
    an error (it would loop for ever). *list_keys* are tried in order, because the key has
    changed over time on some endpoints (§4: ``list``, ``video_list``, ``item_list``).
    """
    cursor: Any = None
    for _ in range(max_pages):
        query: dict[str, Any] = dict(params or {})
        if size is not None:
            query[size_param] = size
        if cursor is not None:
            query[cursor_param] = cursor
        data = api.get(path, params=query)
        data = data if isinstance(data, dict) else {}
        yield from _first_list(data, list_keys, path)
        if not data.get("has_more"):
            return
        nxt = data.get("cursor")
        if nxt is None or nxt == cursor:
            raise TikTokError(f"{path}: has_more is true but the cursor did not advance")
        cursor = nxt
    raise TikTokError(f"{path}: more than {max_pages} pages; refusing to continue")
