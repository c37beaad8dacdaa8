"""Run a :class:`ReportQuery` over the simulated world: rows, truncation, order, totals.

Rows are built from the simulator's (ad, day) records as visible at the request's ``now``,
split by audience segment or by hour when asked, grouped by the requested dimensions and
summed; derived metrics are computed from the sums (ratio of sums). Rows with no spend are
dropped (``marketing_api.md`` §2.1). An AUCTION_AD query covering more ads with spend than
``report_ad_cap`` keeps only the most recently created ones and is flagged for the
``X-Tt-Ads-Throttle`` header.

A query's full result is cached (keyed by the query without paging, the world's version and
the minute of ``now``) so paging through it costs one computation. **[EMU]** Rows are ordered
by their dimension values (ids and times ascending) unless ``order_field`` is given.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Final

from tokops.sandbox.marketing.metrics import (
    ATTRIBUTES,
    METRICS,
    cents,
    format_value,
    formatter,
    needed_fields,
)
from tokops.sandbox.marketing.report_request import ReportQuery
from tokops.sandbox.world.ad_day_counts import FIELDS
from tokops.sandbox.world.breakdowns import Segments, segments_for
from tokops.sandbox.world.calendar import day_clock, local_date
from tokops.sandbox.world.model import Ad
from tokops.sandbox.world.world import World

__all__ = ["ReportEngine", "ReportResult"]

_N: Final = len(FIELDS)
_BID_STRATEGY: Final = {
    "BID_TYPE_NO_BID": "BID_STRATEGY_LOWEST_COST",
    "BID_TYPE_MAX_CONVERSION": "BID_STRATEGY_MAX_CONVERSION",
}


class _FormatPlan:
    """Formats a row's metrics: plain fields in bulk (C-level ``map``), derived ones one by one."""

    def __init__(self, names: Iterable[str]) -> None:
        metrics = [METRICS[n] for n in names if n in METRICS]
        plain = [m for m in metrics if m.direct >= 0 and not m.spark_only]
        self.counts = [m.name for m in plain if m.kind == "count"]
        self.money = [m.name for m in plain if m.kind == "money"]
        self.get_counts = _getter([m.direct for m in plain if m.kind == "count"])
        self.get_money = _getter([m.direct for m in plain if m.kind == "money"])
        done = {m.name for m in plain}
        self.others = [(m.name, formatter(m)) for m in metrics if m.name not in done]
        produced = [*self.counts, *self.money, *(n for n, _ in self.others)]
        self.order = [m.name for m in metrics]
        self.reorder = produced != self.order

    def __call__(self, sums: list[int]) -> dict[str, str]:
        out = dict(zip(self.counts, map(str, self.get_counts(sums)), strict=True))
        out.update(zip(self.money, map(cents, self.get_money(sums)), strict=True))
        for name, fmt in self.others:
            out[name] = fmt(sums)
        if self.reorder:
            return {name: out[name] for name in self.order}
        return out


def _getter(indices: list[int]) -> Callable[[list[int]], tuple[int, ...]]:
    if not indices:
        return lambda s: ()
    if len(indices) == 1:
        j = indices[0]
        return lambda s: (s[j],)
    return itemgetter(*indices)


@dataclass(frozen=True)
class ReportResult:
    rows: list[tuple[tuple[str, ...], list[int]]]
    truncated: bool
    totals: list[int]


def _merge(acc: list[int], rec: list[int], fields: Iterable[int]) -> None:
    for j in fields:
        acc[j] += rec[j]


class ReportEngine:
    """Computes and caches report results for one world."""

    def __init__(self, world: World, *, cache_size: int = 8) -> None:
        self.world = world
        self._cache: OrderedDict[Any, ReportResult] = OrderedDict()
        self._cache_size = cache_size

    # -- selection --------------------------------------------------------------------------
    def _ads(self, q: ReportQuery, advertiser_id: str) -> list[Ad]:
        w = self.world
        wanted = {name: q.filter_values(name) for name in ("campaign_ids", "adgroup_ids", "ad_ids")}
        objectives = q.filter_values("objective_type")
        names = {n: q.filter_values(n) for n in ("campaign_name", "adgroup_name", "ad_name")}
        out = []
        for ad in w.ads_of(advertiser_id):
            campaign, adgroup = w.campaigns[ad.campaign_id], w.adgroups[ad.adgroup_id]
            deleted = ad.deleted or adgroup.deleted or campaign.deleted
            if q.only_deleted and not deleted:
                continue
            if deleted and not (q.include_deleted or q.only_deleted):
                continue
            if wanted["campaign_ids"] is not None and ad.campaign_id not in wanted["campaign_ids"]:
                continue
            if wanted["adgroup_ids"] is not None and ad.adgroup_id not in wanted["adgroup_ids"]:
                continue
            if wanted["ad_ids"] is not None and ad.ad_id not in wanted["ad_ids"]:
                continue
            if objectives is not None and campaign.objective_type not in objectives:
                continue
            texts = {
                "campaign_name": campaign.name,
                "adgroup_name": adgroup.name,
                "ad_name": ad.name,
            }
            if any(v is not None and not any(x in texts[k] for x in v) for k, v in names.items()):
                continue
            out.append(ad)
        return out

    def _segments_of(self, ad: Ad, dims: tuple[str, ...]) -> Segments:
        key = (ad.adgroup_id, dims)
        cache = self.world.cached("segments")  # targeting can change
        found: Segments | None = cache.get(key)
        if found is None:
            w = self.world
            found = segments_for(w.adgroups[ad.adgroup_id], w.advertisers[ad.advertiser_id], dims)
            cache[key] = found
        return found

    # -- computation ------------------------------------------------------------------------
    def run(self, q: ReportQuery, now: datetime) -> ReportResult:
        key = (q, self.world.version, int(now.timestamp() // 60))
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        result, spenders = self._compute(q, now, None)
        if result.truncated:
            result, _ = self._compute(q, now, self._newest(spenders))
        self._cache[key] = result
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return result

    def _newest(self, spenders: set[str]) -> frozenset[str]:
        """The ``report_ad_cap`` most recently created of the ads with spend (§2.1)."""
        ads = sorted((self.world.ads[a] for a in spenders), key=lambda a: (a.created, a.ad_id))
        return frozenset(a.ad_id for a in ads[-self.world.settings.report_ad_cap :])

    def _compute(
        self, q: ReportQuery, now: datetime, only: frozenset[str] | None
    ) -> tuple[ReportResult, set[str]]:
        w = self.world
        now_ts = now.timestamp()
        fields = needed_fields([*q.metrics, *([q.order_field] if q.order_field else [])])
        aud_latency = w.settings.audience_latency_hours * 3600.0
        filtered = [d for d in ("gender", "age", "country_code") if q.filter_values(d) is not None]
        split_dims = tuple(dict.fromkeys((*q.audience, *filtered)))
        keep = [q.filter_values(d) for d in split_dims]
        hourly = q.time_dim == "stat_time_hour"
        groups: dict[tuple[str, ...], list[int]] = {}
        spenders: set[str] = set()
        # one row per (ad, time): records need no merging
        plain = not q.multi and not split_dims and set(q.dims) == {"ad_id", q.time_dim}
        ad_first = q.dims[0] == "ad_id"
        sim = w.sim
        for advertiser_id in q.advertiser_ids:
            tz = w.advertisers[advertiser_id].timezone
            today = local_date(tz, now).toordinal()
            for ad in self._ads(q, advertiser_id):
                if only is not None and ad.ad_id not in only:
                    continue
                m = sim.model(ad)
                span = m.active_days()
                if span is None:
                    continue
                first, last = span[0], min(span[1], today)
                if q.start is not None and q.end is not None:
                    first, last = max(first, q.start.toordinal()), min(last, q.end.toordinal())
                ids = (advertiser_id, ad.campaign_id, ad.adgroup_id, ad.ad_id)
                segments = self._segments_of(ad, split_dims) if split_dims else None
                for ordinal in range(first, last + 1):
                    if (
                        q.report_type == "AUDIENCE"
                        and now_ts < day_clock(tz, ordinal).end + aud_latency
                    ):
                        continue
                    if hourly:
                        day_text = date.fromordinal(ordinal).isoformat()
                        records: Iterable[tuple[str, list[int]]] = (
                            (f"{day_text} {h:02d}:00:00", r)
                            for h, r in sim.hours(m, ordinal, now_ts)
                        )
                    else:
                        rec = sim.day(m, ordinal, now_ts)
                        if rec is None:
                            continue
                        stamp = f"{date.fromordinal(ordinal).isoformat()} 00:00:00"
                        records = ((stamp, rec),)
                    for stamp, rec in records:
                        spenders.add(ad.ad_id)
                        if segments is None:
                            if plain:
                                groups[(ad.ad_id, stamp) if ad_first else (stamp, ad.ad_id)] = rec
                            else:
                                self._add(groups, q, ids, stamp, (), rec, fields)
                            continue
                        for seg, part in zip(
                            segments.keys, segments.split(rec, fields), strict=True
                        ):
                            if any(
                                k is not None and v not in k for v, k in zip(seg, keep, strict=True)
                            ):
                                continue
                            self._add(groups, q, ids, stamp, seg[: len(q.audience)], part, fields)
        rows = [(k, s) for k, s in groups.items() if s[0] > 0]
        truncated = only is None and q.level == 3 and len(spenders) > w.settings.report_ad_cap
        rows.sort(key=lambda r: r[0])
        if q.order_field:
            metric = METRICS[q.order_field]
            rows.sort(key=lambda r: metric.fn(r[1]) or 0.0, reverse=q.order_desc)
        totals = [0] * _N
        if q.total_metrics:
            for _, sums in rows:
                _merge(totals, sums, fields)
        return ReportResult(rows, truncated or only is not None, totals), spenders

    @staticmethod
    def _add(
        groups: dict[tuple[str, ...], list[int]],
        q: ReportQuery,
        ids: tuple[str, str, str, str],
        stamp: str,
        seg: tuple[str, ...],
        rec: list[int],
        fields: tuple[int, ...],
    ) -> None:
        values = []
        if q.multi:
            values.append(ids[0])
        for dim in q.dims:
            if dim == "advertiser_id":
                values.append(ids[0])
            elif dim == "campaign_id":
                values.append(ids[1])
            elif dim == "adgroup_id":
                values.append(ids[2])
            elif dim == "ad_id":
                values.append(ids[3])
            elif dim in ("stat_time_day", "stat_time_hour"):
                values.append(stamp)
            else:
                values.append(seg[q.audience.index(dim)])
        key = tuple(values)
        acc = groups.get(key)
        if acc is None:
            acc = groups[key] = [0] * _N
        _merge(acc, rec, fields)

    # -- presentation -----------------------------------------------------------------------
    def rows(
        self, q: ReportQuery, rows: Iterable[tuple[tuple[str, ...], list[int]]]
    ) -> list[dict[str, Any]]:
        """The answer's ``list`` entries for *rows* of a result."""
        plan = _FormatPlan(q.metrics)
        attributes = [n for n in q.metrics if n in ATTRIBUTES]
        return [self.row(q, key, sums, plan, attributes) for key, sums in rows]

    def row(
        self,
        q: ReportQuery,
        key: tuple[str, ...],
        sums: list[int],
        plan: _FormatPlan,
        attributes: list[str],
    ) -> dict[str, Any]:
        offset = 1 if q.multi else 0
        dims = dict(zip(q.dims, key[offset:], strict=True))
        advertiser_id = key[0] if q.multi else q.advertiser_ids[0]
        metrics = plan(sums)
        for name in attributes:
            metrics[name] = self._attribute(q, name, dims, advertiser_id)
        if attributes:
            metrics = {name: metrics[name] for name in q.metrics}
        if q.multi:
            adv = self.world.advertisers[advertiser_id]
            metrics.update(
                advertiser_id=adv.advertiser_id, currency=adv.currency, timezone=adv.timezone
            )
        return {"dimensions": dims, "metrics": metrics}

    def totals(self, q: ReportQuery, sums: list[int]) -> dict[str, str]:
        return {n: format_value(METRICS[n], sums) for n in q.metrics if n in METRICS}

    def _attribute(
        self, q: ReportQuery, name: str, dims: dict[str, str], advertiser_id: str
    ) -> str:
        w = self.world
        if name == "currency":
            return w.advertisers[advertiser_id].currency
        id_dim = q.id_dim
        if id_dim is None or ATTRIBUTES[name] > q.level:
            return "-"
        obj_id = dims[id_dim]
        ad = w.ads.get(obj_id) if q.level == 3 else None
        adgroup = w.adgroups.get(ad.adgroup_id if ad else obj_id) if q.level >= 2 else None
        campaign_id = ad.campaign_id if ad else adgroup.campaign_id if adgroup else obj_id
        campaign = w.campaigns.get(campaign_id)
        values: dict[str, Any] = {}
        if campaign is not None:
            values.update(
                campaign_name=campaign.name,
                campaign_id=campaign.campaign_id,
                objective_type=campaign.objective_type,
                campaign_budget=f"{campaign.budget:.2f}",
            )
        if adgroup is not None:
            bid = _BID_STRATEGY.get(adgroup.bid_type)
            if bid is None:
                bid = (
                    "BID_STRATEGY_COST_CAP"
                    if adgroup.conversion_bid_price
                    else "BID_STRATEGY_BID_CAP"
                )
            values.update(
                adgroup_name=adgroup.name,
                adgroup_id=adgroup.adgroup_id,
                placement_type=adgroup.placement_type,
                promotion_type=adgroup.promotion_type,
                budget=f"{adgroup.budget:.2f}",
                bid_strategy=bid,
                billing_event=adgroup.billing_event,
                opt_status=adgroup.operation_status,
            )
        if ad is not None:
            text = ad.ad_text
            if ad.tiktok_item_id and ad.tiktok_item_id in w.posts:
                text = w.posts[ad.tiktok_item_id].caption  # SPK-5: the post's caption
            values.update(ad_name=ad.name, ad_text=text or "-")
        return str(values.get(name, "-"))
