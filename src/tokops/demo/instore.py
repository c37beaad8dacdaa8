"""``store_sales.parquet``: in-store purchases from the till system (offline conversions).

Shoppers give their loyalty email or phone at the till; sales are offline events, which TikTok
only takes within 28 days (spec §4), so a 40-day-old sale is a row to reject.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any, Final

from tokops.demo._records import Record, mix, outcomes
from tokops.demo.people import Customer, messy_email, messy_phone
from tokops.demo.truth import FileTruth, tally

__all__ = ["SALES_COLUMNS", "write_store_sales"]

FILE: Final = "store_sales.parquet"
SALES_COLUMNS: Final = (
    "receipt_id",
    "purchased_at",
    "store_id",
    "loyalty_email",
    "loyalty_phone",
    "amount",
    "currency",
    "items",
)
_STORES: Final = ("PAR-01", "PAR-02", "LYO-01", "BDX-01", "NYC-01")

Row = dict[str, str]


def _sale(rng: Random, number: int, c: Customer, at: datetime) -> Row:
    store = rng.choice(_STORES)
    email = messy_email(rng, c.email) if rng.random() < 0.75 else ""
    phone = messy_phone(rng, c) if not email or rng.random() < 0.5 else ""
    return {
        "receipt_id": f"R-{store}-{number:07d}",
        "purchased_at": at.astimezone(UTC).isoformat(),
        "store_id": store,
        "loyalty_email": email,
        "loyalty_phone": phone,
        "amount": f"{rng.randrange(500, 25000) / 100:.2f}",
        "currency": "USD" if store.startswith("NYC") else "EUR",
        "items": str(rng.randint(1, 6)),
    }


def _write_parquet(path: Path, rows: list[Row]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def col(name: str) -> list[Any]:
        return [r[name] or None for r in rows]

    table = pa.table(
        {
            "receipt_id": pa.array(col("receipt_id"), pa.string()),
            "purchased_at": pa.array(
                [datetime.fromisoformat(r["purchased_at"]) for r in rows],
                pa.timestamp("us", tz="UTC"),
            ),
            "store_id": pa.array(col("store_id"), pa.string()),
            "loyalty_email": pa.array(col("loyalty_email"), pa.string()),
            "loyalty_phone": pa.array(col("loyalty_phone"), pa.string()),
            "amount": pa.array([Decimal(r["amount"]) for r in rows], pa.decimal128(10, 2)),
            "currency": pa.array(col("currency"), pa.string()),
            "items": pa.array([int(r["items"]) for r in rows], pa.int32()),
        }
    )
    pq.write_table(table, path)


def write_store_sales(
    folder: Path, rng: Random, customers: list[Customer], now: datetime, count: int
) -> FileTruth:
    """Write ``store_sales.parquet``: *count* valid sales in the last 26 days plus dirty rows."""
    times = sorted(now - timedelta(seconds=rng.uniform(3600, 26 * 86400)) for _ in range(count))
    clean = [_sale(rng, i + 1, rng.choice(customers), at) for i, at in enumerate(times)]
    kinds: list[tuple[str, Row]] = [
        ("too_old", {"purchased_at": (now - timedelta(days=40)).isoformat()}),
        ("future_time", {"purchased_at": (now + timedelta(days=1)).isoformat()}),
        ("unknown_currency", {"currency": "XYZ"}),
        ("no_match_key", {"loyalty_email": "", "loyalty_phone": ""}),
        ("invalid_email", {"loyalty_email": "NOT-AN-EMAIL", "loyalty_phone": ""}),
        ("invalid_phone", {"loyalty_email": "", "loyalty_phone": "+33 6 CALL ME"}),
    ]
    each = max(1, count // 500)
    dirty: list[Record] = []
    number = count + 1
    for reason, patch in kinds:
        for _ in range(each):
            row = _sale(rng, number, rng.choice(customers), now - timedelta(days=2))
            row.update(patch)
            dirty.append((row, "invalid", reason))
            number += 1
    records = mix(rng, clean, dirty, duplicates=max(2, count // 100))
    _write_parquet(folder / FILE, [r for r, _, _ in records if isinstance(r, dict)])
    return tally("store_sales", FILE, outcomes(records))
