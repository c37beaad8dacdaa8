"""The generated shop: deterministic for a seed, and its ground truth agrees with its files.

The truth is re-derived here from the files alone, with the reference hashing rules and the
spec's limits (supported currencies, 7/28-day windows), independently of the generator's code.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tokops.demo.shop import Shop, generate_shop
from tokops.demo.truth import FileTruth
from tokops.tiktok.events import STANDARD_EVENTS, SUPPORTED_CURRENCIES
from tokops.tiktok.hashing import is_hashed, normalize_email, normalize_phone

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
FILES = ("orders.csv", "crm_leads.csv", "store_sales.parquet", "pixel_events.jsonl")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return generate_shop(tmp_path_factory.mktemp("shop"), orders=1200, seed=11, now=NOW)


def _digest(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}


def test_same_seed_same_bytes(shop: Shop, tmp_path: Path) -> None:
    again = generate_shop(tmp_path, orders=1200, seed=11, now=NOW)
    assert _digest(tmp_path) == _digest(shop.folder)
    assert again.as_dict() == shop.as_dict()


def test_other_seed_other_shop(shop: Shop, tmp_path: Path) -> None:
    generate_shop(tmp_path, orders=1200, seed=12, now=NOW)
    assert _digest(tmp_path)["orders.csv"] != _digest(shop.folder)["orders.csv"]


def test_ground_truth_file_matches(shop: Shop) -> None:
    written = json.loads((shop.folder / "ground_truth.json").read_text())
    assert written == json.loads(json.dumps(shop.as_dict()))


@pytest.mark.parametrize("truth_name", ["orders", "crm_leads", "store_sales"])
def test_truth_adds_up(shop: Shop, truth_name: str) -> None:
    t: FileTruth = getattr(shop, truth_name)
    assert t.rows == t.sent + t.invalid + t.duplicate + t.unreadable
    assert t.invalid == sum(t.reasons.values())
    assert t.invalid > 0 and t.duplicate > 0


# -- independent re-derivation ---------------------------------------------------------------
def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _key_ok(email: str | None, phone: str | None) -> tuple[bool, bool, bool]:
    """(email usable or empty, phone usable or empty, at least one present)."""
    email = (email or "").strip()
    phone = (phone or "").strip()
    email_ok = not email or is_hashed(email) or normalize_email(email) is not None
    phone_ok = not phone or is_hashed(phone) or normalize_phone(phone, "FR") is not None
    return email_ok, phone_ok, bool(email or phone)


def _window(at: datetime | None, days: int) -> str | None:
    if at is None:
        return "bad_time"
    if at > NOW:
        return "future_time"
    if at < NOW - timedelta(days=days):
        return "too_old"
    return None


def _classify(rows: list[dict[str, str | None]], key: str, check: object) -> Counter[str]:
    seen: set[str] = set()
    out: Counter[str] = Counter()
    for row in rows:
        ident = row[key] or ""
        if ident in seen:
            out["duplicate"] += 1
            continue
        seen.add(ident)
        problem = check(row)  # type: ignore[operator]
        out[f"invalid:{problem}" if problem else "sent"] += 1
    return out


def _csv_rows(path: Path) -> tuple[list[dict[str, str | None]], int]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows, broken = [], 0
        for record in reader:
            if len(record) != len(header):
                broken += 1
            else:
                rows.append(dict(zip(header, record, strict=True)))
    return rows, broken  # type: ignore[return-value]


def _expected(truth: FileTruth) -> Counter[str]:
    out = Counter({"sent": truth.sent, "duplicate": truth.duplicate})
    out.update({f"invalid:{reason}": n for reason, n in truth.reasons.items()})
    return +out


def test_orders_truth_rederived(shop: Shop) -> None:
    rows, broken = _csv_rows(shop.folder / "orders.csv")

    def check(row: dict[str, str]) -> str | None:
        email_ok, phone_ok, _ = _key_ok(row["email"], row["phone"])
        if not email_ok:
            return "invalid_email"
        if not phone_ok:
            return "invalid_phone"
        if row["currency"] not in SUPPORTED_CURRENCIES:
            return "unknown_currency"
        try:
            Decimal(row["total_amount"])
        except InvalidOperation:
            return "bad_value"
        return _window(_time(row["created_at"]), 7)

    assert broken == shop.orders.unreadable == 1
    assert _classify(rows, "order_id", check) == _expected(shop.orders)


def test_crm_truth_rederived(shop: Shop) -> None:
    rows, broken = _csv_rows(shop.folder / "crm_leads.csv")

    def check(row: dict[str, str]) -> str | None:
        if not row["Stage"]:
            return "missing_event"
        assert row["Stage"] in STANDARD_EVENTS
        if not row["Lead ID"]:
            return "missing_lead"
        email_ok, phone_ok, _ = _key_ok(row["E-mail Address"], row["Mobile Phone"])
        if not email_ok:
            return "invalid_email"
        if not phone_ok:
            return "invalid_phone"
        return _window(_time(row["Created On"]), 28)

    assert broken == shop.crm_leads.unreadable == 1
    assert _classify(rows, "Activity ID", check) == _expected(shop.crm_leads)


def test_store_sales_truth_rederived(shop: Shop) -> None:
    rows = pq.read_table(shop.folder / "store_sales.parquet").to_pylist()
    assert len(rows) == shop.store_sales.rows

    def check(row: dict[str, object]) -> str | None:
        email_ok, phone_ok, present = _key_ok(row["loyalty_email"], row["loyalty_phone"])  # type: ignore[arg-type]
        if not present:
            return "no_match_key"
        if not email_ok:
            return "invalid_email"
        if not phone_ok:
            return "invalid_phone"
        if row["currency"] not in SUPPORTED_CURRENCIES:
            return "unknown_currency"
        return _window(row["purchased_at"], 28)  # type: ignore[arg-type]

    assert _classify(rows, "receipt_id", check) == _expected(shop.store_sales)  # type: ignore[arg-type]


def test_messy_but_valid_forms_are_present(shop: Shop) -> None:
    text = (shop.folder / "orders.csv").read_text(encoding="utf-8")
    for needle in (
        "(+33) ",
        "Robert'); DROP TABLE orders;--",
        "🚪\nDoor code",
        "E.C.P.",
        "?ttclid=",
    ):
        assert needle in text
    rows, _ = _csv_rows(shop.folder / "orders.csv")
    emails = [r["email"] or "" for r in rows]
    assert any(e.isupper() for e in emails)
    assert any(is_hashed(e) for e in emails)
    assert any(e.startswith(" ") for e in emails)
    assert all(len(r["ttp"] or "x" * 27) == 27 for r in rows)
    currencies = Counter(r["currency"] for r in rows)
    assert currencies["EUR"] + currencies["USD"] > 0.8 * len(rows)


def test_pixel_traffic_is_consistent(shop: Shop) -> None:
    p = shop.pixel
    assert p.events == len(shop.pixel_events) == p.merged + p.deduplicated + p.pixel_only
    assert p.merged + p.deduplicated + p.server_only == shop.orders.sent
    assert min(p.merged, p.deduplicated, p.pixel_only, p.server_only) > 0
    order_ids = {r["order_id"] for r in _csv_rows(shop.folder / "orders.csv")[0]}
    for e in shop.pixel_events:
        assert (e.event["event_id"] in order_ids) == (e.kind != "pixel_only")
        assert (e.lead_s <= 120) == (e.kind == "merge")
        assert e.lead_s < 48 * 3600
        if "email" in e.event:
            assert is_hashed(e.event["email"])
    lines = (shop.folder / "pixel_events.jsonl").read_text().splitlines()
    assert len(lines) == p.events


def test_too_few_orders_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_shop(tmp_path, orders=3)
