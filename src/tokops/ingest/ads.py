"""Ads streams of one advertiser: objects, daily reports at four levels, audience breakdowns.

- ``objects``: campaigns (TopView included), ad groups and ads, deleted ones too, merged by key;
  it also leaves the ad → ad group → campaign tree for the report tasks.
- ``advertiser_daily``, ``campaign_daily``, ``adgroup_daily``, ``ad_daily``: BASIC reports with
  ``stat_time_day``, pulled window by window (:class:`~tokops.ingest.windows.WindowPlanner`) from
  the cursor's day (:func:`~tokops.ingest.state.plan_range`); each window replaces the
  advertiser's rows of those days, so restated conversions are corrected and rows TikTok no
  longer returns disappear. Deleted objects' delivery is included (``STATUS_ALL``).
- ``audience_gender``, ``audience_age``, ``audience_country``: AUDIENCE reports per campaign and
  day, one dimension each (``audience_daily``).
- ``ad_hourly``: the BASIC ad report with ``stat_time_hour`` (``ad_hourly``). The API takes one
  day per hourly request (``marketing_api.md`` §2.1), so each day costs one call per page and
  the stream is bounded to the last *hourly_days* local days (:data:`DEFAULT_HOURLY_DAYS`; 0
  turns it off). Same cursor, look-back and window replacement as the daily streams.

Report days are the advertiser's local days: the range ends on *today in its time zone*; hours
are the advertiser's wall-clock hours.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, Final

from tokops.errors import APIError
from tokops.ingest.batches import BatchBuilder, parse_timestamp
from tokops.ingest.state import plan_range
from tokops.ingest.tasks import Chunk, Task, TaskContext, invalid_metrics, local_today
from tokops.ingest.windows import WindowPlanner
from tokops.tiktok.marketing import DateWindow, ReportQuery, ReportRow, ReportType
from tokops.tiktok.marketing.report_windows import DAILY_MAX_DAYS, HOURLY_MAX_DAYS
from tokops.warehouse import schema
from tokops.warehouse.merge import Scope
from tokops.warehouse.schema.columns import AUDIENCE_COLUMNS, HOURLY_COLUMNS, REPORT_COLUMNS

__all__ = [
    "AUDIENCES",
    "DEFAULT_HOURLY_DAYS",
    "HOURLY",
    "REPORTS",
    "AdvertiserInfo",
    "ReportSpec",
    "ads_tasks",
]

OBJECTS: Final = "objects"
_TREE: Final = "tree:"
DEFAULT_HOURLY_DAYS: Final = 7
"""Local days of hourly history kept in sync (one request per day and page)."""
_HOURS_PER_DAY: Final = 24.0


@dataclass(frozen=True)
class AdvertiserInfo:
    advertiser_id: str
    timezone: str | None
    currency: str | None


@dataclass(frozen=True)
class ReportSpec:
    stream: str
    table: str
    id_dimension: str
    attributes: tuple[str, ...] = ()
    """Attribute "metrics" asked for the parent IDs (filled from the object tree otherwise)."""
    report_type: ReportType = "BASIC"
    audience: str | None = None
    """The audience dimension (AUDIENCE reports): gender, age or country_code."""
    time_dimension: str = "stat_time_day"
    """``stat_time_day``, or ``stat_time_hour`` (one day per request)."""

    @property
    def hourly(self) -> bool:
        return self.time_dimension == "stat_time_hour"

    @property
    def metrics(self) -> tuple[str, ...]:
        if self.report_type == "AUDIENCE":
            cols = AUDIENCE_COLUMNS
        else:
            cols = HOURLY_COLUMNS if self.hourly else REPORT_COLUMNS
        return (*(c.name for c in cols), *self.attributes)

    @property
    def dimensions(self) -> tuple[str, ...]:
        extra = (self.audience,) if self.audience else ()
        return (self.id_dimension, self.time_dimension, *extra)

    @property
    def max_days(self) -> int:
        """The API's longest window for this report (§2.1)."""
        return HOURLY_MAX_DAYS if self.hourly else DAILY_MAX_DAYS


REPORTS: Final = (
    ReportSpec("advertiser_daily", schema.ADVERTISER_DAILY.name, "advertiser_id"),
    ReportSpec("campaign_daily", schema.CAMPAIGN_DAILY.name, "campaign_id"),
    ReportSpec("adgroup_daily", schema.ADGROUP_DAILY.name, "adgroup_id", ("campaign_id",)),
    ReportSpec("ad_daily", schema.AD_DAILY.name, "ad_id", ("campaign_id", "adgroup_id")),
)
AUDIENCES: Final = tuple(
    ReportSpec(f"audience_{name}", schema.AUDIENCE_DAILY.name, "campaign_id", (), "AUDIENCE", dim)
    for name, dim in (("gender", "gender"), ("age", "age"), ("country", "country_code"))
)
HOURLY: Final = ReportSpec(
    "ad_hourly",
    schema.AD_HOURLY.name,
    "ad_id",
    ("campaign_id", "adgroup_id"),
    time_dimension="stat_time_hour",
)
_SEGMENTS: Final = {"gender": 3, "age": 7, "country_code": 3}
"""Rough segments per campaign and day, the first guess of a breakdown's rows (then learned)."""


# -- objects ---------------------------------------------------------------------------------
def _dump(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = obj.model_dump()
    return data


def _objects(ctx: TaskContext, adv: AdvertiserInfo) -> Iterator[Chunk]:
    client, aid = ctx.client, adv.advertiser_id
    now = ctx.now()
    campaigns = [_dump(c) for c in client.campaigns.iter_all(aid, include_deleted=True)]
    yield _object_chunk("campaigns", aid, campaigns, now)
    ctx.check_stop()
    adgroups = [_dump(g) for g in client.adgroups.iter(aid, include_deleted=True)]
    yield _object_chunk("adgroups", aid, adgroups, now)
    ctx.check_stop()
    ads = [_dump(a) for a in client.ads.iter(aid, include_deleted=True)]
    for ad in ads:
        ad["is_spark"] = bool(ad.get("tiktok_item_id"))
    tree = {
        "adgroups": {g["adgroup_id"]: g.get("campaign_id") for g in adgroups},
        "ads": {a["ad_id"]: (a.get("campaign_id"), a.get("adgroup_id")) for a in ads},
        "created": {
            "campaign_id": _created(campaigns),
            "adgroup_id": _created(adgroups),
            "ad_id": _created(ads),
        },
    }
    ctx.put(_TREE + aid, tree)
    yield _object_chunk("ads", aid, ads, now)


def _object_chunk(name: str, aid: str, rows: list[dict[str, Any]], now: Any) -> Chunk:
    tbl = schema.table(name)
    builder = BatchBuilder(
        tbl,
        [c for c in tbl.names if c not in ("advertiser_id", "synced_at")],
        constants={"advertiser_id": aid, "synced_at": now},
    )
    batches = list(builder.build(rows))
    return Chunk(name, batches, builder.total)


# -- reports ---------------------------------------------------------------------------------
def _created(rows: list[dict[str, Any]]) -> list[date]:
    """Sorted creation days (UTC) of objects; unknown ones count as always there."""
    days = []
    for row in rows:
        moment = parse_timestamp(row.get("create_time"))
        days.append(moment.date() if moment is not None else date.min)
    return sorted(days)


def _planner(
    ctx: TaskContext, aid: str, spec: ReportSpec, span: tuple[date, date]
) -> WindowPlanner:
    """Windows sized from the objects that exist each day (an account grows over a year).

    The first guess is one row per existing object and day (times the segments of a
    breakdown); the real rate is learned from each window.
    """
    tree: Mapping[str, Any] | None = ctx.get(_TREE + aid)
    created: list[date] | None = None
    if tree is not None and spec.id_dimension != "advertiser_id":
        created = tree["created"][spec.id_dimension]
    rate = float(_SEGMENTS[spec.audience]) if spec.audience else 1.0
    if spec.hourly:
        rate *= _HOURS_PER_DAY

    def activity(day: date) -> float:
        return float(bisect_right(created, day)) if created is not None else 1.0

    return WindowPlanner(
        span[0],
        span[1],
        max_days=min(ctx.max_window_days or spec.max_days, spec.max_days),
        page_size=ctx.page_size,
        rate=rate if tree is not None else None,
        activity=activity if created is not None else None,
    )


def _fetch(
    ctx: TaskContext, adv: AdvertiserInfo, spec: ReportSpec, window: DateWindow
) -> list[ReportRow]:
    """The window's rows; metrics the API calls invalid are dropped and the call repeated."""
    while True:
        metrics = ctx.guard.metrics(spec.stream, spec.metrics)
        query = ReportQuery(
            advertiser_id=adv.advertiser_id,
            dimensions=spec.dimensions,
            metrics=metrics,
            report_type=spec.report_type,
            start_date=window.start,
            end_date=window.end,
            include_deleted=True,
            page_size=ctx.page_size,
        )
        try:
            return list(ctx.client.reports.iter_rows(query))
        except APIError as exc:
            if not ctx.guard.drop(spec.stream, invalid_metrics(exc), metrics):
                raise


def _row(r: ReportRow, spec: ReportSpec, tree: Mapping[str, Any] | None) -> dict[str, Any] | None:
    out: dict[str, Any] = dict(r.metrics)
    ident = r.dimensions.get(spec.id_dimension)
    hour = r.hour if spec.hourly else None
    day = hour.date() if hour is not None else r.day
    if ident is None or day is None or (spec.hourly and hour is None):
        return None
    out[spec.id_dimension] = ident
    out["stat_date"] = day
    if hour is not None:
        out["stat_time_hour"] = hour
    if spec.audience:
        out["segment"] = r.dimensions.get(spec.audience) or "NONE"
    if tree is not None:
        if spec.id_dimension == "ad_id" and not (out.get("campaign_id") and out.get("adgroup_id")):
            campaign_id, adgroup_id = tree["ads"].get(ident, (None, None))
            out["campaign_id"] = out.get("campaign_id") or campaign_id
            out["adgroup_id"] = out.get("adgroup_id") or adgroup_id
        elif spec.id_dimension == "adgroup_id" and not out.get("campaign_id"):
            out["campaign_id"] = tree["adgroups"].get(ident)
    return out


def _report(
    ctx: TaskContext, adv: AdvertiserInfo, spec: ReportSpec, max_history_days: int | None = None
) -> Iterator[Chunk]:
    """A report stream, window by window from the cursor.

    *max_history_days* bounds how far back it ever goes (the hourly stream's ``hourly_days``):
    ``since`` and the cursor are clamped to the bound, so a run pulls at most that many days.
    When runs are further apart than the bound allows, the cursor's settled day cannot move
    past the gap and each run re-pulls the whole bound — still at most *max_history_days*
    requests per page.
    """
    aid = adv.advertiser_id
    today = local_today(ctx.now(), adv.timezone)
    history, since = ctx.history_days, ctx.since
    if max_history_days is not None:
        history = min(history, max_history_days)
        floor = today - timedelta(days=max_history_days - 1)
        if since is not None and since < floor:
            since = floor  # an early --since must not look like a new range on every run
    span = plan_range(
        ctx.cursors.get(spec.stream, aid),
        today=today,
        since=since,
        history_days=history,
        max_history_days=max_history_days,
    )
    if span is None:
        return
    planner = _planner(ctx, aid, spec, span)
    tbl = schema.table(spec.table)
    tree: Mapping[str, Any] | None = ctx.get(_TREE + aid)
    scope_cols: dict[str, Any] = {"advertiser_id": aid}
    if spec.audience:
        scope_cols["dimension"] = spec.audience
    while (window := planner.next()) is not None:
        ctx.check_stop()
        rows = _fetch(ctx, adv, spec, window)
        constants = {**scope_cols, "currency": adv.currency, "synced_at": ctx.now()}
        builder = BatchBuilder(
            tbl, [c for c in tbl.names if c not in constants], constants=constants
        )
        batches = list(builder.build(x for x in (_row(r, spec, tree) for r in rows) if x))
        del rows
        planner.observed(window, builder.total)
        yield Chunk(
            spec.table,
            batches,
            builder.total,
            scope=Scope(scope_cols, ("stat_date", window.start, window.end)),
            window=window,
            today=today,
        )


# -- the task list -----------------------------------------------------------------------------
def ads_tasks(
    advertisers: Sequence[AdvertiserInfo],
    streams: Sequence[str] | None = None,
    *,
    hourly_days: int = DEFAULT_HOURLY_DAYS,
) -> list[Task]:
    """The tasks of ``sync ads`` for these advertisers (all streams unless *streams* names some;
    report streams wait for their advertiser's objects). ``hourly_days=0`` leaves ``ad_hourly``
    out; otherwise it covers the last *hourly_days* local days."""
    if hourly_days < 0:
        raise ValueError("hourly_days must be 0 (off) or more")
    wanted = set(streams) if streams else None
    specs = (*REPORTS, *AUDIENCES, *((HOURLY,) if hourly_days else ()))
    out: list[Task] = []
    for adv in advertisers:
        aid = adv.advertiser_id
        reports = [s for s in specs if wanted is None or s.stream in wanted]
        if wanted is None or OBJECTS in wanted or reports:
            out.append(Task(OBJECTS, aid, partial(_objects, adv=adv)))
        for spec in reports:
            bound = hourly_days if spec.hourly else None
            out.append(
                Task(
                    spec.stream,
                    aid,
                    partial(_report, adv=adv, spec=spec, max_history_days=bound),
                    after=OBJECTS,
                    optional=spec.report_type == "AUDIENCE",
                )
            )
    return out


def stream_names() -> list[str]:
    """Every stream ``sync ads`` knows (objects, reports, breakdowns, hourly)."""
    return [OBJECTS, *(s.stream for s in (*REPORTS, *AUDIENCES, HOURLY))]
