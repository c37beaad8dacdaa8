"""Engine normalisation and hashing equal the reference ``tokops.tiktok.hashing`` (EVT-4, BYD-2).

Spec vectors (``events_api.md`` §3), hypothesis properties on DuckDB for arbitrary strings and on
PostgreSQL for a sample, event-time parsing and numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokops.activate.normalize import add_event_time, add_hashed_key, parse_number
from tokops.activate.textrules import text_rules
from tokops.tiktok import hashing
from tokops.warehouse import Store

EMAIL_VECTOR = (
    " ALICE_abc@gmail.com ",
    "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f",
)
PHONE_VECTOR = (
    "(+1)2133734253",
    "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd",
)
EXTERNAL_VECTOR = ("user_123", "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b")


def engine_hashes(
    store: Store, values: list[str | None], region: str = "US"
) -> list[dict[str, Any]]:
    """email / phone / external_id hashes (and invalid flags) of *values*, computed by *store*."""
    t = ibis.memtable(pa.table({"i": list(range(len(values))), "s": pa.array(values, pa.string())}))
    for kind in ("email", "phone", "external_id"):
        t = add_hashed_key(store, t, kind, t.s, kind, region=region)  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = store.fetch(t.order_by("i")).to_pylist()
    return rows


def reference(value: str | None, region: str = "US") -> tuple[str | None, ...]:
    return (
        hashing.hash_email(value),
        hashing.hash_phone(value, region),
        hashing.hash_external_id(value),
    )


def assert_same_as_reference(store: Store, values: list[str | None], region: str = "US") -> None:
    for value, row in zip(values, engine_hashes(store, values, region), strict=True):
        got = (row["email"], row["phone"], row["external_id"])
        assert got == reference(value, region), repr(value)


def test_spec_vectors(any_store: Store) -> None:
    rows = engine_hashes(any_store, [EMAIL_VECTOR[0], PHONE_VECTOR[0], EXTERNAL_VECTOR[0]])
    assert rows[0]["email"] == EMAIL_VECTOR[1]
    assert rows[1]["phone"] == PHONE_VECTOR[1]
    assert rows[2]["external_id"] == EXTERNAL_VECTOR[1]


def test_prehashed_values_pass_through_and_empty_values_are_omitted(any_store: Store) -> None:
    upper = EMAIL_VECTOR[1].upper()
    rows = engine_hashes(any_store, [f"  {upper} ", "", "   ", None])
    assert rows[0]["email"] == rows[0]["phone"] == rows[0]["external_id"] == EMAIL_VECTOR[1]
    for row in rows[1:]:
        assert row["email"] is row["phone"] is row["external_id"] is None
        assert not row["email__invalid"] and not row["phone__invalid"]


@pytest.mark.parametrize(
    ("value", "bad_email", "bad_phone"),
    [
        ("not-an-email", True, True),
        ("a@b", True, True),
        ("bob@example.com", False, True),
        ("+33 6 12 34 56 78", True, False),
        ("12", True, True),
    ],
)
def test_invalid_flags(duck_store: Store, value: str, bad_email: bool, bad_phone: bool) -> None:
    row = engine_hashes(duck_store, [value])[0]
    assert (row["email__invalid"], row["phone__invalid"]) == (bad_email, bad_phone)


CURATED = [
    "\u00a0Bob@Ex.COM\u3000",  # non-breaking and ideographic spaces are stripped like str.strip
    "ΑΣ@x.gr",  # final sigma: Python lowers Σ at the end of a word to ς
    "aΣ'Σ@b.c",  # case-ignorable apostrophe between two sigmas
    "ΣΣ@x.y",
    "İstanbul@x.tr",  # İ lowers to two characters
    "ʰΣ@x.y",  # a modifier letter is case-ignorable and cased
    "0612345678",
    "+33 (0)6 12 34 56 78",
    "0033612345678",
    "1-800-FLOWERS",
    "e\u0301mile@x.fr",
    # values of the short paths (plain emails, phones of digits and separators)
    "abc@example.com",
    "a.b-c_d%e+f@x-y.co.uk",
    "-@-.-",
    "a@b.",
    "06 12 34 56 78",
    " (+33) 6.12.34-56-78 ",
    "()",
    "+",
    "+0123456",
    "00",
    "1" * 64,
    " " + "0123456789" * 6 + "0123 ",
    # emails as CRMs export them (issue 9): padded with spaces, capitals: the short path
    "  User1.Name@Example1.com ",
    "ABC@EXAMPLE.COM",
    " a@b.co",
    "a@b.co   ",
    " \tUser@Example.com ",
    "User@Example.com\u00a0",
    " User @Example.com",
    "  Ünïcode.User@Example.com ",
]


@pytest.mark.parametrize("region", ["US", "FR", "GB", "HU"])
def test_curated_unicode_and_phone_cases(any_store: Store, region: str) -> None:
    assert_same_as_reference(any_store, CURATED, region)


_TRICKY = st.sampled_from("ΣσςΑaA'.:\u0301\u0345ʰ @\u00a0\u2028İ+0123456789()-xX\t")
_PADDED = r" {0,3}[a-zA-Z0-9._%+-]{1,6}@[a-zA-Z0-9-]{1,5}(\.[a-zA-Z0-9-]{0,4}){1,2}[ \t]{0,3}"
_TEXT = (
    st.text()
    | st.text(_TRICKY)
    | st.from_regex(r"[a-z0-9._%+-]{1,6}@[a-z0-9-]{1,5}(\.[a-zA-Z0-9-]{0,4}){1,2}", fullmatch=True)
    | st.from_regex(_PADDED, fullmatch=True)
    | st.text("0123456789 ()+.-", max_size=18)
    | st.text("0123456789abcdefABCDEF", min_size=63, max_size=65)
    | st.builds(
        lambda a, b, c: f"{a}@{b}.{c}",
        st.text(min_size=1),
        st.text(min_size=1),
        st.text(_TRICKY, min_size=1),
    )
)


@functools.cache
def _duckdb_hasher(region: str) -> Callable[[list[str]], list[tuple[Any, ...]]]:
    """The engine expressions compiled once; each example only swaps the table's rows."""
    from tokops.warehouse import connect
    from tokops.warehouse._duckdb import raw_connection

    store = connect("duckdb://")
    store.con.create_table("vals", schema=ibis.schema({"i": "int64", "s": "string"}))
    t = store.table("vals")
    for kind in ("email", "phone", "external_id"):
        t = add_hashed_key(store, t, kind, t.s, kind, region=region)  # type: ignore[arg-type]
    sql = str(store.con.compile(t.select("email", "phone", "external_id", "i").order_by("i")))
    raw = raw_connection(store.con)

    def run(values: list[str]) -> list[tuple[Any, ...]]:
        raw.execute("DELETE FROM vals")
        store.insert("vals", pa.table({"i": list(range(len(values))), "s": values}))
        return [row[:3] for row in raw.sql(sql).fetchall()]

    return run


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(_TEXT, min_size=1, max_size=25), region=st.sampled_from(["US", "FR", "RU"]))
def test_property_duckdb_equals_reference_for_any_string(values: list[str], region: str) -> None:
    got = _duckdb_hasher(region)(values)
    for value, row in zip(values, got, strict=True):
        assert row == reference(value, region), repr(value)


_PG_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)))


@pytest.mark.postgres
def test_property_postgres_sample_equals_reference(pg_store: Store) -> None:
    """A sample of the DuckDB property on PostgreSQL (text cannot hold NUL there)."""
    values: list[str] = []

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(_PG_TEXT | st.text(_TRICKY), min_size=1, max_size=20))
    def collect(sample: list[str]) -> None:
        values.extend(sample)

    collect()
    assert_same_as_reference(pg_store, values + CURATED, "FR")


def test_text_rules_match_python() -> None:
    rules = text_rules()
    assert rules.whitespace == {c for c in map(chr, range(0x3000 + 1)) if c.isspace()}
    assert dict(rules.lower_multi) == {"\u0130": "i\u0307"}
    assert len(rules.lower_from) == len(rules.lower_to) > 1000


# -- event time -----------------------------------------------------------------------------

TIMES: list[tuple[Any, int | None]] = [
    ("1704721970", 1704721970),
    ("1704721970123", 1704721970),  # milliseconds
    (" 1704721970.9 ", 1704721970),
    ("2024-01-08T13:52:50Z", 1704721970),
    ("2024-01-08 13:52:50", 1704721970),  # naive = UTC
    ("2024-01-08T15:52:50+02:00", 1704721970),
    ("2024-01-08T15:52:50+0200", 1704721970),
    ("2024-01-08T08:52:50-05", 1704721970),
    ("2024-01-08T13:52:50.123456Z", 1704721970),
    ("2024-01-08 13:52:50 UTC", 1704721970),
    ("2024-01-08", 1704672000),
    ("2024-02-29T00:00:00Z", 1709164800),
    ("2024-02-30", None),
    ("2023-02-29", None),
    ("2024-13-01", None),
    ("2024-01-08T25:00:00", None),
    ("yesterday", None),
    ("1e5", None),
    ("", None),
]


def test_event_time_formats(any_store: Store) -> None:
    values = [v for v, _ in TIMES]
    t = ibis.memtable(pa.table({"i": list(range(len(values))), "s": values}))
    t = add_event_time(any_store, t, "ts", t.s)
    got = any_store.fetch(t.order_by("i")).column("ts").to_pylist()
    assert got == [expected for _, expected in TIMES]


def test_event_time_from_numbers(any_store: Store) -> None:
    t = ibis.memtable(
        pa.table(
            {
                "i": [0, 1, 2, 3],
                "n": pa.array([1704721970, 1704721970123, None, 5], pa.int64()),
                "f": [1704721970.5, float("nan"), float("inf"), 1.0],
            }
        )
    )
    t = add_event_time(any_store, t, "from_int", t.n)
    t = add_event_time(any_store, t, "from_float", t.f)
    rows = any_store.fetch(t.order_by("i")).to_pylist()
    assert [r["from_int"] for r in rows] == [1704721970, 1704721970, None, 5]
    assert [r["from_float"] for r in rows] == [1704721970, None, None, 1]


def test_numbers(any_store: Store) -> None:
    values = ["10.50", " 3 ", "-1", ".5", "$20", "1,000", "abc", "", None, "9" * 40]
    t = ibis.memtable(pa.table({"i": list(range(len(values))), "s": pa.array(values, pa.string())}))
    parsed = parse_number(t.s)
    rows = any_store.fetch(t.select(t.i, v=parsed.value, bad=parsed.unreadable).order_by("i"))
    got = [(r["v"], r["bad"]) for r in rows.to_pylist()]
    assert got == [
        (10.5, False),
        (3.0, False),
        (-1.0, False),
        (0.5, False),
        (None, True),
        (None, True),
        (None, True),
        (None, False),
        (None, False),
        (None, True),
    ]


def test_single_expression_form_matches_reference(any_store: Store) -> None:
    """``hash_email`` / ``hash_phone`` / ``hash_external_id`` (one expression, used by the
    audiences sync) give the same values as the staged form and the reference."""
    from tokops.activate.normalize import hash_email, hash_external_id, hash_phone

    values = [EMAIL_VECTOR[0], PHONE_VECTOR[0], EXTERNAL_VECTOR[0], "", None, *CURATED]
    t = ibis.memtable(pa.table({"i": list(range(len(values))), "s": pa.array(values, pa.string())}))
    email, phone, ext = (
        hash_email(any_store, t.s),
        hash_phone(any_store, t.s, "FR"),
        hash_external_id(any_store, t.s),
    )
    out = t.select(t.i, e=email.hashed, p=phone.hashed, x=ext.hashed, bad=email.invalid)
    rows = any_store.fetch(out.order_by("i")).to_pylist()
    for value, row in zip(values, rows, strict=True):
        assert (row["e"], row["p"], row["x"]) == reference(value, "FR"), repr(value)
        assert row["bad"] == (bool(value and value.strip()) and hashing.hash_email(value) is None)


def test_text_rules_file_cache_round_trips_and_rejects_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tokops.activate import textrules

    monkeypatch.setenv("TOKOPS_CACHE_DIR", str(tmp_path))
    built = textrules.build_text_rules()
    path = textrules._cache_path()
    assert path is not None and path.parent == tmp_path
    textrules._store(path, built)
    assert textrules._load(path) == built
    path.write_text('{"whitespace": []}', encoding="utf-8")  # damaged: rebuilt, not trusted
    assert textrules._load(path) is None
    monkeypatch.setenv("TOKOPS_CACHE_DIR", "")
    assert textrules._cache_path() is None
