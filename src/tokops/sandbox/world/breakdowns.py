"""Audience breakdowns: how one ad-day splits across gender, age and country (KPI-5c).

Each ad reaches a mix of segments set by its targeting (age groups, gender, countries), tilted
by its niche (beauty and fashion skew young and female). Segments do not perform alike — the
ground truth is :data:`SEGMENT_EFFECTS` — so impressions, spend, clicks and conversions split
with different weights: spend along impressions × the segment's CPM level, clicks along
impressions × its CTR level, conversions along clicks × its CVR level.

Integer counts are split by cumulative rounding, so the parts of every count sum exactly to
the ad-day's total. **[EMU]** A breakdown along one set of dimensions is computed on its own:
a gender report summed over nothing equals the totals exactly, but a gender × age report
summed over age may differ from the gender report by a unit per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from tokops.sandbox.world.ad_day_counts import IDX, phases
from tokops.sandbox.world.catalog import AGES, COUNTRIES, GEO_TO_COUNTRY, SEGMENT_EFFECTS

if TYPE_CHECKING:
    from tokops.sandbox.world.model import AdGroup, Advertiser

__all__ = ["AUDIENCE_DIMENSIONS", "SEGMENT_EFFECTS", "Segments", "apportion", "segments_for"]

AUDIENCE_DIMENSIONS: Final = ("gender", "age", "country_code")
_AGE_BASE: Final = (0.08, 0.30, 0.30, 0.17, 0.09, 0.06)
_YOUNG_TILT: Final = (1.4, 1.5, 1.1, 0.8, 0.6, 0.5)
_CLICK_FIELDS: Final = frozenset(
    (IDX["clicks"], IDX["engagements"], *range(IDX["likes"], IDX["landing_page_views"] + 1))
)
_CONV_FIELDS: Final = frozenset(range(IDX["web_purchases"], IDX["initiate_checkout"] + 1))


def apportion(value: int, cumulative: Sequence[float], offset: float = 0.5) -> list[int]:
    """Split *value* along *cumulative* shares (last = 1.0); the parts sum to *value*.

    *offset* in (0, 1) is the rounding point; varying it from one split to the next (see
    :func:`~tokops.sandbox.world.delivery.phases`) makes the parts unbiased on average.
    """
    out = []
    previous = 0
    for c in cumulative:
        current = int(value * c + offset)
        out.append(current - previous)
        previous = current
    return out


def _cum(weights: list[float]) -> list[float]:
    total = sum(weights) or 1.0
    acc = 0.0
    out = []
    for w in weights:
        acc += w / total
        out.append(acc)
    if out:
        out[-1] = 1.0
    return out


class Segments:
    """The segments of one ad along some audience dimensions, with cumulative weights."""

    __slots__ = ("cum", "keys")

    def __init__(self, keys: list[tuple[str, ...]], weights: list[tuple[float, ...]]) -> None:
        self.keys = keys
        self.cum = [_cum([w[g] for w in weights]) for g in range(4)]

    def split(self, rec: list[int], fields: Sequence[int]) -> list[list[int]]:
        """*rec* split into one record per segment (only *fields* are filled in)."""
        parts = [[0] * len(rec) for _ in self.keys]
        offsets = phases(rec)
        for j in fields:
            value = rec[j]
            if value <= 0:
                continue
            group = 3 if j in _CONV_FIELDS else 2 if j in _CLICK_FIELDS else 1 if j == 0 else 0
            split = apportion(value, self.cum[group], offsets[j])
            for part, v in zip(parts, split, strict=True):
                part[j] = v
        return parts


def segments_for(adgroup: AdGroup, advertiser: Advertiser, dims: Sequence[str]) -> Segments:
    """The segments of an ad in *adgroup* along audience *dims* (in the order given)."""
    ages = adgroup.age_groups or AGES[1:]
    young = advertiser.niche in ("beauty", "fashion")
    age_w = {
        a: _AGE_BASE[j] * (_YOUNG_TILT[j] if young else 1.0)
        for j, a in enumerate(AGES)
        if a in ages
    }
    if adgroup.gender == "GENDER_FEMALE":
        gender_w = {"FEMALE": 0.97, "NONE": 0.03}
    elif adgroup.gender == "GENDER_MALE":
        gender_w = {"MALE": 0.97, "NONE": 0.03}
    elif young:
        gender_w = {"FEMALE": 0.70, "MALE": 0.27, "NONE": 0.03}
    else:
        gender_w = {"FEMALE": 0.50, "MALE": 0.47, "NONE": 0.03}
    codes = [GEO_TO_COUNTRY.get(g, "US") for g in adgroup.location_ids] or ["US"]
    country_w = {c: (0.7 if j == 0 else 0.3 / max(len(codes) - 1, 1)) for j, c in enumerate(codes)}
    axes = {"gender": gender_w, "age": age_w, "country_code": country_w}
    keys: list[tuple[str, ...]] = [()]
    weights: list[tuple[float, ...]] = [(1.0, 1.0, 1.0, 1.0)]
    ctr, cvr, cpm = SEGMENT_EFFECTS["ctr"], SEGMENT_EFFECTS["cvr"], SEGMENT_EFFECTS["cpm"]
    for dim in dims:
        new_keys: list[tuple[str, ...]] = []
        new_weights: list[tuple[float, ...]] = []
        for key, (wi, ws, wc, wv) in zip(keys, weights, strict=True):
            for value, share in axes[dim].items():
                if dim == "country_code":
                    c_cpm = COUNTRIES[value].cpm_factor
                    m_ctr = m_cvr = 1.0
                else:
                    c_cpm, m_ctr, m_cvr = cpm.get(value, 1.0), ctr[value], cvr[value]
                imp = wi * share
                click = wc * share * m_ctr
                new_keys.append((*key, value))
                new_weights.append((imp, ws * share * c_cpm, click, wv * share * m_ctr * m_cvr))
        keys, weights = new_keys, new_weights
    return Segments(keys, weights)
