"""The delivery simulator: what every ad spent and earned on every day, computed lazily.

For each (ad, local day) the simulator draws 16 uniforms from a keyed hash of
``(seed, ad_id, day)`` and turns them into one *full-day record* of integer counts: spend (in
cents), impressions, reach, clicks, video and engagement counts, conversions and their value.
The same (ad, day) always gives the same record, whatever else was asked before.

How the numbers come about (all **[EMU]** except the metric definitions):

- **spend** = the ad group's daily budget (in effect at local noon) × the ad's share of it
  (creative quality ^ 1.5 among its siblings) × pacing; a cost-cap bid below the expected
  cost per result caps delivery (SHP-6's "cost cap with a low bid");
- **impressions** = spend / CPM; CPM from the objective, the targeted countries, the currency,
  how narrow the targeting is, creative quality, season (Q4 dearer) and the weekday;
- **clicks** follow SPK-10's definitions: a non-Spark ad's paid clicks count CTA + caption +
  nickname + profile photo + swipe; a Spark ad's count CTA + caption only, and the rest become
  paid profile visits; Spark ads also get paid follows, music-disc clicks and anchor clicks;
- **Spark effect sizes** (SPK-11, configurable): complete-view rate × 1.30, engagement rate
  (all clicks / impressions) × 2.42, conversions per click × 1.43, CPM × 0.96, each relative to
  the same creative run as a non-Spark ad;
- **video**: plays ≈ 90 % of impressions, viewers drop off exponentially with a half-life that
  grows with quality; 2 s / 6 s / 25–100 % views and total play time follow from it;
- **conversions** = clicks × CVR (objective, quality), valued at the advertiser's average
  order value; web, shop, app and lead conversions are kept apart;
- creatives tire slowly with age (fatigue).

Then three clocks apply (``marketing_api.md`` §2.4): a day's delivery accrues hour by hour
along the audience's activity profile and shows :attr:`MarketingSettings.latency_minutes` late;
conversions of a day start at 55 % and are restated up to 100 % over the attribution window;
UV metrics (reach) of a day appear :attr:`MarketingSettings.uv_latency_hours` after it ends.
Paused periods, schedules, review and expired Spark authorizations remove delivery the same
way, weighted by the hourly profile.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from tokops.sandbox.world.ad_day_counts import CONVERSION_FIELDS, FIELDS, IDX, phases
from tokops.sandbox.world.ad_model import AdModel
from tokops.sandbox.world.calendar import day_clock
from tokops.sandbox.world.ids import draws2
from tokops.sandbox.world.model import Ad

if TYPE_CHECKING:
    from tokops.sandbox.world.world import World

__all__ = ["Simulator", "full_record"]

_N = len(FIELDS)
_SPARK = IDX["spark_days"]
_AD_DAYS = IDX["ad_days"]
if (IDX["result_conv"], IDX["result_other"], _SPARK, _AD_DAYS, IDX["web_purchases"]) != (
    30,
    31,
    32,
    33,
    22,
):
    raise RuntimeError("full_record's literal field positions are out of date")
_REACH = IDX["reach"]
_UV = IDX["uv_days"]
_CONV_START = CONVERSION_FIELDS[0]
_RESTATE_START: Final = 0.55


_SEASON: dict[int, float] = {}


def _season(ordinal: int) -> float:
    """CPM level through the year: Q4 peaks towards Black Friday and Christmas."""
    found = _SEASON.get(ordinal)
    if found is None:
        day = date.fromordinal(ordinal)
        q4 = math.exp(-(((day.timetuple().tm_yday - 335) / 22.0) ** 2))
        found = (1.0 + 0.22 * q4) * (0.95 if day.weekday() >= 5 else 1.0)
        _SEASON[ordinal] = found
    return found


def full_record(
    m: AdModel, ordinal: int, key: bytes, effects: tuple[float, float, float]
) -> list[int]:
    """The ad's counts for a whole local day of delivery (before latency and pauses)."""
    u = draws2(key, m.key, ordinal)
    exp = math.exp
    if len(m.budget_log) == 1:
        budget = m.budget_log[0][1]
    else:
        clock = day_clock(m.tz, ordinal)
        budget = m.budget_at((clock.start + clock.end) / 2)
    out = [0] * _N
    r0, r1, r2, r3, r4, r5, r6 = u[9:16]
    out[0] = s = int(budget * m.spend_factor * (0.82 + 0.18 * u[0]) + r0)
    cpm = m.cpm * _season(ordinal) * exp(0.25 * (u[1] - 0.5))
    impr = int(s * 10.0 / cpm + r1)
    if impr <= 0:
        return out
    out[1] = impr
    reach = int(impr / (m.freq + 0.08 * u[2]) + r2)
    out[2] = reach if reach < impr else impr
    age = ordinal - m.created_ord
    fatigue = (1.0 + age / 150.0) ** -0.35 if age > 0 else 1.0
    cta = m.cta * fatigue * exp(0.3 * (u[3] - 0.5))
    social = m.social * fatigue * exp(0.3 * (u[6] - 0.5))
    spark = m.spark
    if spark:
        clicks = int(impr * cta * 1.25 + r3)
        visits = int(impr * cta * 0.5 + r4)
        follows = int(visits * 0.15 + r5)
        music = int(impr * m.music_rate + r6)
        anchor = int(impr * 0.0008 + r0) if m.anchor else 0
        target = impr * (1.0 + effects[1]) * (1.75 * cta + social)
        social_n = target - clicks - visits - follows - music - anchor
        if social_n < impr * social:
            social_n = impr * social
    else:
        clicks = int(impr * cta * 1.75 + r3)
        visits = follows = music = anchor = 0
        social_n = impr * social
    likes = int(social_n * 0.82 + r4)
    comments = int(social_n * 0.07 + r5)
    shares = int(social_n * 0.11 + r6)
    out[3] = clicks
    out[4] = clicks + likes + comments + shares + visits + follows + music + anchor
    out[14:21] = (likes, comments, shares, follows, visits, music, anchor)
    if m.video:
        plays = int(impr * (0.88 + 0.08 * u[4]) + r1)
        dur = m.duration
        tau = m.tau * exp(0.2 * (u[5] - 0.5))
        inv = -1.0 / tau
        w2 = int(plays * exp(m.t2 * inv) + r2)
        w2 = w2 if w2 < plays else plays
        w6 = int(plays * exp(m.t6 * inv) + r2)
        w6 = w6 if w6 < w2 else w2
        boost = effects[2] if spark else 0.0
        step = dur * inv
        q25 = int(plays * exp(0.25 * step) * (1.0 + 0.25 * boost) + r3)
        q25 = q25 if q25 < plays else plays
        q50 = int(plays * exp(0.5 * step) * (1.0 + 0.5 * boost) + r3)
        q50 = q50 if q50 < q25 else q25
        q75 = int(plays * exp(0.75 * step) * (1.0 + 0.75 * boost) + r3)
        q75 = q75 if q75 < q50 else q50
        q100 = int(plays * exp(step) * (1.0 + boost) + r3)
        q100 = q100 if q100 < q75 else q75
        out[5:12] = (plays, w2, w6, q25, q50, q75, q100)
        out[12] = int(plays * tau * (1.0 - exp(step)) * 10.0 + r4)
        ev = int(w6 * 1.03 + r5)
        out[13] = ev if ev < plays else plays
    kind = m.kind
    if kind:
        cvr = m.cvr * exp(0.3 * (u[7] - 0.5))
        if spark:
            cvr *= 1.0 + effects[0]
        conv = int(clicks * cvr + r6)
        if conv > clicks:
            conv = clicks
        value = int(conv * m.aov_cents * exp(0.25 * (u[8] - 0.5)) + r0)
        if kind == 1:
            out[21] = int(clicks * 0.78 + r1)
            out[22] = conv
            out[23] = value
            out[28] = max(conv, int(conv * 3.2 + r2))
            out[29] = max(conv, int(conv * 1.6 + r3))
        elif kind == 2:
            out[24] = conv
            out[25] = value
        elif kind == 3:
            out[26] = conv
        else:
            out[27] = conv
    else:
        out[21] = int(clicks * 0.8 + r1)
    mode = m.result_mode
    if mode == 0:
        out[30] = out[22] + out[24] + out[26] + out[27]
    else:
        out[31] = (0, clicks, out[2], out[13], follows, visits, impr)[mode]
    out[32] = 1 if spark else 0
    out[33] = 1
    out[34] = 1
    return out


class Simulator:
    """Visible daily records of the world's ads as of any moment (see the module doc)."""

    def __init__(self, world: World) -> None:
        self.world = world
        s = world.settings
        self.latency_s = s.latency_minutes * 60.0
        self.uv_latency_s = s.uv_latency_hours * 3600.0
        self.window_s = s.attribution_window_days * 86_400.0
        self.effects = (s.spark.cvr, s.spark.engagement_rate, s.spark.complete_view_rate)

    def model(self, ad: Ad) -> AdModel:
        cache = self.world.cached("ad_models")
        found: AdModel | None = cache.get(ad.ad_id)
        if found is None:
            found = cache[ad.ad_id] = AdModel(self.world, ad)
        return found

    def restated(self, day_end: float, now: float) -> float:
        """Share of a day's eventual conversions visible *now* (restatement, §2.4)."""
        if self.window_s <= 0 or now >= day_end + self.window_s:
            return 1.0
        age = max(now - day_end, 0.0) / self.window_s
        return _RESTATE_START + (1.0 - _RESTATE_START) * math.sqrt(age)

    def day(self, m: AdModel, ordinal: int, now: float) -> list[int] | None:
        """The ad's record of local day *ordinal* as visible at *now* (``None``: nothing)."""
        clock = day_clock(m.tz, ordinal)
        iv = m.intervals
        if (
            len(iv) == 1
            and iv[0][0] <= clock.start
            and clock.end <= iv[0][1]
            and clock.end <= now - self.latency_s
        ):
            share = 1.0
        else:
            share = clock.share_on(iv, now - self.latency_s)
            if share <= 0.0:
                return None
        rec = full_record(m, ordinal, self.world.key, self.effects)
        if rec[0] <= 0:
            return None
        ratio = self.restated(clock.end, now)
        if share < 1.0 or ratio < 1.0:
            offsets = phases(rec)
            if share < 1.0:
                rec = [int(v * share + o) for v, o in zip(rec, offsets, strict=True)]
                if rec[0] <= 0:
                    return None
                rec[_SPARK] = 1 if m.spark else 0
                rec[_AD_DAYS] = rec[_UV] = 1
            self._restate(rec, ratio, offsets)
        if now < clock.end + self.uv_latency_s:
            rec[_REACH] = rec[_UV] = 0
        return rec

    @staticmethod
    def _restate(rec: list[int], ratio: float, offsets: list[float]) -> None:
        if ratio < 1.0:
            for j in CONVERSION_FIELDS:
                rec[j] = int(rec[j] * ratio + offsets[j])

    def hours(self, m: AdModel, ordinal: int, now: float) -> Iterator[tuple[int, list[int]]]:
        """(local hour, record) of one day, each hour's share of the day's counts.

        The hours of a day sum exactly to :meth:`day` at the same *now*, field by field: an
        hour without spend has no row (§2.1), so what it accrued (a stray impression or click
        of a rounding) is carried into the next hour with spend, and what accrues after the
        last one goes to that last hour. **[EMU]**
        """
        clock = day_clock(m.tz, ordinal)
        limit = now - self.latency_s
        total = clock.share_on(m.intervals, limit)
        if total <= 0.0:
            return
        full = full_record(m, ordinal, self.world.key, self.effects)
        ratio = self.restated(clock.end, now)
        uv = now >= clock.end + self.uv_latency_s
        previous = [0] * _N
        offsets = phases(full)
        current = previous
        pending: tuple[int, list[int]] | None = None
        for label, _, end in clock.hours:
            cum = clock.share_on(m.intervals, min(end, limit))
            current = [int(v * cum + o) for v, o in zip(full, offsets, strict=True)]
            self._restate(current, ratio, offsets)
            if current[0] - previous[0] <= 0:
                continue  # no spend this hour: its counts wait for the next hour with spend
            rec = [a - b for a, b in zip(current, previous, strict=True)]
            previous = current
            if pending is not None:
                yield self._hour(pending, m.spark, uv)
            pending = (label, rec)
        if pending is None:
            return
        label, rec = pending
        tail = [a - b for a, b in zip(current, previous, strict=True)]
        yield self._hour((label, [a + b for a, b in zip(rec, tail, strict=True)]), m.spark, uv)

    @staticmethod
    def _hour(item: tuple[int, list[int]], spark: bool, uv: bool) -> tuple[int, list[int]]:
        label, rec = item
        rec[_SPARK] = 1 if spark else 0
        rec[_AD_DAYS] = rec[_UV] = 1
        if not uv:
            rec[_REACH] = rec[_UV] = 0
        return label, rec

    def totals(
        self,
        advertiser_id: str,
        start: date,
        end: date,
        as_of: datetime | None,
        include_deleted: bool = False,
    ) -> dict[str, int | Decimal]:
        now = math.inf if as_of is None else as_of.timestamp()
        sums = [0] * _N
        for ad in self.world.ads_of(advertiser_id):
            if not include_deleted and self.world.is_deleted(ad):
                continue
            m = self.model(ad)
            for ordinal in range(start.toordinal(), end.toordinal() + 1):
                rec = self.day(m, ordinal, now)
                if rec is not None:
                    for j, v in enumerate(rec):
                        sums[j] += v if v > 0 else 0
        out: dict[str, int | Decimal] = {name: sums[j] for j, name in enumerate(FIELDS)}
        out["spend"] = Decimal(sums[0]) / 100
        for name in ("web_value", "shop_value"):
            out[name] = Decimal(sums[IDX[name]]) / 100
        out["conversion"] = sum(sums[j] for j in (22, 24, 26, 27))
        out["conversion_value"] = Decimal(sums[23] + sums[25]) / 100
        out["play_time"] = Decimal(sums[IDX["play_time"]]) / 10
        return out
