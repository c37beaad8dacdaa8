"""Parse and validate a report request (``marketing_api.md`` §2.1–2.2, checklist §8.3–8.5).

Shared by ``/report/integrated/get/`` and ``/report/task/create/`` (which has no date cap and no
paging). Checks, each a 40002 unless said otherwise:

- ``advertiser_id`` (or ``advertiser_ids``, ≤ 5) of the token's world, else 40001;
- ``report_type`` BASIC or AUDIENCE (other documented types answer 40009, not emulated);
- ``dimensions`` required; BASIC: one ID dimension matching ``data_level``, one time
  dimension, ``country_code``; AUDIENCE: an optional ID dimension, ``gender`` / ``age`` /
  ``country_code``, an optional time dimension;
- ``metrics`` (default ``["spend","impressions"]``, ≤ 100): unknown names give TikTok's
  ``Invalid metric fields: [...]``; UV metrics are refused in AUDIENCE reports;
- dates ``YYYY-MM-DD`` in the account's time zone, ``start_date ≤ end_date``; spans ≤ 30 days
  with ``stat_time_day``, 1 day with ``stat_time_hour``, 365 otherwise (sync only);
  ``query_lifetime`` replaces them and refuses time and ``country_code`` dimensions;
- ``filtering``: a list of ``{field_name, filter_type, filter_value}`` with ``filter_value``
  a JSON-encoded string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import orjson

from tokops.sandbox.marketing.metrics import ATTRIBUTES, METRICS, UV_METRICS
from tokops.sandbox.server.envelope import CODE_NO_PERMISSION, ApiFailure
from tokops.sandbox.server.params import Params, bad, check_strings
from tokops.sandbox.world.catalog import AGES
from tokops.sandbox.world.world import World

__all__ = ["LEVELS", "ReportQuery", "parse_report"]

LEVELS: Final = ("AUCTION_ADVERTISER", "AUCTION_CAMPAIGN", "AUCTION_ADGROUP", "AUCTION_AD")
ID_DIMS: Final = ("advertiser_id", "campaign_id", "adgroup_id", "ad_id")
TIME_DIMS: Final = ("stat_time_day", "stat_time_hour")
AUDIENCE_DIMS: Final = ("gender", "age", "country_code")
_OTHER_TYPES: Final = ("PLAYABLE_MATERIAL", "CATALOG", "BC", "TT_SHOP")
_FILTER_TYPES: Final = (
    "IN",
    "MATCH",
    "CONTAIN_ANY_OF",
    "NOT_IN",
    "GREATER_EQUAL",
    "GREATER_THAN",
    "LOWER_EQUAL",
    "LOWER_THAN",
    "BETWEEN",
)
_STATUS_FILTERS: Final = ("campaign_status", "adgroup_status", "ad_status")
_ID_FILTERS: Final = ("campaign_ids", "adgroup_ids", "ad_ids")
_VALUE_FILTERS: Final = ("objective_type", "country_code", "gender", "age", "buying_type")
_NAME_FILTERS: Final = ("campaign_name", "adgroup_name", "ad_name")
CONFLICT: Final = (
    "Conflict occurs. The input params including metrics and dimensions have no relation."
)


@dataclass(frozen=True)
class ReportQuery:
    advertiser_ids: tuple[str, ...]
    report_type: str
    level: int
    dims: tuple[str, ...]
    metrics: tuple[str, ...]
    start: date | None
    end: date | None
    lifetime: bool = False
    multi: bool = False
    filters: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    include_deleted: bool = False
    only_deleted: bool = False
    order_field: str | None = None
    order_desc: bool = True
    total_metrics: bool = False
    audience: tuple[str, ...] = field(default=())

    @property
    def time_dim(self) -> str | None:
        return next((d for d in self.dims if d in TIME_DIMS), None)

    @property
    def id_dim(self) -> str | None:
        return next((d for d in self.dims if d in ID_DIMS), None)

    def filter_values(self, name: str) -> frozenset[str] | None:
        found = [set(values) for f, _, values in self.filters if f == name]
        if not found:
            return None
        return frozenset(set.intersection(*found))


def _invalid_metrics(names: list[str]) -> ApiFailure:
    return bad(
        "Please correct the information in invalid metric fields and try again. "
        f"Invalid metric fields: {names!r}. "
    )


def _advertisers(params: Params, world: World) -> tuple[tuple[str, ...], bool]:
    many = params.idents("advertiser_ids", max_items=5)
    if many:
        ids, multi = tuple(dict.fromkeys(many)), True
    else:
        ids, multi = (params.ident("advertiser_id"),), False
    for advertiser_id in ids:
        if advertiser_id not in world.advertisers:
            raise ApiFailure(
                CODE_NO_PERMISSION,
                f"No permission to operate advertiser: {advertiser_id}. "
                "You must be an admin or operator of this advertiser account.",
            )
    return ids, multi


def _dimensions(params: Params, report_type: str) -> tuple[str, ...]:
    dims = params.strings("dimensions", required=True, max_items=4) or []
    if not dims:
        raise bad("Invalid value for dimensions: field is required.")
    if len(set(dims)) != len(dims):
        raise bad("Invalid value for dimensions: duplicated dimensions.")
    allowed = (
        ID_DIMS + TIME_DIMS + (AUDIENCE_DIMS if report_type == "AUDIENCE" else ("country_code",))
    )
    unknown = [d for d in dims if d not in allowed]
    if unknown:
        raise bad(
            f"Invalid value for dimensions: {unknown!r} not supported in {report_type} reports."
        )
    if sum(d in ID_DIMS for d in dims) > 1 or sum(d in TIME_DIMS for d in dims) > 1:
        raise bad(CONFLICT)
    if report_type == "AUDIENCE" and not any(d in AUDIENCE_DIMS for d in dims):
        raise bad("Invalid value for dimensions: AUDIENCE reports need an audience dimension.")
    return tuple(dims)


def _level(params: Params, dims: tuple[str, ...]) -> int:
    level_name = params.string("data_level")
    id_dim = next((d for d in dims if d in ID_DIMS), None)
    if level_name:
        if level_name not in LEVELS:
            if level_name.startswith("RESERVATION_"):
                raise bad(f"Invalid value for data_level: {level_name} is deprecated.")
            raise bad(f"Invalid value for data_level: must be one of {', '.join(LEVELS)}.")
        level = LEVELS.index(level_name)
        if id_dim is not None and ID_DIMS.index(id_dim) != level:
            raise bad(CONFLICT)
        return level
    if id_dim is None:
        raise bad("Invalid value for data_level: field is required.")
    return ID_DIMS.index(id_dim)


def _filters(raw: Any, report_type: str, id_cap: int) -> list[tuple[str, str, tuple[str, ...]]]:
    if raw is None or raw == "":
        return []
    if not isinstance(raw, list):
        raise bad("Invalid value for filtering: must be a JSON list of filters.")
    out = []
    known = _STATUS_FILTERS + _ID_FILTERS + _VALUE_FILTERS + _NAME_FILTERS
    for j, item in enumerate(raw):
        if not isinstance(item, dict):
            raise bad(f"Invalid value for filtering.{j}: must be an object.")
        name = item.get("field_name")
        kind = item.get("filter_type")
        value = item.get("filter_value")
        if name not in known:
            raise bad(f"Invalid value for filtering.{j}.field_name: {name!r} is not supported.")
        if kind not in _FILTER_TYPES:
            raise bad(f"Invalid value for filtering.{j}.filter_type: {kind!r} is not supported.")
        if not isinstance(value, str):
            raise bad(
                f"Invalid value for filtering.{j}.filter_value: must be a JSON-encoded string."
            )
        try:
            decoded = orjson.loads(value) if value.strip()[:1] in ("[", "{", '"') else value
        except orjson.JSONDecodeError:
            raise bad(f"Invalid value for filtering.{j}.filter_value: not valid JSON.") from None
        values = check_strings(
            decoded if isinstance(decoded, list) else [decoded], f"filtering.{j}.filter_value"
        )
        if name in _ID_FILTERS and len(values) > id_cap:
            raise bad(f"Invalid value for filtering.{j}.filter_value: at most {id_cap} ids.")
        if name in _NAME_FILTERS and kind not in ("MATCH", "CONTAIN_ANY_OF", "IN"):
            raise bad(f"Invalid value for filtering.{j}.filter_type: use MATCH for {name}.")
        if name in _VALUE_FILTERS + _ID_FILTERS + _STATUS_FILTERS and kind not in ("IN", "NOT_IN"):
            raise bad(f"Invalid value for filtering.{j}.filter_type: use IN for {name}.")
        if name in ("gender", "age") and report_type != "AUDIENCE":
            raise bad(
                f"Invalid value for filtering.{j}.field_name: {name} needs an AUDIENCE report."
            )
        if name == "age":
            wrong = [v for v in values if v not in AGES]
            if wrong:
                raise bad(f"Invalid value for filtering.{j}.filter_value: {wrong!r}.")
        out.append((name, kind, tuple(values)))
    return out


def parse_report(params: Params, world: World, *, task: bool = False) -> ReportQuery:
    """A validated :class:`ReportQuery` (raises :class:`ApiFailure`)."""
    ids, multi = _advertisers(params, world)
    report_type = params.string("report_type", required=True)
    if report_type in _OTHER_TYPES:
        raise ApiFailure(40009, f"report_type {report_type} is not supported in the sandbox.")
    if report_type not in ("BASIC", "AUDIENCE"):
        raise bad(
            "Invalid value for report_type: must be one of AUDIENCE, BASIC, BC, CATALOG, "
            "PLAYABLE_MATERIAL, TT_SHOP."
        )
    if multi and report_type != "BASIC":
        raise bad("Invalid value for advertiser_ids: only BASIC reports take several advertisers.")
    if params.boolean("multi_adv_report_in_utc_time"):
        raise ApiFailure(40009, "multi_adv_report_in_utc_time is not supported in the sandbox.")
    service = params.string("service_type") or "AUCTION"
    if service != "AUCTION":
        raise bad("Invalid value for service_type: RESERVATION is deprecated; use AUCTION.")
    dims = _dimensions(params, report_type)
    level = _level(params, dims)
    metrics = params.strings("metrics", max_items=100) or ["spend", "impressions"]
    unknown = [m for m in metrics if m not in METRICS and m not in ATTRIBUTES]
    if unknown:
        raise _invalid_metrics(unknown)
    if report_type == "AUDIENCE":
        uv = [m for m in metrics if m in UV_METRICS]
        if uv:
            raise bad(f"UV metrics are not supported in AUDIENCE reports: {uv!r}.")
    lifetime = params.boolean("query_lifetime")
    time_dim = next((d for d in dims if d in TIME_DIMS), None)
    start = end = None
    if lifetime:
        if report_type != "BASIC" or time_dim or "country_code" in dims:
            raise bad(
                "query_lifetime cannot be used with a time or country_code dimension, "
                "nor in AUDIENCE reports."
            )
    else:
        start, end = params.day("start_date"), params.day("end_date")
        assert start is not None and end is not None
        if start > end:
            raise bad("Invalid value for start_date: start_date must not be later than end_date.")
        span = (end - start).days + 1
        cap = 1 if time_dim == "stat_time_hour" else 30 if time_dim == "stat_time_day" else 365
        if not task and span > cap:
            raise bad(
                f"The date range must not exceed {cap} day{'s' * (cap > 1)} with these dimensions."
            )
    filters = _filters(params.raw("filtering"), report_type, 20_000 if task else 100)
    statuses = {v for name, _, values in filters if name in _STATUS_FILTERS for v in values}
    order_field = params.string("order_field") or None
    if order_field is not None and order_field not in METRICS:
        raise bad(f"Invalid value for order_field: {order_field!r} is not a metric.")
    order_type = params.enum("order_type", ("ASC", "DESC"), "DESC")
    total = params.boolean("enable_total_metrics")
    return ReportQuery(
        advertiser_ids=ids,
        report_type=report_type,
        level=level,
        dims=dims,
        metrics=tuple(metrics),
        start=start,
        end=end,
        lifetime=lifetime,
        multi=multi,
        filters=tuple(filters),
        include_deleted=any(s.endswith("STATUS_ALL") for s in statuses),
        only_deleted=any(s.endswith("STATUS_DELETE") for s in statuses),
        order_field=order_field,
        order_desc=order_type == "DESC",
        total_metrics=total,
        audience=tuple(d for d in dims if d in AUDIENCE_DIMS),
    )
