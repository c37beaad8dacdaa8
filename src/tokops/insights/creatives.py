"""Best creatives by empirical-Bayes shrinkage, straight from the store (KPI-5a, BYD-3).

Per ad, the metric's successes and trials are ``ad_daily`` sums over the window (pushed down,
see :mod:`.data`); :func:`~tokops.insights.stats.shrinkage.shrink_rates` pulls small samples
towards the pooled rate, so an ad with 3 clicks out of 20 impressions does not top a CTR ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.data import ALL_TIME, AdCounts, Window, ad_counts, ratio_kpi
from tokops.insights.stats.common import StatsInputError, jsonable
from tokops.insights.stats.shrinkage import (
    BetaPrior,
    ShrunkRate,
    fit_beta_prior,
    rank_shrunk,
    shrink_rates,
)

if TYPE_CHECKING:
    from tokops.metrics.reader import Reader

__all__ = ["RANKABLE", "CreativeRank", "CreativeRanking", "top_creatives"]

#: Metrics that are proportions (successes ≤ trials per ad), so a Beta prior fits them.
RANKABLE = (
    "ctr",
    "cvr",
    "cvr_click",
    "completion_rate",
    "engagement_rate",
    "profile_visit_rate",
    "anchor_ctr",
)
RankBy = Literal["shrunk", "lower"]


@dataclass(frozen=True, slots=True)
class CreativeRank:
    """One ad of the ranking: rates are fractions (0.012 = 1.2 %)."""

    rank: int
    ad_id: str
    ad_name: str | None
    advertiser_id: str
    is_spark: bool
    successes: float
    trials: float
    raw: float | None
    shrunk: float
    ci: tuple[float, float]
    raw_rank: int
    """Position the ad would have by its raw rate."""


@dataclass(frozen=True, slots=True)
class CreativeRanking:
    """Outcome of :func:`top_creatives`."""

    metric: str
    by: RankBy
    level: float
    prior: BetaPrior
    ads_ranked: int
    rows: tuple[CreativeRank, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; ``raw``, ``shrunk`` and ``ci`` in the catalogue KPI's unit (percent, as
        ``tokops kpi``), the prior on the proportion scale."""
        from tokops.metrics.catalogue import CATALOGUE

        kpi = CATALOGUE[self.metric]
        return {
            "metric": self.metric,
            "unit": kpi.unit,
            "by": self.by,
            "level": self.level,
            "prior": self.prior.to_dict(),
            "ads_ranked": self.ads_ranked,
            "rows": [jsonable(_row_dict(r, float(kpi.scale))) for r in self.rows],
            "notes": list(self.notes),
        }


def _row_dict(r: CreativeRank, scale: float = 1.0) -> dict[str, Any]:
    out = {f: getattr(r, f) for f in CreativeRank.__dataclass_fields__}
    out["raw"] = None if r.raw is None else r.raw * scale
    out["shrunk"] = r.shrunk * scale
    out["ci"] = (r.ci[0] * scale, r.ci[1] * scale)
    return out


def _check(metric: str, by: str, top: int | None) -> None:
    if metric not in RANKABLE:
        raise ConfigError(f"metric {metric!r} cannot be shrunk: use one of {', '.join(RANKABLE)}")
    if by not in ("shrunk", "lower"):
        raise ConfigError(f"rank by {by!r}: use shrunk or lower")
    if top is not None and top < 1:
        raise ConfigError(f"top must be at least 1, got {top}")


def _rows(
    ranked: Sequence[ShrunkRate], rates: Sequence[ShrunkRate], counts: AdCounts,
    pos: dict[str, int], higher: bool,
) -> tuple[CreativeRank, ...]:  # fmt: skip
    """The ranked ads with their names and their rank by the raw rate (*pos*: index in
    *counts*)."""
    raw_sorted = sorted(
        rates, key=lambda r: (r.raw if higher else -(r.raw or 0.0)) or 0.0, reverse=True
    )
    raw_rank = {r.key: i + 1 for i, r in enumerate(raw_sorted)}
    return tuple(
        CreativeRank(
            rank=i + 1,
            ad_id=r.key,
            ad_name=counts.ad_names[pos[r.key]],
            advertiser_id=counts.advertiser_ids[pos[r.key]],
            is_spark=counts.is_spark[pos[r.key]],
            successes=r.successes,
            trials=r.trials,
            raw=r.raw,
            shrunk=r.shrunk,
            ci=r.ci,
            raw_rank=raw_rank[r.key],
        )
        for i, r in enumerate(ranked)
    )


def top_creatives(
    store: Reader,
    metric: str = "ctr",
    window: Window = ALL_TIME,
    *,
    top: int | None = 10,
    by: RankBy = "shrunk",
    level: float = 0.90,
) -> CreativeRanking:
    """Ads ranked by the shrunk *metric* (or the interval's pessimistic end), best first."""
    _check(metric, by, top)
    higher = ratio_kpi(metric).better != "down"
    counts = ad_counts(store, metric, window)
    keep = counts.denominator > 0
    idx = [int(i) for i in np.flatnonzero(keep)]
    notes: list[str] = []
    if len(idx) < len(counts.ad_ids):
        notes.append(f"{len(counts.ad_ids) - len(idx)} ads without trials left out")
    x, n = counts.numerator[keep], counts.denominator[keep]
    over = int(np.count_nonzero(x > n))
    if over:
        raise ConfigError(
            f"{metric}: {over} ads have more successes than trials; it is not a proportion here"
        )
    keys = [counts.ad_ids[i] for i in idx]
    try:
        prior = fit_beta_prior(x, n)
        rates = shrink_rates(keys, x, n, level=level, prior=prior)
    except StatsInputError as exc:
        raise ConfigError(f"cannot rank creatives by {metric}: {exc}") from None
    ranked = rank_shrunk(rates, by=by, higher_is_better=higher)
    rows = _rows(ranked[:top] if top else ranked, rates, counts, dict(zip(keys, idx, strict=True)),
                 higher)  # fmt: skip
    if metric in ("ctr", "cvr_click"):
        notes.append(
            "Spark ads count fewer destination clicks (CTA and caption only, SPK-10): "
            "compare their CTR with care"
        )
    return CreativeRanking(metric, by, level, prior, len(rates), rows, tuple(notes))
