"""The simulated world behind the Marketing API (BYD-1): build it, read it, check against it.

>>> from datetime import date
>>> world = build_world(seed=7, scale="small", anchor=date(2026, 3, 1))
>>> len(world.advertisers), sorted(a.currency for a in world.advertisers.values())
(3, ['EUR', 'JPY', 'USD'])
"""

from __future__ import annotations

from datetime import date

from tokops.sandbox.settings import MarketingSettings
from tokops.sandbox.world.generate import populate
from tokops.sandbox.world.scales import SCALES, Scale, world_advertiser_ids
from tokops.sandbox.world.truth import Truth
from tokops.sandbox.world.world import World

__all__ = ["SCALES", "Scale", "Truth", "World", "build_world", "world_advertiser_ids"]


def build_world(
    seed: int, scale: str, anchor: date, settings: MarketingSettings | None = None
) -> World:
    """A populated world: same arguments, same world."""
    world = World(seed, scale, anchor, settings)
    populate(world)
    return world
