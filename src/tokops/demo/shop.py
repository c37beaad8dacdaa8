"""A realistic, seeded shop: the files a brand would sync to TikTok, with their ground truth.

:func:`generate_shop` writes into one folder:

- ``orders.csv``: web Purchases (messy emails and phones, ttclid/ttp, landing URLs, amounts);
- ``crm_leads.csv`` + ``crm_mapping.toml``: CRM lead activity with the CRM's own column names;
- ``store_sales.parquet``: in-store purchases (offline conversions, loyalty email/phone);
- ``pixel_events.jsonl``: the browser Pixel's events for the web orders (for the sandbox);
- ``ground_truth.json``: what a correct sync must report for each file.

Each file mixes in dirty rows with exactly one problem each (bad email, letters in a phone,
currency ``XYZ``, amount ``12,50€``, missing event, future or too-old time, duplicate ids, a
malformed CSV line) and valid rows with hostile text (SQL-looking names, newlines, emoji), so
the expected counts never depend on how a sync orders its checks. Same seed and same ``now``:
byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

from tokops.demo.crm import MAPPING_FILE, write_crm
from tokops.demo.instore import write_store_sales
from tokops.demo.orders import write_orders
from tokops.demo.people import make_customers
from tokops.demo.pixel import PixelEvent, make_pixel_traffic
from tokops.demo.truth import FileTruth, PixelTruth

__all__ = ["DEFAULT_ORDERS", "DEFAULT_SEED", "Shop", "generate_shop"]

DEFAULT_ORDERS = 5000
DEFAULT_SEED = 7
PIXEL_FILE = "pixel_events.jsonl"
TRUTH_FILE = "ground_truth.json"


@dataclass(frozen=True)
class Shop:
    """A generated shop: where its files are and what a correct sync must find in them."""

    folder: Path
    seed: int
    now: datetime
    orders: FileTruth
    crm_leads: FileTruth
    store_sales: FileTruth
    pixel: PixelTruth
    pixel_events: list[PixelEvent]

    @property
    def files(self) -> tuple[FileTruth, FileTruth, FileTruth]:
        return (self.orders, self.crm_leads, self.store_sales)

    def path(self, truth: FileTruth) -> Path:
        return self.folder / truth.file

    @property
    def crm_mapping(self) -> Path:
        return self.folder / MAPPING_FILE

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "now": self.now.isoformat(),
            "files": [f.as_dict() for f in self.files],
            "pixel": self.pixel.as_dict(),
        }


def generate_shop(
    folder: Path,
    *,
    orders: int = DEFAULT_ORDERS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
) -> Shop:
    """Write the shop's files into *folder* (created if needed) and return their ground truth.

    Sizes follow *orders*: about ``orders / 5`` CRM activities and ``orders / 2`` store sales.
    Each file draws from its own seeded generator, so files do not shift one another.
    """
    if orders < 10:
        raise ValueError("a shop needs at least 10 orders")
    at = (now or datetime.now(UTC)).replace(microsecond=0)
    folder.mkdir(parents=True, exist_ok=True)
    customers = make_customers(Random(f"{seed}:customers"), max(50, orders * 3 // 5))
    orders_truth, web = write_orders(folder, Random(f"{seed}:orders"), customers, at, orders)
    crm_truth = write_crm(folder, Random(f"{seed}:crm"), customers, at, max(50, orders // 5))
    sales_truth = write_store_sales(
        folder, Random(f"{seed}:store"), customers, at, max(50, orders // 2)
    )
    events, pixel_truth = make_pixel_traffic(Random(f"{seed}:pixel"), web)
    with (folder / PIXEL_FILE).open("w", encoding="utf-8") as handle:
        for e in events:
            handle.write(json.dumps({"lead_s": e.lead_s, "kind": e.kind, **e.event}) + "\n")
    shop = Shop(folder, seed, at, orders_truth, crm_truth, sales_truth, pixel_truth, events)
    (folder / TRUTH_FILE).write_text(json.dumps(shop.as_dict(), indent=2) + "\n", encoding="utf-8")
    return shop
