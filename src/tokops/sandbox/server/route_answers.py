"""What a route handler may return besides plain ``data``: data with extra headers, or raw bytes.

A handler normally returns the ``data`` of the envelope. Two Marketing API answers need more:
``/report/integrated/get/`` sets ``X-Tt-Ads-Throttle`` when it truncates at 20,000 ads
(``marketing_api.md`` §2.1), the status updates answer 20001 when only some IDs could change,
and ``/report/task/download/`` with ``CSV_STRING`` answers the raw
CSV stream instead of the envelope (§2.5). The dispatcher in :mod:`tokops.sandbox.server.service`
understands both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Answer", "RawAnswer"]


@dataclass(frozen=True)
class Answer:
    """``data`` for the envelope plus response headers to add to it, and the envelope's code:
    0, or 20001 "partial success" when some items of a batch failed (``marketing_api.md``
    §1.2; the data then describes what did and did not succeed)."""

    data: Any
    headers: dict[str, str] = field(default_factory=dict)
    code: int = 0
    message: str = "OK"


@dataclass(frozen=True)
class RawAnswer:
    """A body answered as is (HTTP 200, no envelope)."""

    body: bytes
    content_type: str = "text/csv; charset=utf-8"
