"""Formats and hashtags that saturate: engagement rate peaked and falling while posts keep coming.

KPI-4: warn **before** a trend's engagement collapses. Per format (content type read from the
caption) or hashtag, the engine returns one row per publish day: posts, Σengagements, Σviews
(see :mod:`.organic` for the definitions; ER = Σ(likes+comments+shares) / Σvideo_views over the
posts *published* that day, with their latest lifetime counters). Then, as of a day ``t`` and
with a window of ``N`` days:

- **current** = the N days ending at t, **previous** = the N days before;
- **peak** = the N-day window (ratio of sums) with the highest ER among those ending at least N
  days before t, so that it does not overlap the current window;
- **decline** = 1 − current ER / peak ER, tested with the delta method on day clusters
  (:func:`~tokops.insights.stats.ratio.ratio_test`, peak window vs current window);
- status **saturating**: decline ≥ ``min_decline``, p < ``alpha``, posts in the current window
  ≥ ``volume_hold`` × the previous window's (creators keep piling on) and the current ER still
  above the reference (all posts' ER in the same window): the trend still outperforms but is
  wearing out. **collapsed**: the same decline with the ER at or below the reference.
  **declining**: the decline comes with falling volume. **rising**: current ER ≥ (1 +
  ``min_decline``) × previous. Otherwise **stable**; **insufficient** below ``min_posts``.

**Baseline** (default for hashtags): a tag's ER is divided by the ER of the *other* posts of the
accounts that use it, over the same N-day window, and the peak, decline and test above run on
that relative ER. A hashtag shares its posts with others (a niche tag rides along with every
trend of the niche; ``#fyp`` is on half the posts), so the raw ER of one tag moves with the
others'; relative to the same accounts' other posts, only the tag's own effect is left. A tag on
every post of its accounts has no baseline (status ``no baseline``). With a baseline,
**collapsed** means the tag now does no better than the accounts' other posts.

The peak is the maximum of many windows, so its ER is biased upwards (winner's curse); the
minimum decline and the significance test guard against flagging noise, not completely.
Lifetime counters are read as of the last sync: a backtest (``as_of`` in the past) sees later
engagement of old posts, which leaves ratios roughly unchanged but is not a strict replay.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.organic import post_features, post_tags
from tokops.insights.stats.common import FloatArray, StatsInputError, jsonable
from tokops.insights.stats.ratio import ratio_arm, ratio_test

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.metrics.reader import Reader

__all__ = ["SaturationReport", "SaturationRow", "SaturationSeries", "saturation_report"]

By = Literal["content_type", "hashtag"]


@dataclass(frozen=True, slots=True)
class SaturationRow:
    """Assessment of one format or hashtag as of ``as_of``; rates are fractions."""

    key: str
    status: str
    posts_current: int
    posts_previous: int
    rate_current: float | None
    rate_previous: float | None
    reference_rate: float | None
    """ER of all posts in the current window."""
    peak_date: dt.date | None
    """Last day of the peak window."""
    peak_rate: float | None
    decline: float | None
    """1 − current / peak."""
    p_value: float | None
    total_posts: int


@dataclass(frozen=True, slots=True)
class SaturationSeries:
    """Dense daily publish-day sums, ``days[i]`` ↔ column ``i``; ``keys[j]`` ↔ row ``j``."""

    days: tuple[dt.date, ...]
    keys: tuple[str, ...]
    posts: FloatArray
    engagements: FloatArray
    views: FloatArray
    all_engagements: FloatArray
    all_views: FloatArray
    base_engagements: FloatArray
    """Per key and day: engagements of the other posts of the accounts that use the key."""
    base_views: FloatArray

    def index(self, day: dt.date) -> int:
        return min(max((day - self.days[0]).days, -1), len(self.days) - 1)

    def rate(self, j: int, i: int) -> float | None:
        """ER of key *j* on day index *i* (None without views)."""
        v = float(self.views[j, i])
        return float(self.engagements[j, i]) / v if v > 0 else None


@dataclass(frozen=True, slots=True)
class SaturationReport:
    by: By
    as_of: dt.date | None
    window_days: int
    rows: tuple[SaturationRow, ...]
    series: SaturationSeries | None
    notes: tuple[str, ...]

    def flagged(self) -> tuple[SaturationRow, ...]:
        return tuple(r for r in self.rows if r.status == "saturating")

    def to_dict(self, *, with_series: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "by": self.by,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "window_days": self.window_days,
            "engagement_rate": "Σ(likes+comments+shares) / Σvideo_views of posts published "
            "that day (publish-day cohorts, lifetime counters)",
            "rows": [
                jsonable({**asdict(r), "peak_date": r.peak_date and r.peak_date.isoformat()})
                for r in self.rows
            ],
            "notes": list(self.notes),
        }
        s = self.series
        if with_series and s is not None:
            out["series"] = {
                key: [
                    {"day": d.isoformat(), "posts": int(s.posts[j, i]), "rate": s.rate(j, i)}
                    for i, d in enumerate(s.days)
                    if s.posts[j, i] > 0
                ]
                for j, key in enumerate(s.keys)
            }
            out["series"] = jsonable(out["series"])
        return out


def _grouped(store: Reader, by: By) -> tuple[ir.Table, ir.Table]:
    """Per key and day: posts, Σengagements, Σviews and the same accounts' other posts' sums."""
    posts = post_features(store)
    src = (
        post_tags(posts).rename(key="hashtag")
        if by == "hashtag"
        else posts.mutate(key=posts.content_type)
    )
    kd = src.group_by("key", "business_id", "day").aggregate(
        posts=src.count(), engagements=src.engagements.sum(), views=src.views.sum()
    )
    acct = posts.group_by("business_id", "day").aggregate(
        a_eng=posts.engagements.sum(), a_views=posts.views.sum()
    )
    users = kd.select("key", "business_id").distinct()
    grid = users.join(acct, "business_id")
    full = grid.left_join(kd, ["key", "business_id", "day"]).select(
        "key",
        "day",
        posts=kd.posts.fill_null(0),
        engagements=kd.engagements.fill_null(0.0),
        views=kd.views.fill_null(0.0),
        base_eng=grid.a_eng - kd.engagements.fill_null(0.0),
        base_views=grid.a_views - kd.views.fill_null(0.0),
    )
    per_key = full.group_by("key", "day").aggregate(
        posts=full.posts.sum(),
        engagements=full.engagements.sum(),
        views=full.views.sum(),
        base_eng=full.base_eng.sum(),
        base_views=full.base_views.sum(),
    )
    overall = posts.group_by("day").aggregate(
        engagements=posts.engagements.sum(), views=posts.views.sum()
    )
    return per_key, overall


def load_series(store: Reader, by: By = "content_type") -> SaturationSeries | None:
    """The engine's grouped rows as dense arrays (None when there are no posts)."""
    if by not in ("content_type", "hashtag"):
        raise ConfigError(f"by {by!r}: use content_type or hashtag")
    per_key, overall = _grouped(store, by)
    rows = store.fetch(per_key).to_pylist()
    all_rows = store.fetch(overall).to_pylist()
    if not all_rows:
        return None
    first = min(r["day"] for r in all_rows)
    last = max(r["day"] for r in all_rows)
    days = tuple(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    keys = tuple(sorted({r["key"] for r in rows}))
    pos = {k: j for j, k in enumerate(keys)}
    shape = (len(keys), len(days))
    posts, eng, views = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    base_eng, base_views = np.zeros(shape), np.zeros(shape)
    for r in rows:
        j, i = pos[r["key"]], (r["day"] - first).days
        posts[j, i], eng[j, i], views[j, i] = r["posts"], r["engagements"], r["views"]
        base_eng[j, i], base_views[j, i] = r["base_eng"], r["base_views"]
    all_eng, all_views = np.zeros(len(days)), np.zeros(len(days))
    for r in all_rows:
        i = (r["day"] - first).days
        all_eng[i], all_views[i] = r["engagements"], r["views"]
    return SaturationSeries(days, keys, posts, eng, views, all_eng, all_views, base_eng, base_views)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def _p_value(eng: FloatArray, views: FloatArray, a: slice, b: slice) -> float | None:
    pa, pb = views[a] > 0, views[b] > 0
    try:
        test = ratio_test(ratio_arm(eng[a][pa], views[a][pa]), ratio_arm(eng[b][pb], views[b][pb]))
    except StatsInputError:
        return None
    return None if math.isnan(test.p_value_rel) else test.p_value_rel


def assess(
    s: SaturationSeries,
    j: int,
    t: int,
    *,
    window_days: int = 14,
    min_posts: int = 5,
    min_decline: float = 0.2,
    alpha: float = 0.10,
    volume_hold: float = 0.75,
    baseline: bool = False,
) -> SaturationRow:
    """Status of key *j* as of day index *t* (see the module doc)."""
    n = window_days
    posts, eng, views = s.posts[j, : t + 1], s.engagements[j, : t + 1], s.views[j, : t + 1]
    cur, prev = slice(max(t - n + 1, 0), t + 1), slice(max(t - 2 * n + 1, 0), max(t - n + 1, 0))
    p_cur, p_prev = int(posts[cur].sum()), int(posts[prev].sum())
    r_cur = _ratio(float(eng[cur].sum()), float(views[cur].sum()))
    r_prev = _ratio(float(eng[prev].sum()), float(views[prev].sum()))
    ref = _ratio(float(s.all_engagements[cur].sum()), float(s.all_views[cur].sum()))
    base: dict[str, Any] = {
        "key": s.keys[j],
        "posts_current": p_cur,
        "posts_previous": p_prev,
        "rate_current": r_cur,
        "rate_previous": r_prev,
        "reference_rate": ref,
        "total_posts": int(posts.sum()),
    }
    none: dict[str, Any] = {"peak_date": None, "peak_rate": None, "decline": None, "p_value": None}
    if p_cur < min_posts or r_cur is None:
        return SaturationRow(status="insufficient", **base, **none)
    if baseline:
        expected = _expected(views, s.base_engagements[j, : t + 1], s.base_views[j, : t + 1], n)
        if float(expected[cur].sum()) <= 0:
            return SaturationRow(status="no baseline", **base, **none)
    else:
        expected = views
    peak = _peak(s, eng, expected, views, posts, t, n, min_posts) or dict(none)
    p = peak["p_value"]
    declining = peak["decline"] is not None and peak["decline"] >= min_decline
    declining = declining and p is not None and p < alpha
    if declining:
        e_cur = float(expected[cur].sum())
        rel_now = float(eng[cur].sum()) / e_cur if e_cur > 0 else math.nan
        if (baseline and rel_now <= 1.0) or (not baseline and ref is not None and r_cur <= ref):
            status = "collapsed"
        elif p_cur >= volume_hold * p_prev:
            status = "saturating"
        else:
            status = "declining"
    elif r_prev is not None and p_prev >= min_posts and r_cur >= (1 + min_decline) * r_prev:
        status = "rising"
    else:
        status = "stable"
    return SaturationRow(status=status, **base, **peak)


def _peak(
    s: SaturationSeries, eng: FloatArray, expected: FloatArray, views: FloatArray,
    posts: FloatArray, t: int, n: int, min_posts: int,
) -> dict[str, Any] | None:  # fmt: skip
    """The best rolling window before the current one (date, rate, decline since, p-value).

    Rolling windows end ≤ t − N and start after the first N days of data (a burn-in that keeps
    start-up noise out of the peak). None without such a window.
    """
    cur = slice(max(t - n + 1, 0), t + 1)
    c_eng, c_exp, c_posts = (np.concatenate(([0.0], np.cumsum(x))) for x in (eng, expected, posts))
    ends = np.arange(2 * n - 1, t - n + 1)
    e_cur = float(expected[cur].sum())
    if not ends.size or e_cur <= 0:
        return None
    w_eng = c_eng[ends + 1] - c_eng[ends + 1 - n]
    w_exp = c_exp[ends + 1] - c_exp[ends + 1 - n]
    w_posts = c_posts[ends + 1] - c_posts[ends + 1 - n]
    ok = (w_posts >= min_posts) & (w_exp > 0)
    if not ok.any():
        return None
    rel = np.where(ok, w_eng / np.where(w_exp > 0, w_exp, 1.0), -np.inf)
    k = int(np.argmax(rel))
    e = int(ends[k])
    rel_cur = float(eng[cur].sum()) / e_cur
    decline = 1 - rel_cur / float(rel[k]) if rel[k] > 0 else 0.0
    peak_win = slice(e - n + 1, e + 1)
    p = _p_value(eng, expected, peak_win, cur)
    peak_rate = _ratio(float(eng[peak_win].sum()), float(views[peak_win].sum()))
    return {"peak_date": s.days[e], "peak_rate": peak_rate, "decline": decline, "p_value": p}


def _expected(
    views: FloatArray, base_eng: FloatArray, base_views: FloatArray, n: int
) -> FloatArray:
    """Engagements the tag's posts would have earned at the trailing N-day ER of the other
    posts of its accounts (0 where that ER is unknown)."""
    c_e = np.concatenate(([0.0], np.cumsum(base_eng)))
    c_v = np.concatenate(([0.0], np.cumsum(base_views)))
    idx = np.arange(views.size)
    lo = np.maximum(idx + 1 - n, 0)
    num, den = c_e[idx + 1] - c_e[lo], c_v[idx + 1] - c_v[lo]
    rate = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.asarray(views * rate, dtype=np.float64)


def saturation_report(
    store: Reader,
    *,
    by: By = "content_type",
    window_days: int = 14,
    as_of: dt.date | None = None,
    min_posts: int = 5,
    min_decline: float = 0.2,
    alpha: float = 0.10,
    volume_hold: float = 0.75,
    baseline: bool | None = None,
) -> SaturationReport:
    """Every format (or hashtag) with its status as of *as_of* (default: last publish day)."""
    if window_days < 2:
        raise ConfigError("window_days must be ≥ 2 (the test needs two days per window)")
    s = load_series(store, by)
    if s is None:
        return SaturationReport(by, as_of, window_days, (), None, ("no organic posts",))
    use_baseline = by == "hashtag" if baseline is None else baseline
    day = s.days[-1] if as_of is None else as_of
    t = s.index(day)
    if t < 0:
        return SaturationReport(by, day, window_days, (), s, (f"no posts on or before {day}",))
    rows = [
        assess(
            s,
            j,
            t,
            window_days=window_days,
            min_posts=min_posts,
            min_decline=min_decline,
            alpha=alpha,
            volume_hold=volume_hold,
            baseline=use_baseline,
        )  # fmt: skip
        for j in range(len(s.keys))
    ]
    order = {"saturating": 0, "collapsed": 1, "declining": 2, "rising": 3, "stable": 4,
             "no baseline": 5}  # fmt: skip
    rows.sort(key=lambda r: (order.get(r.status, 5), -r.posts_current, r.key))
    against = "ER relative to the other posts of the same accounts" if use_baseline else "ER"
    above = "the accounts' other posts' ER" if use_baseline else "all posts' ER"
    notes = (
        f"windows of {window_days} days; saturating = {against} ≥ {min_decline:.0%} below its "
        f"peak (p < {alpha}), posts still ≥ {volume_hold:.0%} of the previous window, ER still "
        f"above {above}",
    )
    return SaturationReport(by, day, window_days, tuple(rows), s, notes)
