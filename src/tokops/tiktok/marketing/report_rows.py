"""Typed report rows from sync-report JSON or async-task CSV (``marketing_api.md`` §2).

A sync report row is ``{"dimensions": {...}, "metrics": {...}}`` with every value a string
(§2.1). Dimension values stay strings (IDs can exceed 2^53); ``"-"`` becomes ``None``. Metric
values are typed by :mod:`tokops.tiktok.marketing.metrics`. ``stat_time_day`` comes as
``"YYYY-MM-DD 00:00:00"`` and ``stat_time_hour`` as ``"YYYY-MM-DD HH:00:00"``, both in the ad
account's time zone: :attr:`ReportRow.day` and :attr:`ReportRow.hour` parse them (naive values,
because the zone is the advertiser's, see :class:`~tokops.tiktok.marketing.models.Advertiser`).

An async ``CSV_STRING`` download has one column per dimension and metric, named by the API field
names when ``enable_report_title_translation`` is false (§2.5).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tokops.errors import TikTokError
from tokops.tiktok.marketing.metrics import MetricValue, parse_metrics

__all__ = ["ReportRow", "parse_csv", "parse_row"]


def _dim(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text in ("", "-") else text


@dataclass(frozen=True)
class ReportRow:
    """One report row: dimension values as strings, metric values typed."""

    dimensions: Mapping[str, str | None]
    metrics: Mapping[str, MetricValue] = field(default_factory=dict)

    @property
    def day(self) -> date | None:
        """``stat_time_day`` as a date (ad-account time zone), when present."""
        raw = self.dimensions.get("stat_time_day")
        return datetime.strptime(raw[:10], "%Y-%m-%d").date() if raw else None

    @property
    def hour(self) -> datetime | None:
        """``stat_time_hour`` as a naive datetime (ad-account time zone), when present."""
        raw = self.dimensions.get("stat_time_hour")
        return datetime.strptime(raw[:19], "%Y-%m-%d %H:%M:%S") if raw else None

    def key(self) -> tuple[tuple[str, str | None], ...]:
        """The row's identity: its dimension values, sorted by name."""
        return tuple(sorted(self.dimensions.items()))


def parse_row(raw: Any, *, where: str = "report") -> ReportRow:
    """A sync report row (``{"dimensions", "metrics"}``) typed."""
    if not isinstance(raw, Mapping):
        raise TikTokError(f"{where}: a row is not an object")
    dims = raw.get("dimensions") or {}
    mets = raw.get("metrics") or {}
    if not isinstance(dims, Mapping) or not isinstance(mets, Mapping):
        raise TikTokError(f"{where}: a row's dimensions or metrics is not an object")
    return ReportRow({k: _dim(v) for k, v in dims.items()}, parse_metrics(mets))


def parse_csv(text: str, dimensions: Iterable[str]) -> Iterator[ReportRow]:
    """Rows of an async ``CSV_STRING`` report; columns in *dimensions* are dimensions.

    Known TikTok bug (§2.5): the ``country_code`` column holds the country **name**; it is kept
    as sent.
    """
    dims = set(dimensions)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    for record in reader:
        yield ReportRow(
            {k: _dim(v) for k, v in record.items() if k in dims},
            parse_metrics({k: v for k, v in record.items() if k is not None and k not in dims}),
        )
