"""Engine normalisation and hashing equal the reference ``tokops.tiktok.hashing`` (EVT-4, BYD-2).

Spec vectors (``events_api.md`` §3), hypothesis properties on DuckDB for arbitrary strings and on
PostgreSQL for a sample, event-time parsing and numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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


# -- declared formats (issue 9 §5) ----------------------------------------------------------------

HOSTILE = [
    "'; DROP TABLE events_runs; --",
    '"quoted" \\ back\\slash',
    "\x01\x02 ctrl \x7f",
    "日本語テキスト",
    "[red]markup[/]",
    "x" * 500,
    "",
    None,
]


def _engine_column(
    store: Store, values: list[Any], build: Callable[[Any], dict[str, Any]]
) -> list[dict[str, Any]]:
    t = ibis.memtable(pa.table({"i": list(range(len(values))), "s": pa.array(values, pa.string())}))
    rows: list[dict[str, Any]] = store.fetch(t.mutate(**build(t)).order_by("i")).to_pylist()
    return rows


def _py_time(text: str, fmt: str, zone: str) -> int | None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.strptime(text.strip(), fmt)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return int(moment.timestamp())


FORMATTED_TIMES = [
    "12/05/2026 2:32 PM",
    "12/05/2026 12:00 AM",
    "12/05/2026 12:59 pm",
    "3/8/2026 2:30 AM",  # in the spring-forward gap in New York
    "11/1/2026 1:30 AM",  # twice in New York (fall back): the first, as zoneinfo fold=0
    "02/29/2026 1:00 PM",  # no such day
    "13/05/2026 2:32 PM",
    "12/05/2026 0:32 PM",
    "12/05/2026 14:32",
    "2026-12-05",
    *HOSTILE,
]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_formatted_times_equal_strptime_on_every_engine(any_store: Store, zone: str) -> None:
    from tokops.activate.formats import compile_time_format, zone_offsets
    from tokops.activate.normalize import add_formatted_time

    fmt = "%m/%d/%Y %I:%M %p"
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    offsets = None if zone == "UTC" else zone_offsets(zone, start, start + 366 * 86400)
    t = ibis.memtable(
        pa.table(
            {"i": list(range(len(FORMATTED_TIMES))), "s": pa.array(FORMATTED_TIMES, pa.string())}
        )
    )
    compiled = compile_time_format(fmt)
    assert compiled is not None
    got = add_formatted_time(any_store, t, "ts", t.s, compiled, offsets)
    rows = any_store.fetch(got.order_by("i")).to_pylist()
    for value, row in zip(FORMATTED_TIMES, rows, strict=True):
        expected = None if value is None else _py_time(value, fmt, zone)
        assert row["ts"] == expected, repr(value)


def test_day_first_and_naive_iso_in_a_zone(any_store: Store) -> None:
    from tokops.activate.formats import compile_time_format, zone_offsets
    from tokops.activate.normalize import add_event_time, add_formatted_time

    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    paris = zone_offsets("Europe/Paris", start, start + 366 * 86400)
    values = ["05/12/2026 14:32", "5.12.2026", "05/12/2026 14:32 +00:00", "12/31/2026 10:00"]
    t = ibis.memtable(pa.table({"i": list(range(4)), "s": pa.array(values, pa.string())}))
    compiled = compile_time_format("day-first")
    assert compiled is not None
    t = add_formatted_time(any_store, t, "df", t.s, compiled, paris)
    rows = any_store.fetch(t.order_by("i")).to_pylist()
    expect = [
        _py_time("05/12/2026 14:32", "%d/%m/%Y %H:%M", "Europe/Paris"),
        _py_time("5.12.2026", "%d.%m.%Y", "Europe/Paris"),
        _py_time("05/12/2026 14:32", "%d/%m/%Y %H:%M", "UTC"),  # its own zone wins
        None,
    ]  # month 31 does not exist
    assert [r["df"] for r in rows] == expect
    iso = ibis.memtable(pa.table({"s": ["2026-07-01 12:00", "2026-07-01T12:00Z"]}))
    out = any_store.fetch(add_event_time(any_store, iso, "ts", iso.s, paris)).column("ts")
    summer = int(datetime(2026, 7, 1, 10, 0, tzinfo=UTC).timestamp())  # Paris is UTC+2
    assert sorted(out.to_pylist()) == [summer, summer + 7200]


MONEY = [
    ("$1,234.50", 1234.5, None),
    ("19,99", None, 19.99),
    ("1.234,50 €", None, 1234.5),
    ("1 234,50 EUR", None, 1234.5),
    ("1\u202f234,5", None, 1234.5),
    ("EUR 12", 12.0, 12.0),
    ("USD12.00", 12.0, None),
    ("-$5", -5.0, -5.0),
    ("12", 12.0, 12.0),
    ("1,2,3", None, None),
    ("12.5.6", None, None),
    ("£", None, None),
]


def test_money_under_a_locale_on_every_engine(any_store: Store) -> None:
    from tokops.activate.normalize import parse_money

    values = [m[0] for m in MONEY] + HOSTILE

    def build(t: Any) -> dict[str, Any]:
        en, fr = parse_money(t.s, "."), parse_money(t.s, ",")
        return {"en": en.value, "en_bad": en.unreadable, "fr": fr.value, "fr_bad": fr.unreadable}

    rows = _engine_column(any_store, values, build)
    for (text, en, fr), row in zip(MONEY, rows, strict=False):
        assert (row["en"], row["fr"]) == (en, fr), text
        assert row["en_bad"] == (en is None) and row["fr_bad"] == (fr is None), text
    for row in rows[len(MONEY) :]:
        blank = row["s"] is None or row["s"] == ""
        assert row["en"] is None and row["fr"] is None
        assert row["en_bad"] is (not blank) and row["fr_bad"] is (not blank)


def test_redacted_samples_never_show_personal_data(any_store: Store) -> None:
    from tokops.activate.normalize import SAMPLE_CHARS, redacted

    values = ["john.doe@example.com", "+33612345678", "abc", *HOSTILE]

    def build(t: Any) -> dict[str, Any]:
        return {"pii": redacted(t.s, pii=True), "other": redacted(t.s, pii=False)}

    rows = _engine_column(any_store, values, build)
    assert rows[0]["pii"] == "jo…@…" and rows[1]["pii"] == "+3…" and rows[2]["pii"] == "…"
    for row in rows:
        if row["s"]:
            assert row["s"] not in (row["pii"] or "") or len(row["s"]) <= 2
            assert len(row["other"]) <= SAMPLE_CHARS + 1
            assert not any(ord(c) < 32 or ord(c) == 127 for c in row["other"] + row["pii"])


def test_hostile_time_format_is_data_on_every_engine(any_store: Store) -> None:
    """Literal characters of a declared format (quotes, brackets, regex and SQL syntax) only
    match themselves."""
    from tokops.activate.formats import compile_time_format
    from tokops.activate.normalize import add_formatted_time

    fmt = "%Y-%m-%d'); DROP [x] (.*)|\\ %H:%M"
    compiled = compile_time_format(fmt)
    assert compiled is not None
    good = "2026-12-05'); DROP [x] (.*)|\\ 14:32"
    values = [good, good.replace("(.*)", "(ab)"), "2026-12-05 14:32", good.replace("x", "y")]
    t = ibis.memtable(pa.table({"i": list(range(4)), "s": values}))
    got = add_formatted_time(any_store, t, "ts", t.s, compiled, None)
    rows = any_store.fetch(got.order_by("i")).column("ts").to_pylist()
    assert rows == [int(datetime(2026, 12, 5, 14, 32, tzinfo=UTC).timestamp()), None, None, None]


@pytest.mark.parametrize(
    "fmt", ["%m/%d/%Y %I:%M %p", "%d.%m.%y %H:%M:%S", "%d %b %Y %H:%M", "%Y%m%d %H%M"]
)
def test_random_times_in_a_zone_equal_strptime_on_every_engine(any_store: Store, fmt: str) -> None:
    """500 random local times of 2026 (DST changes included), written in *fmt*, read as
    America/New_York: the engine equals ``strptime`` + ``zoneinfo`` (fold=0)."""
    import random

    from tokops.activate.formats import compile_time_format, zone_offsets
    from tokops.activate.normalize import add_formatted_time

    rng = random.Random(fmt)
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    texts = [
        (datetime(2026, 1, 1) + timedelta(seconds=rng.randrange(365 * 86400))).strftime(fmt)
        for _ in range(500)
    ]
    texts += [
        datetime(2026, 3, 8, 2, 30).strftime(fmt),  # in the spring-forward gap
        datetime(2026, 11, 1, 1, 30).strftime(fmt),  # twice (fall back)
    ]
    offsets = zone_offsets("America/New_York", start, start + 366 * 86400)
    compiled = compile_time_format(fmt)
    assert compiled is not None
    t = ibis.memtable(pa.table({"i": list(range(len(texts))), "s": texts}))
    got = add_formatted_time(any_store, t, "ts", t.s, compiled, offsets)
    rows = any_store.fetch(got.order_by("i")).column("ts").to_pylist()
    assert rows == [_py_time(text, fmt, "America/New_York") for text in texts]


def test_random_amounts_written_for_people_on_every_engine(any_store: Store) -> None:
    """Amounts as shops print them (``$12,345.67``; ``12 345,67 €``, ``12.345,67``) read back."""
    import random

    from tokops.activate.normalize import parse_money

    rng = random.Random(9)
    cents = [rng.randrange(0, 10**9) for _ in range(300)]
    en = [f"${c / 100:,.2f}" for c in cents]
    fr = [f"{c / 100:,.2f}".replace(",", "\u202f").replace(".", ",") + " €" for c in cents]
    de = [f"{c / 100:,.2f}".replace(",", "x").replace(".", ",").replace("x", ".") for c in cents]
    t = ibis.memtable(pa.table({"i": list(range(300)), "en": en, "fr": fr, "de": de}))
    got = t.mutate(
        a=parse_money(t.en, ".").value,
        b=parse_money(t.fr, ",").value,
        c=parse_money(t.de, ",").value,
    )
    rows = any_store.fetch(got.order_by("i")).to_pylist()
    for c, row in zip(cents, rows, strict=True):
        assert row["a"] == row["b"] == row["c"] == pytest.approx(c / 100), row
