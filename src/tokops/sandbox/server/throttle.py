"""Per-endpoint QPS limit: TikTok answers ``code 40100`` (HTTP 200) above 1,000 QPS.

TikTok publishes 1000 QPS / 600,000 QPM / 86,400,000 QPD for ``/event/track/`` and the legacy
pixel routes (``events_api.md`` §4), with no rate-limit headers. The sandbox applies the QPS part
with fixed one-second windows on its injectable clock; refused requests do not use up the
window. The minute and day quotas are not emulated.
"""

from __future__ import annotations

import math
import threading

__all__ = ["QpsLimiter"]


class QpsLimiter:
    """Allows at most ``qps`` requests per wall-clock second, per key (endpoint)."""

    def __init__(self, qps: int) -> None:
        if qps < 1:
            raise ValueError("qps must be at least 1")
        self.qps = qps
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now_s: float) -> bool:
        second = math.floor(now_s)
        with self._lock:
            window, count = self._windows.get(key, (second, 0))
            if window != second:
                window, count = second, 0
            if count >= self.qps:
                return False
            self._windows[key] = (window, count + 1)
            return True
