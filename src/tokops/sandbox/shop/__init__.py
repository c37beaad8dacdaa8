"""TikTok Shop over the simulated world: orders, LIVE sessions and GMV Max delivery (COM-2, COM-9).

- :mod:`~tokops.sandbox.shop.orders`: the orders and LIVE sessions of the world's stores;
- :mod:`~tokops.sandbox.shop.gmv_max_delivery`: what each GMV Max campaign spent and sold;
- :mod:`~tokops.sandbox.shop.partner_api`: the Shop Partner API (202309) that serves them.
"""

from __future__ import annotations

__all__: list[str] = []
