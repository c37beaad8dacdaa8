"""Ground truth of a world: the effects the simulator applies, for tests and insights to check.

Everything here is what the simulator *puts in*; an analysis of the API's numbers should find
it again (within noise). Read it from ``sandbox.world.truth`` or over HTTP at
``GET /sandbox/world/truth/``.

- :attr:`Truth.spark_uplift`: SPK-11's effect sizes, Spark vs the same creative as a
  non-Spark ad (relative changes: ``engagement_rate = 1.42`` means × 2.42);
- :attr:`Truth.creative_quality`: the latent quality of every ad (1.0 is average; it drives
  CTR, completion, engagement, CVR and cheaper CPMs; KPI-5a's "best creatives");
- :attr:`Truth.segment_effects`: CTR / CVR / CPM of each gender and age group relative to
  the ad's average (KPI-5c);
- :attr:`Truth.hourly_activity`: share of audience activity per local hour;
  :attr:`Truth.best_posting_hours`: the three hours organic posts do best in;
- :attr:`Truth.saturating_formats` / :attr:`Truth.saturating_hashtags`: trends that rise,
  peak and then collapse, with their dates (KPI-4, KPI-5d);
- :attr:`Truth.split_test_winners`: the ad group that truly wins each seeded split test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tokops.sandbox.world.calendar import HOURLY_ACTIVITY
from tokops.sandbox.world.catalog import SEGMENT_EFFECTS

if TYPE_CHECKING:
    from tokops.sandbox.world.world import World

__all__ = ["Truth"]


class Truth:
    """Read-only view of what the simulator applies (see the module doc)."""

    def __init__(self, world: World) -> None:
        self._world = world
        self.split_test_winners: dict[str, str] = {}

    @property
    def spark_uplift(self) -> dict[str, float]:
        return self._world.settings.spark.model_dump()

    @property
    def creative_quality(self) -> dict[str, float]:
        return {ad_id: ad.quality for ad_id, ad in self._world.ads.items()}

    @property
    def segment_effects(self) -> dict[str, dict[str, float]]:
        return {kind: dict(values) for kind, values in SEGMENT_EFFECTS.items()}

    @property
    def hourly_activity(self) -> tuple[float, ...]:
        return HOURLY_ACTIVITY

    @property
    def best_posting_hours(self) -> tuple[int, ...]:
        ranked = sorted(range(24), key=lambda h: HOURLY_ACTIVITY[h], reverse=True)
        return tuple(sorted(ranked[:3]))

    def _trends(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            t.name: {
                "niche": t.niche,
                "rise_start": t.rise_start.isoformat(),
                "peak": t.peak.isoformat(),
                "collapse": t.collapse.isoformat(),
                "peak_engagement_multiplier": round(1 + t.amplitude, 3),
                "saturated_engagement_multiplier": round(1 - t.fatigue, 3),
            }
            for t in self._world.trends
            if t.kind == kind
        }

    @property
    def saturating_formats(self) -> dict[str, dict[str, Any]]:
        return self._trends("format")

    @property
    def saturating_hashtags(self) -> dict[str, dict[str, Any]]:
        return self._trends("hashtag")

    def summary(self) -> dict[str, Any]:
        """Everything above as JSON-ready data."""
        return {
            "spark_uplift": self.spark_uplift,
            "segment_effects": self.segment_effects,
            "hourly_activity": [round(x, 5) for x in self.hourly_activity],
            "best_posting_hours": list(self.best_posting_hours),
            "saturating_formats": self.saturating_formats,
            "saturating_hashtags": self.saturating_hashtags,
            "split_test_winners": dict(self.split_test_winners),
            "creative_quality": self.creative_quality,
        }
