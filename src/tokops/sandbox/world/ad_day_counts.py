"""The counts the delivery simulator keeps per (ad, day), and how they are split fairly.

One record is a list of ints indexed by :data:`IDX`: money in cents, play time in
deciseconds, everything else a plain count. :func:`phases` gives the rounding offsets used
whenever a record is cut into parts (hours, audience segments, partial days, restatement).
"""

from __future__ import annotations

from typing import Final

__all__ = ["CONVERSION_FIELDS", "FIELDS", "IDX", "phases"]

FIELDS: Final = (
    "spend",  # cents of the account currency
    "impressions",
    "reach",
    "clicks",
    "engagements",
    "video_play_actions",
    "video_watched_2s",
    "video_watched_6s",
    "video_views_p25",
    "video_views_p50",
    "video_views_p75",
    "video_views_p100",
    "play_time",  # deciseconds
    "engaged_view",
    "likes",
    "comments",
    "shares",
    "follows",
    "profile_visits",
    "clicks_on_music_disc",
    "anchor_clicks",
    "landing_page_views",
    "web_purchases",
    "web_value",  # cents
    "shop_purchases",
    "shop_value",  # cents
    "app_installs",
    "leads",
    "add_to_cart",
    "initiate_checkout",
    "result_conv",  # results of ad groups optimising for a conversion (restated)
    "result_other",  # results of the other goals (clicks, views, reach, follows)
    "spark_days",  # 1 per Spark ad-day with delivery: tells "-" (no Spark ad) from 0
    "ad_days",  # 1 per ad-day with delivery (how many records a row sums)
    "uv_days",  # 1 per ad-day whose UV metrics (reach) are out; reach is 0 until then
)
IDX: Final = {name: j for j, name in enumerate(FIELDS)}
CONVERSION_FIELDS: Final = tuple(range(IDX["web_purchases"], IDX["result_conv"] + 1))


_MASK: Final = (1 << 64) - 1


def phases(rec: list[int]) -> list[float]:
    """Per-field rounding offsets in (0, 1), a deterministic function of *rec*.

    Splitting a count ``v`` as ``int(v × share + offset)`` with a varying offset is unbiased
    on average; a fixed 0.5 would send a lone conversion to the same hour or segment every
    day, and would never show a restated single conversion as partial.
    """
    salt = (rec[0] * 0x9E3779B1 + rec[1] * 0x85EBCA77 + rec[3]) & _MASK
    out = []
    for j in range(len(rec)):
        h = (salt + (j + 1) * 0x9E3779B97F4A7C15) & _MASK
        h ^= h >> 33
        h = (h * 0xFF51AFD7ED558CCD) & _MASK
        h ^= h >> 29
        out.append(((h & 0xFFFF) + 0.5) / 65536.0)
    return out
