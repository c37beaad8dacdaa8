"""The Marketing API's app-level rate limit (``marketing_api.md`` §1.6, emulator checklist §8.7).

Counted per developer app across every token: **10 QPS / 600 QPM / 864,000 QPD** at the basic
tier, all configurable. Above the limit TikTok answers ``code 40100`` with, e.g.,
``App [7xxxx] reaches the QPS limit 10, current QPS is 12`` (no ``Retry-After`` header).
Recovery: a QPS breach clears the next second; a QPM breach locks the app out for 5 minutes;
a QPD breach until 00:00 UTC. Some endpoints have their own, lower QPS on top
(``/report/task/create/`` 1, ``/ad/create/`` 5).

Two finer limits exist whose numbers TikTok does not publish (§1.5, §1.6), so they are off
unless configured (:class:`ValueRateLimiter`): **40133** per advertiser
(``Advertiser ({ID})'s QPS ... reaches QPS limit ...``) and **40132** per value of a field
(e.g. per ``auth_code``).

**[EMU]** Fixed windows on the injected clock (one second, one minute, one UTC day). Every
call counts toward "current QPS" in the message; only accepted calls use up the quota.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from typing import Any

import orjson

from tokops.sandbox.server.envelope import (
    CODE_TOO_MANY_REQUESTS,
    CODE_TOO_MANY_REQUESTS_ADVERTISER,
    CODE_TOO_MANY_REQUESTS_FIELD,
    ApiFailure,
)
from tokops.sandbox.server.request import SandboxRequest

__all__ = ["AppRateLimiter", "ValueRateLimiter", "field_values"]


class _Window:
    __slots__ = ("accepted", "index", "seen")

    def __init__(self) -> None:
        self.index = -1
        self.accepted = 0
        self.seen = 0

    def roll(self, index: int) -> None:
        if index != self.index:
            self.index, self.accepted, self.seen = index, 0, 0


class AppRateLimiter:
    """Raises :class:`ApiFailure` 40100 when a call goes over the app's quotas."""

    def __init__(
        self,
        app_id: str,
        qps: int,
        qpm: int,
        qpd: int,
        *,
        lockout_s: float = 300.0,
        endpoint_qps: Mapping[str, int] | None = None,
    ) -> None:
        self.app_id = app_id
        self.qps, self.qpm, self.qpd = qps, qpm, qpd
        self.lockout_s = lockout_s
        self.endpoint_qps = dict(endpoint_qps or {})
        self._second = _Window()
        self._minute = _Window()
        self._day = _Window()
        self._endpoints: dict[str, _Window] = {}
        self._locked_until = -math.inf
        self._lock = threading.Lock()

    def _refuse(self, what: str, limit: int, current: int) -> ApiFailure:
        return ApiFailure(
            CODE_TOO_MANY_REQUESTS,
            f"App [{self.app_id}] reaches the {what} limit {limit}, current {what} is {current}",
        )

    def check(self, endpoint: str, now_s: float) -> None:
        """Count one call to *endpoint* (a path after ``/open_api/v1.3``) at *now_s*."""
        second = math.floor(now_s)
        with self._lock:
            self._second.roll(second)
            self._minute.roll(second // 60)
            self._day.roll(second // 86_400)
            own_limit = self.endpoint_qps.get(endpoint)
            own = self._endpoints.setdefault(endpoint, _Window())
            own.roll(second)
            for window in (self._second, self._minute, self._day, own):
                window.seen += 1
            if now_s < self._locked_until:
                raise self._refuse("QPM", self.qpm, self._minute.seen)
            if self._day.accepted >= self.qpd:
                self._locked_until = (second // 86_400 + 1) * 86_400
                raise self._refuse("QPD", self.qpd, self._day.seen)
            if self._minute.accepted >= self.qpm:
                self._locked_until = now_s + self.lockout_s
                raise self._refuse("QPM", self.qpm, self._minute.seen)
            if self._second.accepted >= self.qps:
                raise self._refuse("QPS", self.qps, self._second.seen)
            if own_limit is not None and own.accepted >= own_limit:
                raise self._refuse("QPS", own_limit, own.seen)
            for window in (self._second, self._minute, self._day, own):
                window.accepted += 1


class ValueRateLimiter:
    """QPS per advertiser (40133) and per value of chosen fields (40132), one-second windows.

    *values* of a call are ``(field, value)`` pairs (``advertiser_id`` included); each pair has
    its own window. A refused call uses up no quota of any pair.
    """

    def __init__(self, advertiser_qps: int | None, field_qps: Mapping[str, int]) -> None:
        self.advertiser_qps = advertiser_qps
        self.field_qps = dict(field_qps)
        self._windows: dict[tuple[str, str], _Window] = {}
        self._lock = threading.Lock()

    @property
    def fields(self) -> tuple[str, ...]:
        """The parameters whose values are counted."""
        extra = ("advertiser_id",) if self.advertiser_qps is not None else ()
        return (*extra, *(f for f in self.field_qps if f != "advertiser_id"))

    def _limit(self, name: str) -> int | None:
        if name == "advertiser_id" and self.advertiser_qps is not None:
            return self.advertiser_qps
        return self.field_qps.get(name)

    def check(self, values: list[tuple[str, str]], now_s: float) -> None:
        """Count one call carrying *values* at *now_s*; raise 40133 / 40132 over a limit."""
        second = math.floor(now_s)
        with self._lock:
            windows = []
            for name, value in values:
                limit = self._limit(name)
                if limit is None:
                    continue
                window = self._windows.setdefault((name, value), _Window())
                window.roll(second)
                window.seen += 1
                windows.append((name, value, limit, window))
            for name, value, limit, window in windows:
                if window.accepted < limit:
                    continue
                if name == "advertiser_id":
                    raise ApiFailure(
                        CODE_TOO_MANY_REQUESTS_ADVERTISER,
                        f"Advertiser ({value})'s QPS reaches QPS limit {limit}, "
                        f"current QPS is {window.seen}",
                    )
                raise ApiFailure(  # [EMU] wording: TikTok's text for 40132 is not documented
                    CODE_TOO_MANY_REQUESTS_FIELD,
                    f"The QPS of requests with {name} {value} reaches QPS limit {limit}, "
                    f"current QPS is {window.seen}",
                )
            for *_, window in windows:
                window.accepted += 1


def field_values(request: SandboxRequest, fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(field, value)`` pairs of *fields* in the query or a JSON body (lists give one pair per
    item: ``advertiser_ids`` counts each advertiser). Unparsable bodies give nothing."""
    source: dict[str, Any] = {}
    if request.body[:1] == b"{":
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            body = None
        if isinstance(body, dict):
            source.update(body)
    for name in (*fields, *(f + "s" for f in fields)):
        if name in request.query:
            source[name] = request.query_json(name)
    out: list[tuple[str, str]] = []
    for name in fields:
        for key in (name, name + "s"):
            value = source.get(key)
            items = value if isinstance(value, list) else [value]
            out += [(name, str(v)) for v in items if isinstance(v, str | int) and str(v)]
    return out
