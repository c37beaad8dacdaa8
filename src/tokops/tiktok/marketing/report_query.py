"""What a report asks for, checked before anything is sent (``marketing_api.md`` §2.1, §2.2, §2.5).

A :class:`ReportQuery` is an immutable value; :meth:`ReportQuery.validate` refuses, with a
:class:`ReportQueryError` that says why, the combinations the API would answer with 40002:

- no ``dimensions``; more than 100 metrics; both ``stat_time_day`` and ``stat_time_hour``;
- AUDIENCE reports with UV metrics (``reach``, ``frequency``, ``cost_per_1000_reached``) or the
  other metrics AUDIENCE refuses (§2.2), or with ``query_lifetime``;
- ``query_lifetime`` outside BASIC / PLAYABLE_MATERIAL, or with a time or ``country_code``
  dimension (§2.6); dates missing or reversed otherwise;
- ``TT_SHOP`` below campaign level; ``page_size`` outside 1–1000.

``filtering`` is an array of ``{field_name, filter_type, filter_value}`` whose ``filter_value``
is itself a JSON-encoded string (§2.1). The v1.2 name ``filters`` is never sent: v1.3 ignores it
silently (§7.2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final, Literal

from tokops.errors import TokopsError
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.metrics import audience_forbidden
from tokops.tiktok.marketing.report_windows import DateWindow

__all__ = [
    "ID_FILTERS",
    "DataLevel",
    "Filter",
    "FilterType",
    "ReportQuery",
    "ReportQueryError",
    "ReportType",
]

ReportType = Literal["BASIC", "AUDIENCE", "PLAYABLE_MATERIAL", "CATALOG", "BC", "TT_SHOP"]
DataLevel = Literal["AUCTION_ADVERTISER", "AUCTION_CAMPAIGN", "AUCTION_ADGROUP", "AUCTION_AD"]
FilterType = Literal[
    "IN", "MATCH", "CONTAIN_ANY_OF", "NOT_IN", "GREATER_EQUAL", "GREATER_THAN", "LOWER_EQUAL",
    "LOWER_THAN", "BETWEEN",
]  # fmt: skip
REPORT_TYPES: Final = frozenset(
    {"BASIC", "AUDIENCE", "PLAYABLE_MATERIAL", "CATALOG", "BC", "TT_SHOP"}
)
LEVEL_OF_ID: Final[dict[str, DataLevel]] = {
    "ad_id": "AUCTION_AD",
    "adgroup_id": "AUCTION_ADGROUP",
    "campaign_id": "AUCTION_CAMPAIGN",
    "advertiser_id": "AUCTION_ADVERTISER",
}
STATUS_FIELD: Final[dict[str, str]] = {
    "AUCTION_AD": "ad_status",
    "AUCTION_ADGROUP": "adgroup_status",
    "AUCTION_CAMPAIGN": "campaign_status",
}
#: Object-ID filters (≤ 100 IDs each in sync reports, §2.1).
ID_FILTERS: Final = ("campaign_ids", "adgroup_ids", "ad_ids")
MAX_METRICS: Final = 100
TIME_DIMENSIONS: Final = frozenset({"stat_time_day", "stat_time_hour"})


class ReportQueryError(TokopsError, ValueError):
    """The report query is one the API would refuse; the message says which rule it breaks."""


@dataclass(frozen=True)
class Filter:
    """One ``filtering`` element; *value* is a string or a tuple of strings."""

    field_name: str
    filter_type: FilterType
    value: str | tuple[str, ...]

    @classmethod
    def in_(cls, field_name: str, values: Any) -> Filter:
        """``field_name IN values`` (IDs and enum values as strings)."""
        return cls(field_name, "IN", tuple(str(v) for v in values))

    def wire(self) -> dict[str, str]:
        value = self.value if isinstance(self.value, str) else json.dumps(list(self.value))
        return {
            "field_name": self.field_name,
            "filter_type": self.filter_type,
            "filter_value": value,
        }


@dataclass(frozen=True)
class ReportQuery:
    """A sync or async report request, independent of paging and date windows."""

    advertiser_id: str
    dimensions: tuple[str, ...]
    metrics: tuple[str, ...] = ("spend", "impressions")
    report_type: ReportType = "BASIC"
    data_level: DataLevel | None = None
    """Derived from the ID dimension when not given."""
    start_date: date | None = None
    end_date: date | None = None
    """Inclusive, in the ad account's time zone."""
    query_lifetime: bool = False
    filters: tuple[Filter, ...] = ()
    include_deleted: bool = False
    """Add ``<level>_status IN ["STATUS_ALL"]`` (deleted objects are excluded by default)."""
    service_type: Literal["AUCTION"] = "AUCTION"
    order_field: str | None = None
    order_type: Literal["ASC", "DESC"] | None = None
    page_size: int = 1000
    max_window_days: int | None = None
    """A smaller date step than the API cap (a 40067 "query too large" workaround)."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """Other documented parameters sent as they are (e.g. ``multi_adv_report_in_utc_time``)."""

    @property
    def level(self) -> DataLevel | None:
        if self.data_level is not None:
            return self.data_level
        for dim in self.dimensions:
            if dim in LEVEL_OF_ID:
                return LEVEL_OF_ID[dim]
        return None

    def validate(self) -> None:
        """Raise :class:`ReportQueryError` for a query the API would refuse (see module doc)."""
        sid(self.advertiser_id, name="advertiser_id")
        dims = set(self.dimensions)

        def fail(msg: str) -> None:
            raise ReportQueryError(f"{self.report_type} report: {msg}")

        if self.report_type not in REPORT_TYPES:
            fail(f"report_type must be one of {', '.join(sorted(REPORT_TYPES))}")
        if not self.dimensions:
            fail("at least one dimension is required")
        if TIME_DIMENSIONS <= dims:
            fail("use stat_time_day or stat_time_hour, not both")
        if len(self.metrics) > MAX_METRICS:
            fail(f"at most {MAX_METRICS} metrics per request, got {len(self.metrics)}")
        if not 1 <= self.page_size <= 1000:
            fail("page_size must be within 1..1000")
        if self.report_type == "AUDIENCE":
            bad = audience_forbidden(self.metrics)
            if bad:
                fail(
                    "AUDIENCE reports do not allow unique-visitor (UV) and some video metrics: "
                    f"{', '.join(bad)} (marketing_api.md §2.2); use a BASIC report for them"
                )
            if self.query_lifetime:
                fail("AUDIENCE reports have no lifetime mode")
        if self.report_type == "TT_SHOP" and self.level not in (
            None, "AUCTION_ADVERTISER", "AUCTION_CAMPAIGN"
        ):  # fmt: skip
            fail("TT_SHOP allows only AUCTION_ADVERTISER or AUCTION_CAMPAIGN")
        if self.query_lifetime:
            if self.report_type not in ("BASIC", "PLAYABLE_MATERIAL"):
                fail("query_lifetime is for BASIC and PLAYABLE_MATERIAL reports only")
            if dims & (TIME_DIMENSIONS | {"country_code"}):
                fail("query_lifetime cannot be combined with a time or country_code dimension")
        elif self.start_date is None or self.end_date is None:
            fail("start_date and end_date are required unless query_lifetime is set")
        elif self.start_date > self.end_date:
            fail(f"start_date {self.start_date} is after end_date {self.end_date}")

    def with_filter(self, field_name: str, values: Any) -> ReportQuery:
        """A copy whose *field_name* filter is ``IN values`` (replacing any filter on it)."""
        kept = tuple(f for f in self.filters if f.field_name != field_name)
        return replace(self, filters=(*kept, Filter.in_(field_name, values)))

    def wire_filters(self) -> list[dict[str, str]]:
        out = [f.wire() for f in self.filters]
        status = STATUS_FIELD.get(self.level or "")
        if self.include_deleted and status and all(f.field_name != status for f in self.filters):
            out.append(Filter.in_(status, ["STATUS_ALL"]).wire())
        return out

    def params(self, window: DateWindow | None) -> dict[str, Any]:
        """Request parameters for one window (page and page_size excluded)."""
        out: dict[str, Any] = {
            "advertiser_id": sid(self.advertiser_id, name="advertiser_id"),
            "report_type": self.report_type,
            "service_type": self.service_type,
            "dimensions": list(self.dimensions),
            "metrics": list(self.metrics),
            **self.extra,
        }
        if self.level is not None:
            out["data_level"] = self.level
        if self.query_lifetime:
            out["query_lifetime"] = True
        elif window is not None:
            out.update(window.wire())
        filtering = self.wire_filters()
        if filtering:
            out["filtering"] = filtering
        if self.order_field:
            out["order_field"] = self.order_field
            out["order_type"] = self.order_type or "DESC"
        return out
