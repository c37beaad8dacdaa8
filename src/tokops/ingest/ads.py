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

Report days are the advertiser's local days: the range ends on *today in its time zone*.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Final

from tokops.errors import APIError
from tokops.ingest.batches import BatchBuilder, parse_timestamp
from tokops.ingest.state import plan_range
from tokops.ingest.tables import AUDIENCE_METRICS, REPORT_METRICS, table
from tokops.ingest.tasks import Chunk, Task, TaskContext, invalid_metrics, local_today
from tokops.ingest.windows import WindowPlanner
from tokops.tiktok.marketing import DateWindow, ReportQuery, ReportRow, ReportType
from tokops.tiktok.marketing.report_windows import DAILY_MAX_DAYS
from tokops.warehouse.merge import Scope

__all__ = ["AUDIENCES", "REPORTS", "AdvertiserInfo", "ReportSpec", "ads_tasks"]

OBJECTS: Final = "objects"
_TREE: Final = "tree:"


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

    @property
    def metrics(self) -> tuple[str, ...]:
        cols = AUDIENCE_METRICS if self.report_type == "AUDIENCE" else REPORT_METRICS
        return (*(c.name for c in cols), *self.attributes)

    @property
    def dimensions(self) -> tuple[str, ...]:
        extra = (self.audience,) if self.audience else ()
        return (self.id_dimension, "stat_time_day", *extra)


REPORTS: Final = (
    ReportSpec("advertiser_daily", "advertiser_daily", "advertiser_id"),
    ReportSpec("campaign_daily", "campaign_daily", "campaign_id"),
    ReportSpec("adgroup_daily", "adgroup_daily", "adgroup_id", ("campaign_id",)),
    ReportSpec("ad_daily", "ad_daily", "ad_id", ("campaign_id", "adgroup_id")),
)
AUDIENCES: Final = (
    ReportSpec("audience_gender", "audience_daily", "campaign_id", (), "AUDIENCE", "gender"),
    ReportSpec("audience_age", "audience_daily", "campaign_id", (), "AUDIENCE", "age"),
    ReportSpec("audience_country", "audience_daily", "campaign_id", (), "AUDIENCE", "country_code"),
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
    tbl = table(name)
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

    def activity(day: date) -> float:
        return float(bisect_right(created, day)) if created is not None else 1.0

    return WindowPlanner(
        span[0],
        span[1],
        max_days=min(ctx.max_window_days or DAILY_MAX_DAYS, DAILY_MAX_DAYS),
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
    day = r.day
    if ident is None or day is None:
        return None
    out[spec.id_dimension] = ident
    out["stat_date"] = day
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


def _report(ctx: TaskContext, adv: AdvertiserInfo, spec: ReportSpec) -> Iterator[Chunk]:
    aid = adv.advertiser_id
    today = local_today(ctx.now(), adv.timezone)
    span = plan_range(
        ctx.cursors.get(spec.stream, aid),
        today=today,
        since=ctx.since,
        history_days=ctx.history_days,
    )
    if span is None:
        return
    planner = _planner(ctx, aid, spec, span)
    tbl = table(spec.table)
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
    advertisers: Sequence[AdvertiserInfo], streams: Sequence[str] | None = None
) -> list[Task]:
    """The tasks of ``sync ads`` for these advertisers (all streams unless *streams* names some;
    report streams wait for their advertiser's objects)."""
    wanted = set(streams) if streams else None
    out: list[Task] = []
    for adv in advertisers:
        aid = adv.advertiser_id
        reports = [s for s in (*REPORTS, *AUDIENCES) if wanted is None or s.stream in wanted]
        if wanted is None or OBJECTS in wanted or reports:
            out.append(Task(OBJECTS, aid, partial(_objects, adv=adv)))
        for spec in reports:
            out.append(
                Task(
                    spec.stream,
                    aid,
                    partial(_report, adv=adv, spec=spec),
                    after=OBJECTS,
                    optional=spec.report_type == "AUDIENCE",
                )
            )
    return out


def stream_names() -> list[str]:
    """Every stream ``sync ads`` knows (objects, reports, breakdowns)."""
    return [OBJECTS, *(s.stream for s in (*REPORTS, *AUDIENCES))]
