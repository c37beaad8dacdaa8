"""``orders.csv``: the web shop's Purchases, as an e-commerce back-office exports them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Final

from tokops.demo._records import (
    HOSTILE_NAMES,
    HOSTILE_NOTES,
    Record,
    iso_time,
    mix,
    outcomes,
    write_csv,
)
from tokops.demo.people import (
    Customer,
    messy_email,
    messy_phone,
    random_ttclid,
)
from tokops.demo.truth import FileTruth, tally

__all__ = ["CATALOG", "ORDER_COLUMNS", "SHOP_URL", "WebOrder", "write_orders"]

FILE: Final = "orders.csv"
SHOP_URL: Final = "https://maison-lumiere.example"

ORDER_COLUMNS: Final = (
    "order_id",
    "created_at",
    "customer_id",
    "customer_name",
    "email",
    "phone",
    "ip",
    "user_agent",
    "ttclid",
    "ttp",
    "landing_page",
    "total_amount",
    "currency",
    "skus",
    "notes",
)

#: (sku, unit price in cents): a small candle and home-fragrance catalogue.
CATALOG: Final = tuple(
    (f"SKU-{1000 + i}", price)
    for i, price in enumerate(
        (1290, 1990, 2490, 2990, 3490, 3990, 4590, 4990, 5990, 6490, 7990, 8990, 990, 1590) * 3
    )
)

_CURRENCY: Final = {"FR": "EUR", "DE": "EUR", "ES": "EUR", "US": "USD", "GB": "GBP"}


@dataclass(frozen=True)
class WebOrder:
    """A valid web order as the browser saw it (what the Pixel simulator needs)."""

    order_id: str
    created_at: datetime
    customer: Customer
    value: Decimal
    currency: str
    skus: tuple[str, ...]
    ttclid: str | None
    url: str


def _order(
    rng: Random, number: int, customer: Customer, at: datetime
) -> tuple[dict[str, str], WebOrder]:
    items = rng.sample(CATALOG, rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0])
    cents = sum(price * rng.choice((1, 1, 1, 2)) for _, price in items)
    skus = tuple(sku for sku, _ in items)
    order_id = f"ORD-{number:07d}"
    ttclid = random_ttclid(rng) if rng.random() < 0.45 else None
    if ttclid:
        url = f"{SHOP_URL}/products/{skus[0].lower()}?ttclid={ttclid}&utm_source=tiktok"
    else:
        url = f"{SHOP_URL}/checkout/thank-you?order={order_id}"
    currency = _CURRENCY[customer.country]
    value = Decimal(cents) / 100
    row = {
        "order_id": order_id,
        "created_at": iso_time(at, rng),
        "customer_id": customer.customer_id,
        "customer_name": f"{customer.first_name} {customer.last_name}",
        "email": messy_email(rng, customer.email) if rng.random() < 0.92 else "",
        "phone": messy_phone(rng, customer) if rng.random() < 0.80 else "",
        "ip": customer.ip,
        "user_agent": customer.user_agent,
        # a few exports lose the ttclid column but keep it in the landing URL
        "ttclid": ttclid if ttclid and rng.random() < 0.9 else "",
        "ttp": customer.ttp if rng.random() < 0.85 else "",
        "landing_page": url,
        "total_amount": f"{value:.2f}",
        "currency": currency,
        "skus": ",".join(skus),
        "notes": "",
    }
    order = WebOrder(order_id, at, customer, value, currency, skus, ttclid, url)
    return row, order


def _dirty(
    rng: Random, start: int, customers: list[Customer], now: datetime, each: int
) -> list[Record]:
    """Rows with exactly one problem each (``each`` rows per kind), plus one malformed line."""
    kinds: list[tuple[str, dict[str, str]]] = [
        ("invalid_email", {"email": "marie.dupont@@gmail..com", "phone": ""}),
        ("invalid_email", {"email": "jean dupont at orange.fr", "phone": ""}),
        # an unusable phone is only a reason when no other match key remains (else it is
        # dropped and the order sent): this row has none
        (
            "invalid_phone",
            {
                "email": "",
                "phone": "06 12 AB 56 78",
                "customer_id": "",
                "ip": "",
                "user_agent": "",
                "ttclid": "",
                "ttp": "",
            },
        ),
        ("unknown_currency", {"currency": "XYZ"}),
        ("bad_value", {"total_amount": "12,50€"}),
        ("future_time", {"created_at": iso_time(now + timedelta(days=2), rng)}),
        ("too_old", {"created_at": iso_time(now - timedelta(days=10), rng)}),
        ("bad_time", {"created_at": "32/13/2025 25:61"}),
    ]
    records: list[Record] = []
    number = start
    for reason, patch in kinds:
        for _ in range(each):
            at = now - timedelta(hours=rng.uniform(1, 120))
            row, _ = _order(rng, number, rng.choice(customers), at)
            row.update(patch)
            records.append((row, "invalid", reason))
            number += 1
    broken = (
        f"ORD-{number:07d},{iso_time(now - timedelta(hours=3), rng)},cus_999999,"
        "Jean Dupont,jean@example.com,,203.0.113.9,curl/8.0,,,"
        f"{SHOP_URL}/checkout,19.90,EUR,SKU-1001,notes, with, unquoted, commas"
    )
    records.append((broken, "unreadable", "malformed_line"))
    return records


def write_orders(
    folder: Path, rng: Random, customers: list[Customer], now: datetime, count: int
) -> tuple[FileTruth, list[WebOrder]]:
    """Write ``orders.csv`` with *count* valid orders in the last 6 days plus dirty rows."""
    times = sorted(now - timedelta(seconds=rng.uniform(15 * 60, 6 * 86400)) for _ in range(count))
    clean: list[dict[str, str]] = []
    web: list[WebOrder] = []
    for i, at in enumerate(times):
        row, order = _order(rng, 100_000 + i, rng.choice(customers), at)
        clean.append(row)
        web.append(order)
    for index, text in enumerate(HOSTILE_NAMES + HOSTILE_NOTES):
        row = clean[rng.randrange(len(clean))]
        if index < len(HOSTILE_NAMES):
            row["customer_name"] = text
        else:
            row["notes"] = text
    each = max(1, count // 1000)
    dirty = _dirty(rng, 100_000 + count, customers, now, each)
    records = mix(rng, clean, dirty, duplicates=max(2, count // 100))
    write_csv(folder / FILE, ORDER_COLUMNS, records)
    return tally("orders", FILE, outcomes(records)), web
