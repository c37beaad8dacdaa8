"""Browser Pixel traffic for the web orders, and how to play it into the sandbox (EVT-7).

Most web orders were also seen by the TikTok Pixel in the shopper's browser, with the same
``event_id`` (the order id), so TikTok must keep each purchase once. Deduplication windows are
measured from arrival at TikTok (``events_api.md`` §6), so each browser event carries how long
*before the server sync* it arrives:

- ``merge``: 10 s – 2 min before: within 5 minutes, the two are merged into one event;
- ``late``: 15 min – 12 h before: the browser event was first, the server copy is dropped;
- ``pixel_only``: purchases the browser saw that are missing from the orders export.

Orders without any browser event are ``server_only`` (ad blockers, closed tabs). The ``merge``
truth holds while the web sync finishes within about 3 minutes of the replay (seconds at the
demo's sizes).
Hashed identifiers are computed with the reference hashing, as ``ttq.identify`` would send them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from random import Random
from typing import Any, Final, Literal

from tokops.demo.orders import SHOP_URL, WebOrder
from tokops.demo.people import CALLING_CODES, make_customers, random_ttclid
from tokops.demo.truth import PixelTruth
from tokops.tiktok.hashing import hash_email, hash_external_id, hash_phone

__all__ = [
    "PIXEL_EVENTS_PATH",
    "PixelEvent",
    "make_pixel_traffic",
    "post_pixel_traffic",
]

PIXEL_EVENTS_PATH: Final = "/sandbox/pixel/events/"
_BATCH: Final = 1000
MERGE_WINDOW_S: Final = 5 * 60

Kind = Literal["merge", "late", "pixel_only"]


@dataclass(frozen=True)
class PixelEvent:
    """One browser event for the simulator, and when it arrives relative to the server sync."""

    event: dict[str, Any]
    """The simulator's event object (``sandbox/events/pixel.py``)."""
    lead_s: int
    """Seconds before the start of the server sync at which TikTok receives it."""
    kind: Kind


def _browser_event(rng: Random, order: WebOrder) -> dict[str, Any]:
    c = order.customer
    ev: dict[str, Any] = {
        "event": "Purchase",
        "event_id": order.order_id,
        "event_time": int(order.created_at.timestamp()),
        "url": order.url,
        "referrer": f"{SHOP_URL}/cart",
        "ttp": c.ttp,
        "ip": c.ip,
        "user_agent": c.user_agent,
    }
    if order.ttclid:
        ev["ttclid"] = order.ttclid
    if rng.random() < 0.5:  # advanced matching through ttq.identify
        ev["email"] = hash_email(c.email)
        if rng.random() < 0.5:
            ev["phone"] = hash_phone("+" + CALLING_CODES[c.country] + c.phone_national)
        ev["external_id"] = hash_external_id(c.customer_id)
    return ev


def _lead(rng: Random, kind: Kind) -> int:
    if kind == "merge":
        return rng.randrange(10, 121)
    return rng.randrange(15 * 60, 12 * 3600)


def make_pixel_traffic(
    rng: Random, orders: list[WebOrder], *, share: float = 0.85, merged: float = 0.7
) -> tuple[list[PixelEvent], PixelTruth]:
    """Browser events for about *share* of the orders (``merged`` of them within 5 minutes),
    plus purchases only the Pixel saw (about 3 % of the orders)."""
    events: list[PixelEvent] = []
    server_only = 0
    for order in orders:
        if rng.random() >= share:
            server_only += 1
            continue
        kind: Kind = "merge" if rng.random() < merged else "late"
        events.append(PixelEvent(_browser_event(rng, order), _lead(rng, kind), kind))
    strangers = make_customers(rng, max(1, len(orders) // 33))
    for i, c in enumerate(strangers):
        base = orders[rng.randrange(len(orders))]
        ttclid = random_ttclid(rng) if rng.random() < 0.5 else None
        order = WebOrder(
            order_id=f"ORD-9{i:06d}",
            created_at=base.created_at,
            customer=c,
            value=base.value,
            currency=base.currency,
            skus=base.skus,
            ttclid=ttclid,
            url=f"{SHOP_URL}/checkout/thank-you" + (f"?ttclid={ttclid}" if ttclid else ""),
        )
        events.append(PixelEvent(_browser_event(rng, order), _lead(rng, "late"), "pixel_only"))
    truth = PixelTruth(
        events=len(events),
        merged=sum(e.kind == "merge" for e in events),
        deduplicated=sum(e.kind == "late" for e in events),
        pixel_only=sum(e.kind == "pixel_only" for e in events),
        server_only=server_only,
    )
    return events, truth


def _groups(events: Iterable[PixelEvent]) -> dict[int, list[dict[str, Any]]]:
    """Events bucketed by arrival, so each bucket is one clock setting and a few requests.

    Leads are rounded *up* (10 s steps inside the 5-minute window, 10 min steps beyond), which
    moves an arrival further from the 5-minute boundary, never across it.
    """
    out: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        step = 10 if e.lead_s < MERGE_WINDOW_S else 600
        bucket = -(-e.lead_s // step) * step
        out.setdefault(bucket, []).append(e.event)
    return out


def post_pixel_traffic(
    events: list[PixelEvent],
    pixel_code: str,
    post: Callable[[dict[str, Any]], None],
    set_lead: Callable[[int], None],
) -> int:
    """Play the browser events into the simulator, oldest arrival first.

    *set_lead* moves the sandbox's clock to "N seconds before now" (so arrivals land in the
    past, as real browser events would); *post* sends one simulator body. Returns the number of
    requests made.
    """
    requests = 0
    try:
        for lead, bodies in sorted(_groups(events).items(), reverse=True):
            set_lead(lead)
            for start in range(0, len(bodies), _BATCH):
                post({"pixel_code": pixel_code, "events": bodies[start : start + _BATCH]})
                requests += 1
    finally:
        set_lead(0)
    return requests
