"""Sync reports: ``GET /report/integrated/get/`` without losing a row (``marketing_api.md`` §2.1).

What :class:`Reports` does for one :class:`~tokops.tiktok.marketing.report_query.ReportQuery`:

1. **validates** it (UV metrics with AUDIENCE, lifetime rules, … → ``ReportQueryError``);
2. **cuts the dates** into windows the API accepts (30 days daily, 1 day hourly, 365 days
   otherwise, :mod:`~tokops.tiktok.marketing.report_windows`), and on 40067 "query too large"
   halves a window and retries (only when a time dimension keeps the halves' rows apart);
3. **pages** each window through ``page_info``
   (:func:`~tokops.tiktok.paging.iter_pages`);
4. **detects the 20,000-ad truncation**: a query covering more than 20,000 ads returns only the
   20,000 most recently created ads with spend and sets the ``X-Tt-Ads-Throttle`` header (§1.2,
   §2.1). We also treat 20,000 distinct ``ad_id`` values as truncated. A truncated window is
   thrown away and **re-queried split by campaign**: the campaigns with delivery in the window come
   from a campaign-level report, each batch of ≤ 30 (the recommended cap) is queried with a
   ``campaign_ids`` filter, a batch still truncated is halved, and a single campaign still
   truncated is split by ad group the same way. Campaigns partition ads, so the merged rows hold
   every row once;
5. **types** every value (``"-"`` → ``None``, money → ``Decimal``, counts → ``int``).

Rows are yielded window by window: a window's pages are held in memory until it is known not to
be truncated (the heuristic needs the whole window). Use ``max_window_days`` to bound that memory.

Every call goes through the shared :class:`~tokops.tiktok._http.ApiClient`, so its rate limiter and
its 40100 pause apply to reports too. The HTTP core retries timeouts; §1.6 warns that an identical
sync report timing out 3 times in 10 minutes is blocked, so prefer async tasks for very large
requests (:mod:`~tokops.tiktok.marketing.report_tasks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

import httpx

from tokops.errors import APIError, TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import chunked
from tokops.tiktok.marketing.report_query import ReportQuery, ReportQueryError
from tokops.tiktok.marketing.report_rows import ReportRow, parse_row
from tokops.tiktok.marketing.report_windows import DateWindow, report_windows
from tokops.tiktok.paging import iter_pages

__all__ = [
    "AD_CAP",
    "REPORT_PATH",
    "SPLIT_BATCH",
    "THROTTLE_HEADER",
    "ReportRun",
    "Reports",
    "TruncationError",
    "is_throttled",
]

REPORT_PATH: Final = "report/integrated/get/"
THROTTLE_HEADER: Final = "X-Tt-Ads-Throttle"
AD_CAP: Final = 20_000
SPLIT_BATCH: Final = 30
QUERY_TOO_LARGE: Final = 40067
#: Filters kept when listing campaigns / ad groups for a split (a superset is always safe).
_LISTING_FILTERS: Final = frozenset(
    {"campaign_ids", "campaign_name", "objective_type", "buying_type", "campaign_system_origins"}
)


class TruncationError(TikTokError):
    """A report stayed truncated at 20,000 ads even after splitting down to one ad group."""


def is_throttled(headers: httpx.Headers) -> bool:
    """True when the response says the 20,000-ad truncation happened (any non-false value)."""
    value = headers.get(THROTTLE_HEADER)
    return value is not None and value.strip().lower() not in ("", "0", "false", "no")


@dataclass
class _Tally:
    pages: int = 0
    requests: int = 0
    truncated: list[str] = field(default_factory=list)
    windows: list[DateWindow | None] = field(default_factory=list)


@dataclass(frozen=True)
class ReportRun:
    """A finished sync report with what it took to get it."""

    rows: tuple[ReportRow, ...]
    windows: tuple[DateWindow | None, ...]
    pages: int
    requests: int
    truncated: tuple[str, ...]
    """Where the 20,000-ad truncation was met and worked around (window and filter)."""


class Reports:
    """Sync reports: windows, paging, truncation work-around and typing in one place."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    # -- public -------------------------------------------------------------------------------
    def iter_rows(self, query: ReportQuery) -> Iterator[ReportRow]:
        """Every row of the report, window by window (a window is buffered: see module doc)."""
        yield from self._iter(query, _Tally())

    def run(self, query: ReportQuery) -> ReportRun:
        """The whole report in memory, with counters."""
        tally = _Tally()
        rows = tuple(self._iter(query, tally))
        return ReportRun(
            rows, tuple(tally.windows), tally.pages, tally.requests, tuple(tally.truncated)
        )

    # -- steps ----------------------------------------------------------------------------------
    def _iter(self, query: ReportQuery, tally: _Tally) -> Iterator[ReportRow]:
        query.validate()
        windows: list[DateWindow | None]
        if query.query_lifetime or query.start_date is None or query.end_date is None:
            windows = [None]
        else:
            windows = list(
                report_windows(
                    query.start_date,
                    query.end_date,
                    query.dimensions,
                    max_days=query.max_window_days,
                )
            )
            if len(windows) > 1 and not _has_time(query):
                raise ReportQueryError(
                    f"{query.start_date}..{query.end_date} needs {len(windows)} requests and, "
                    "without a time dimension, their rows could not be told apart: add "
                    "stat_time_day, or use an async report task (no date limit)"
                )
        for window in windows:
            tally.windows.append(window)
            yield from self._complete(query, window, tally)

    def _fetch(
        self, query: ReportQuery, window: DateWindow | None, tally: _Tally
    ) -> tuple[list[ReportRow], bool]:
        rows: list[ReportRow] = []
        throttled = False
        tally.requests += 1
        for hp in iter_pages(
            self.api, REPORT_PATH, query.params(window), page_size=query.page_size
        ):
            tally.pages += 1
            throttled = throttled or is_throttled(httpx.Headers(dict(hp.headers)))
            rows.extend(parse_row(r, where=REPORT_PATH) for r in hp.items)
        if not throttled and "ad_id" in query.dimensions:
            throttled = len({r.dimensions.get("ad_id") for r in rows}) >= AD_CAP
        return rows, throttled

    def _fetch_sized(
        self, query: ReportQuery, window: DateWindow | None, tally: _Tally
    ) -> tuple[list[ReportRow], bool]:
        """:meth:`_fetch`, halving the window on 40067 "query too large" (§1.5)."""
        try:
            return self._fetch(query, window, tally)
        except APIError as exc:
            if exc.code != QUERY_TOO_LARGE or window is None or window.days < 2:
                raise
            if not _has_time(query):
                raise
        first, second = window.halves()
        rows_a, thr_a = self._fetch_sized(query, first, tally)
        rows_b, thr_b = self._fetch_sized(query, second, tally)
        return rows_a + rows_b, thr_a or thr_b

    def _complete(
        self, query: ReportQuery, window: DateWindow | None, tally: _Tally
    ) -> list[ReportRow]:
        rows, throttled = self._fetch_sized(query, window, tally)
        if not throttled:
            return rows
        tally.truncated.append(f"{_label(window)}: whole account")
        campaigns = self._ids(query, window, "campaign_id", tally)
        return self._split(query, window, "campaign_ids", campaigns, tally)

    def _split(
        self,
        query: ReportQuery,
        window: DateWindow | None,
        field_name: str,
        ids: list[str],
        tally: _Tally,
    ) -> list[ReportRow]:
        out: list[ReportRow] = []
        for batch in chunked(ids, SPLIT_BATCH):
            out.extend(self._group(query, window, field_name, batch, tally))
        return out

    def _group(
        self,
        query: ReportQuery,
        window: DateWindow | None,
        field_name: str,
        batch: list[str],
        tally: _Tally,
    ) -> list[ReportRow]:
        narrowed = query.with_filter(field_name, batch)
        rows, throttled = self._fetch_sized(narrowed, window, tally)
        if not throttled:
            return rows
        tally.truncated.append(f"{_label(window)}: {field_name} {batch[0]}… ({len(batch)})")
        if len(batch) > 1:
            half = len(batch) // 2
            return self._group(query, window, field_name, batch[:half], tally) + self._group(
                query, window, field_name, batch[half:], tally
            )
        if field_name == "campaign_ids":
            adgroups = self._ids(narrowed, window, "adgroup_id", tally)
            return self._split(narrowed, window, "adgroup_ids", adgroups, tally)
        raise TruncationError(
            f"{REPORT_PATH}: still truncated at {AD_CAP} ads for {field_name} {batch[0]} "
            f"in {_label(window)}; use an async report task"
        )

    def _ids(
        self, query: ReportQuery, window: DateWindow | None, id_dim: str, tally: _Tally
    ) -> list[str]:
        """IDs (campaigns or ad groups) with delivery in the window: a superset is safe."""
        keep = _LISTING_FILTERS | ({"adgroup_ids"} if id_dim == "adgroup_id" else set())
        listing = ReportQuery(
            advertiser_id=query.advertiser_id,
            dimensions=(id_dim,),
            metrics=("spend", "impressions"),
            report_type="BASIC",
            start_date=window.start if window else None,
            end_date=window.end if window else None,
            query_lifetime=window is None,
            filters=tuple(f for f in query.filters if f.field_name in keep),
            include_deleted=True,
            page_size=1000,
        )
        rows, throttled = self._fetch(listing, window, tally)
        if throttled:  # pragma: no cover - listing campaigns is far below the ad cap
            raise TruncationError(f"{REPORT_PATH}: listing {id_dim} was truncated")
        ids = {r.dimensions.get(id_dim) for r in rows}
        return sorted(i for i in ids if i)


def _has_time(query: ReportQuery) -> bool:
    return bool({"stat_time_day", "stat_time_hour"} & set(query.dimensions))


def _label(window: DateWindow | None) -> str:
    return "lifetime" if window is None else f"{window.start}..{window.end}"
