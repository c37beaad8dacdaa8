"""Page- and cursor-based paging as the Marketing API does it (``marketing_api.md`` §1.3).

Page-based: ``page`` ≥ 1 (default 1), ``page_size`` 1..1000 (default 10; some endpoints cap
lower); the answer carries ``page_info = {page, page_size, total_number, total_page}`` with
``total_page = ceil(total_number / page_size)`` (0 when empty). A page past the end is an empty
``list`` with the same ``page_info``.

Cursor-based (``/identity/video/get/``, ``/business/video/list/``): the caller passes back the
``cursor`` of the previous answer while ``has_more`` is true. **[EMU]** Our cursors are the
offset of the next row, as a non-negative integer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

from tokops.sandbox.server.params import Params, bad

__all__ = ["cursor_slice", "page_info", "page_params", "page_slice"]

T = TypeVar("T")


def page_params(params: Params, *, max_size: int = 1000, default_size: int = 10) -> tuple[int, int]:
    """``(page, page_size)`` validated (40002 out of range)."""
    page = params.integer("page", 1, 1, None)
    size = params.integer("page_size", default_size, 1, max_size)
    return page, size


def page_info(total: int, page: int, size: int) -> dict[str, int]:
    return {
        "page": page,
        "page_size": size,
        "total_number": total,
        "total_page": math.ceil(total / size),
    }


def page_slice(rows: Sequence[T], page: int, size: int) -> Sequence[T]:
    start = (page - 1) * size
    return rows[start : start + size]


def cursor_slice(
    rows: Sequence[T], params: Params, *, count_name: str, default: int, max_count: int
) -> tuple[Sequence[T], dict[str, Any]]:
    """One cursor page of *rows* and the ``{cursor, has_more}`` to answer with it."""
    count = params.integer(count_name, default, 1, max_count)
    raw = params.raw("cursor")
    start = 0
    if raw not in (None, ""):
        try:
            start = int(raw)
        except (TypeError, ValueError):
            raise bad("Invalid value for cursor: not a valid cursor.") from None
        if start < 0:
            raise bad("Invalid value for cursor: not a valid cursor.")
    chunk = rows[start : start + count]
    end = start + len(chunk)
    return chunk, {"cursor": end, "has_more": end < len(rows)}
