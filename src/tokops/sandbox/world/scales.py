"""World sizes for ``--scale``: how many of everything, and how much history.

- ``small`` (demo and tests): 1 Business Center, 3 advertisers in distinct time zones and
  currencies (Europe/Paris EUR, America/Los_Angeles USD, Asia/Tokyo JPY), ~60 ads, 120 days.
- ``medium`` (the benchmark's): 2 BCs, 6 advertisers, ~1,000 ads, 365 days.
- ``large``: 3 BCs, 10 advertisers, ~5,000 ads, 365 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["SCALES", "Scale", "world_advertiser_ids"]


@dataclass(frozen=True)
class Scale:
    name: str
    business_centers: int
    advertisers: int
    campaigns: int
    """Campaigns per advertiser."""
    adgroups: tuple[int, int]
    """Ad groups per campaign (inclusive range)."""
    ads: tuple[int, int]
    """Ads per ad group (inclusive range)."""
    history_days: int
    creators: int
    """Creators per advertiser niche."""


SCALES: Final = {
    "small": Scale("small", 1, 3, 4, (2, 2), (2, 3), 120, 3),
    "medium": Scale("medium", 2, 6, 14, (3, 5), (2, 4), 365, 4),
    "large": Scale("large", 3, 10, 25, (4, 6), (3, 5), 365, 5),
}


def world_advertiser_ids(scale: str) -> tuple[str, ...]:
    """The advertiser ids of a world of *scale* (they do not depend on the seed).

    The first one is ``settings.DEFAULT_ADVERTISER_ID``, so the seeded custom-audience account
    is also the first ad account of the world.
    """
    count = SCALES[scale].advertisers
    return tuple(f"71{n:017d}" for n in range(1, count + 1))
