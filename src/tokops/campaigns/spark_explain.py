"""Where each tap on a Spark ad leads, and which report metric counts it (SPK-9, SPK-10).

One row per thing a viewer can tap, for a non-Spark ad and for a Spark ad: the destination and
the metrics of the report catalogue (:data:`tokops.tiktok.marketing.CATALOGUE`) that count it.
On a non-Spark ad every tap on the ad's surface is a paid click to the landing page; on a Spark
ad only the CTA and the caption are (``clicks``), the others lead to the owner's profile, the
music page or a hashtag page and are counted apart, and likes, comments, shares and follows land
on the organic post itself (SPK-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from tokops.tiktok.marketing import CATALOGUE

__all__ = ["TAPS", "Tap", "describe_metric"]

LANDING: Final = "landing page (or app store)"


@dataclass(frozen=True, slots=True)
class Tap:
    """One element a viewer can tap, on a non-Spark and on a Spark ad."""

    element: str
    non_spark: str
    non_spark_metrics: tuple[str, ...]
    spark: str
    spark_metrics: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "non_spark": {"leads_to": self.non_spark, "metrics": list(self.non_spark_metrics)},
            "spark": {"leads_to": self.spark, "metrics": list(self.spark_metrics)},
        }


TAPS: Final = (
    Tap("CTA button", LANDING, ("clicks",), LANDING, ("clicks",)),
    Tap("caption", LANDING, ("clicks",), LANDING, ("clicks",)),
    Tap("profile photo", LANDING, ("clicks",), "owner's profile", ("profile_visits",)),
    Tap("nickname", LANDING, ("clicks",), "owner's profile", ("profile_visits",)),
    Tap("swipe left", LANDING, ("clicks",), "owner's profile", ("profile_visits",)),
    Tap('"+" on the profile photo', "(none)", (), "follows the account", ("follows",)),
    Tap("music title or disc", "(none)", (), "music page", ("clicks_on_music_disc",)),
    Tap(
        "hashtag in the caption",
        LANDING,
        ("clicks",),
        "hashtag page",
        ("clicks_on_hashtag_challenge",),
    ),
    Tap(
        "anchor link",
        "(none)",
        (),
        "the anchor's page",
        ("anchor_clicks", "anchor_click_rate"),
    ),
    Tap(
        "like, comment, share",
        "the ad (counted within 1 day of a paid view)",
        ("likes", "comments", "shares"),
        "the post's organic page: credited to the post (SPK-2)",
        ("likes", "comments", "shares"),
    ),
)
"""SPK-9 (where a tap leads) and SPK-10 (which metric counts it)."""


def describe_metric(name: str) -> str:
    """The catalogue's description of a report metric, marked when only Spark ads earn it."""
    known = CATALOGUE[name]
    text = known.description or name
    return f"{text} (Spark ads only)" if known.spark else text
