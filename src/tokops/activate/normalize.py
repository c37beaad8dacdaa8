"""Match-key normalisation and SHA-256 hashing as Ibis expressions, run by the store's engine.

These expressions reproduce :mod:`tokops.tiktok.hashing` (the one-value reference) exactly, for
any string, on DuckDB and PostgreSQL; property tests check it (EVT-4, EVT-9, BYD-2). Raw values
never reach Python: the engine trims, lower-cases, rewrites phones to E.164, hashes, and says
whether a non-empty value was unusable (so the row can be rejected with a reason).

Rules (``../shared/specs/events_api.md`` §3):

- email: ``strip`` + ``lower`` (Python's Unicode rules, see :mod:`.textrules`), must look like
  ``local@domain.tld``, then SHA-256.
- phone: ``strip``; letters make it invalid; keep digits and ``+``; ``+…`` and ``00…`` are
  international; otherwise drop the default region's trunk prefix and prepend its calling code;
  the result must be ``+`` and 7–15 digits; then SHA-256.
- external_id: ``strip`` only (case kept), then SHA-256.
- a value that already is 64 hex characters passes through lower-cased, never hashed twice.
- empty (or whitespace-only) values are omitted, never hashed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import ibis

from tokops.activate.formats import MONTHS, DecimalMark, TimeFormat, ZoneOffsets
from tokops.activate.textrules import char_class, text_rules
from tokops.tiktok.hashing import region_dialing

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = [
    "HashedKey",
    "KeyKind",
    "ParsedNumber",
    "add_event_time",
    "add_formatted_time",
    "add_hashed_key",
    "as_text",
    "ascii_strip",
    "clean_text",
    "is_blank",
    "local_to_utc",
    "parse_money",
    "redacted",
    "hash_email",
    "hash_external_id",
    "hash_phone",
    "normalize_email",
    "normalize_phone",
    "parse_number",
    "py_lower",
    "py_strip",
    "strip_chars",
]

_HASHED = "^[A-Fa-f0-9]{64}$"
_E164 = "^\\+[1-9][0-9]{6,14}$"


KeyKind = Literal["email", "phone", "external_id"]


_ASCII_WS = " \t\n\r\x0b\x0c"


def _edge_in(s: ir.StringValue, chars: str) -> ir.BooleanValue:
    """True when the first or last character of *s* is one of *chars* (or *s* is empty).

    A cheap test that lets the common, already-clean value skip the costlier trim."""
    pool = ibis.literal(chars)
    result: ir.BooleanValue = pool.contains(s.substr(0, 1)) | pool.contains(s.right(1))
    return result


def strip_chars(s: ir.StringValue, chars: str) -> ir.StringValue:
    """Remove leading and trailing characters of *chars* (the regex only runs on the values
    that start or end with one of them)."""
    cls = "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]+"
    result: ir.StringValue = ibis.cases(
        (_edge_in(s, chars), s.re_replace(f"^{cls}|{cls}$", "")), else_=s
    )
    return result


def py_strip(s: ir.StringValue) -> ir.StringValue:
    """``str.strip()``: remove leading and trailing Unicode whitespace."""
    rules = text_rules()
    ws = "".join(sorted(rules.whitespace))
    result: ir.StringValue = ibis.cases(
        (_edge_in(s, ws), s.re_replace(rules.trim_pattern, "")), else_=s
    )
    return result


def ascii_strip(s: ir.StringValue) -> ir.StringValue:
    """Remove leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF)."""
    result: ir.StringValue = ibis.cases((_edge_in(s, _ASCII_WS), s.strip()), else_=s)
    return result


def py_lower(store: Store, s: ir.StringValue) -> ir.StringValue:
    """``str.lower()``, including the Greek final sigma and multi-character lower cases.

    ASCII text (the common case) takes the engine's fast, locale-free ASCII lower-casing; other
    text goes through the full Unicode table (exact, but slower per row).
    """
    result: ir.StringValue = ibis.cases(
        (store.is_ascii(s), store.ascii_lower(s)),
        else_=_unicode_lower(s),
    )
    return result


def _unicode_lower(s: ir.StringValue) -> ir.StringValue:
    rules = text_rules()
    out = ibis.cases(
        (
            s.contains("\u03a3"),
            s.re_replace(rules.final_sigma_pattern, rules.final_sigma_replacement),
        ),
        else_=s,
    )
    for upper, lower in rules.lower_multi:
        out = out.replace(upper, lower)
    result: ir.StringValue = out.translate(rules.lower_from, rules.lower_to)
    return result


@dataclass(frozen=True)
class HashedKey:
    """A hashed match key and whether the (non-empty) input could not be used."""

    hashed: ir.StringValue
    """Lowercase hex SHA-256, or NULL when the input is empty or unusable."""
    invalid: ir.BooleanValue
    """True when the input is non-empty but not a valid value of its kind."""


def normalize_email(store: Store, s: ir.StringValue) -> ir.StringValue:
    """Trimmed, lower-cased email, or NULL when empty or not an email (as the reference)."""
    value = py_lower(store, py_strip(s))
    result: ir.StringValue = ibis.cases(
        (value.re_search(_email_pattern()), value), else_=ibis.null()
    )
    return result


def _email_pattern() -> str:
    ws = text_rules().ws_class.removeprefix("[")
    atom = "[^@" + ws + "+"
    return f"^{atom}@{atom}\\.{atom}$"


def normalize_phone(s: ir.StringValue, region: str = "US") -> ir.StringValue:
    """E.164 form of a phone number, or NULL (same rules as the reference)."""
    code, prefix = region_dialing(region)
    value = py_strip(s)
    kept = value.re_replace("[^0-9+]", "")
    digits = kept.replace("+", "")  # kept holds only digits and "+": no second regex
    national = (
        ibis.cases((digits.startswith(prefix), digits.substr(len(prefix))), else_=digits)
        if prefix
        else digits
    )
    e164 = ibis.cases(
        (kept.startswith("+"), "+" + digits),
        (digits.startswith("00"), "+" + digits.substr(2)),
        else_="+" + code + national,
    )
    usable = (value != "") & ~value.re_search("[A-Za-z]") & (digits != "") & e164.re_search(_E164)
    result: ir.StringValue = ibis.cases((usable, e164), else_=ibis.null())
    return result


def _expr_key(store: Store, raw: ir.StringValue, normalized: ir.StringValue) -> HashedKey:
    stripped = py_strip(raw)
    is_hashed = (stripped.length() == 64) & stripped.re_search(_HASHED)
    hashed = ibis.cases(
        (is_hashed, store.ascii_lower(stripped)),
        (normalized.notnull(), store.sha256_hex(normalized)),
        else_=ibis.null(),
    )
    invalid = (stripped != "") & ~is_hashed & normalized.isnull()
    return HashedKey(hashed.cast("string"), invalid.fill_null(False))


def hash_email(store: Store, raw: ir.StringValue) -> HashedKey:
    """Single-expression form of :func:`tokops.tiktok.hashing.hash_email`.

    For one column in a small query (audiences). The sync uses :func:`add_hashed_key`, which
    gives the same values but computes each intermediate step once (much faster on big tables).
    """
    return _expr_key(store, raw, normalize_email(store, raw))


def hash_phone(store: Store, raw: ir.StringValue, region: str = "US") -> HashedKey:
    """Single-expression form of :func:`tokops.tiktok.hashing.hash_phone`."""
    return _expr_key(store, raw, normalize_phone(raw, region))


def hash_external_id(store: Store, raw: ir.StringValue) -> HashedKey:
    """Single-expression form of :func:`tokops.tiktok.hashing.hash_external_id` (trim only)."""
    return _expr_key(store, raw, py_strip(raw).nullif(""))


class _Stages:
    """Builds a column in steps: each step is a projection, so an intermediate value is computed
    once and referenced by name (engines do not reliably share repeated sub-expressions)."""

    def __init__(self, table: ir.Table, prefix: str, skip: str | None = None) -> None:
        self.t = table
        self.prefix = prefix
        self.temps: list[str] = []
        self.skip = skip
        """A boolean column: rows where it is true get NULL in every step (nothing computed)."""

    def col(self, name: str) -> Any:
        return self.t[self.prefix + name]

    def add(self, **exprs: Any) -> None:
        self._add(None, exprs)

    def add_unless(self, skip: ir.BooleanValue, **exprs: Any) -> None:
        """Like :meth:`add`, but NULL (not computed) on the rows where *skip* is true."""
        self._add(skip, exprs)

    def _add(self, skip: ir.BooleanValue | None, exprs: dict[str, Any]) -> None:
        if self.skip is not None:
            skip = self.t[self.skip] if skip is None else self.t[self.skip] | skip
        if skip is not None:
            exprs = {k: ibis.cases((skip, ibis.null()), else_=v) for k, v in exprs.items()}
        self.t = self.t.mutate(**{self.prefix + k: v for k, v in exprs.items()})
        self.temps += [self.prefix + k for k in exprs]

    def finish(self, **outputs: Any) -> ir.Table:
        return self.t.mutate(**outputs).drop(*self.temps)


#: Emails in plain form, possibly as CRMs export them (``'  User1.Name@Example1.com '``: upper
#: case, leading or trailing spaces), take the short path. Without the spaces and with case
#: folded the pattern is a subset of the reference's ``^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$``, so the
#: reference's strip + lower equal the engine's space trim + ASCII lower-casing (no Unicode
#: strip and lower: issue 9, the general path made a sync of such a file slow); the rest take
#: the general path.
_PADDED_EMAIL = "^ *[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+ *$"
#: Phones written with digits, ``+``, spaces, brackets, dots and dashes only: no letters, and
#: the only whitespace is the space, so plain replaces give the digits (no regex rewrite).
_PLAIN_PHONE = "^[0-9 ()+.-]*$"
_PHONE_SEPARATORS = " ().-"


def _is_hashed(store: Store, s: ir.StringValue) -> ir.BooleanValue:
    """64 hex characters (the regex only runs on 64-byte values)."""
    result: ir.BooleanValue = ibis.cases(
        (store.byte_length(s) == 64, s.re_search(_HASHED)), else_=False
    )
    return result


def _is_e164_digits(store: Store, e164: ir.StringValue) -> ir.BooleanValue:
    """``^\\+[1-9][0-9]{6,14}$`` for a value known to be ``+`` then ASCII digits only."""
    n = store.byte_length(e164)
    result: ir.BooleanValue = (n >= 8) & (n <= 16) & (e164.substr(1, 1) != "0")
    return result


def add_hashed_key(
    store: Store,
    t: ir.Table,
    out: str,
    raw: ir.Value,
    kind: KeyKind,
    *,
    region: str = "US",
    skip: str | None = None,
) -> ir.Table:
    """*t* plus ``out`` (SHA-256 hex or NULL) and ``out__invalid`` (non-empty but unusable).
    With *skip* (a boolean column), rows where it is true are not hashed (NULL, not invalid).

    Engine version of :func:`tokops.tiktok.hashing.hash_email` / ``hash_phone`` /
    ``hash_external_id`` (same result for every string). Values already in a plain form take a
    short path (an email in normal form is hashed as it is; a phone of digits and separators
    loses its separators by plain replaces); the others take the general one.
    """
    st = _Stages(t, f"__{out}_", skip)
    text = as_text(raw)
    if kind == "email":
        st.add(f=text.re_search(_PADDED_EMAIL).fill_null(False))
        plain = st.col("f")
        st.add_unless(plain, s=py_strip(text))
        st.add_unless(plain, h=_is_hashed(store, st.col("s")), low=py_lower(store, st.col("s")))
        low = st.col("low")
        st.add_unless(plain, n=ibis.cases((low.re_search(_email_pattern()), low)))
        s, h, n = st.col("s"), st.col("h"), st.col("n")
        hashed = ibis.cases(
            (plain, store.sha256_hex(store.ascii_lower(store.trim_spaces(text)))),
            (h, store.ascii_lower(s)),
            (n.notnull(), store.sha256_hex(n)),
            else_=ibis.null(),
        ).cast("string")
        invalid = (~plain & (s != "") & ~h & n.isnull()).fill_null(False)
        return st.finish(**{out: hashed, f"{out}__invalid": invalid})
    if kind == "phone":
        code, prefix = region_dialing(region)
        st.add(f=text.re_search(_PLAIN_PHONE).fill_null(False))
        plain = st.col("f")
        st.add(s=ibis.cases((plain, store.trim_spaces(text)), else_=py_strip(text)))
        s = st.col("s")
        separators_removed = s
        for ch in _PHONE_SEPARATORS:
            separators_removed = separators_removed.replace(ch, "")
        st.add(
            h=_is_hashed(store, s),
            kept=ibis.cases((plain, separators_removed), else_=s.re_replace("[^0-9+]", "")),
            alpha=ibis.cases((plain, False), else_=s.re_search("[A-Za-z]")),
        )
        st.add(digits=st.col("kept").replace("+", ""))  # only digits and "+" are kept
        digits = st.col("digits")
        national = (
            ibis.cases((digits.startswith(prefix), digits.substr(len(prefix))), else_=digits)
            if prefix
            else digits
        )
        st.add(
            e164=ibis.cases(
                (st.col("kept").startswith("+"), "+" + digits),
                (digits.startswith("00"), "+" + digits.substr(2)),
                else_="+" + code + national,
            )
        )
        # e164 is "+" and ASCII digits by construction: the E.164 pattern is a length check
        usable = (
            (s != "") & ~st.col("alpha") & (digits != "") & _is_e164_digits(store, st.col("e164"))
        )
        st.add(n=ibis.cases((usable, st.col("e164")), else_=ibis.null()))
    else:
        st.add(s=py_strip(text))
        st.add(h=_is_hashed(store, st.col("s")), n=st.col("s").nullif(""))
    s, h, n = st.col("s"), st.col("h"), st.col("n")
    hashed = ibis.cases(
        (h, store.ascii_lower(s)),
        (n.notnull(), store.sha256_hex(n)),
        else_=ibis.null(),
    ).cast("string")
    invalid = ((s != "") & ~h & n.isnull()).fill_null(False)
    return st.finish(**{out: hashed, f"{out}__invalid": invalid})


# -- other fields -------------------------------------------------------------------------------

_NUMBER = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
_UNIX = "^[+-]?[0-9]{1,15}([.][0-9]*)?$"
_ISO_PARTS = ("y", "mo", "d", "h", "mi", "sec", "tz")
_ISO = (
    "^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    "(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]+)?)?)?"
    " ?(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
#: Unix values at or above this are read as milliseconds (1e11 s is the year 5138).
MS_THRESHOLD = 100_000_000_000


def as_text(col: ir.Value) -> ir.StringValue:
    """Any column as text: integers without ``.0``, other types cast; strings as they are."""
    dtype = col.type()
    if dtype.is_string():
        return col
    if dtype.is_floating() or dtype.is_decimal():
        num: ir.NumericValue = col
        # Ibis' floor casts to an integer: only finite values below 1e15 ever reach it (NaN and
        # infinities would make the engine fail the whole query)
        small = ibis.cases(((num.abs() < 1e15).fill_null(False), num), else_=0.5)
        integral = small.floor() == small
        if not dtype.is_floating():
            return ibis.cases(
                (integral, small.floor().cast("int64").cast("string")), else_=num.cast("string")
            )
        return ibis.cases(  # NaN and infinities spelt the same on every engine
            (num.isnan(), "NaN"),
            (num.isinf(), ibis.cases((num > 0, "Infinity"), else_="-Infinity")),
            (integral, small.floor().cast("int64").cast("string")),
            else_=num.cast("string"),
        )
    return col.cast("string")


def clean_text(col: ir.Value) -> ir.StringValue:
    """Text with ASCII whitespace trimmed; empty becomes NULL (for non-PII fields)."""
    return ascii_strip(as_text(col)).nullif("")


def is_blank(col: ir.Value) -> ir.BooleanValue:
    """NULL, or text that is empty once trimmed."""
    if col.type().is_string():
        return clean_text(col).isnull()
    result: ir.BooleanValue = col.isnull()
    return result


def _unix_from_number(x: ir.FloatingValue) -> ir.IntegerValue:
    ok = x.notnull() & ~x.isnan() & (x.abs() < 1e15)
    seconds = ibis.cases((x.abs() >= MS_THRESHOLD, x / 1000), else_=x).floor()
    result: ir.IntegerValue = ibis.cases((ok, seconds), else_=ibis.null()).cast("int64")
    return result


def _days_from_civil(y: Any, m: Any, d: Any) -> ir.IntegerValue:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    yy = y - ibis.cases((m <= 2, 1), else_=0)
    era = yy // 400
    yoe = yy - era * 400
    mp = ibis.cases((m > 2, m - 3), else_=m + 9)
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    result: ir.IntegerValue = era * 146097 + doe - 719468
    return result


def _civil_time_valid(
    y: Any, mo: Any, d: Any, h: Any, mi: Any, sec: Any, oh: Any, om: Any
) -> ir.BooleanValue:
    """True where the parsed parts are a real date and time with a real UTC offset (a leap
    second allowed)."""
    return (
        y.notnull()
        & mo.between(1, 12)
        & (d >= 1)
        & (d <= _days_in_month(y, mo))
        & h.between(0, 23)
        & mi.between(0, 59)
        & sec.between(0, 60)
        & oh.between(0, 23)
        & om.between(0, 59)
    )


def _days_in_month(y: Any, m: Any) -> ir.IntegerValue:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    result: ir.IntegerValue = ibis.cases(
        (m == 2, ibis.cases((leap, 29), else_=28)),
        (m.isin([4, 6, 9, 11]), 30),
        else_=31,
    )
    return result


def add_event_time(
    store: Store, t: ir.Table, out: str, raw: ir.Value, zone: ZoneOffsets | None = None
) -> ir.Table:
    """*t* plus ``out``: unix seconds (int64) or NULL when the value cannot be read.

    Accepts unix seconds or milliseconds (numbers or digit strings; 1e11 and above are
    milliseconds), ISO-8601 strings (``2024-01-08``, ``2024-01-08T13:52:50Z``, ``… 13:52``,
    fractions, ``±hh[:mm]`` or ``UTC``) and native timestamps and dates. Values without a zone
    (naive strings, timestamps without a time zone, dates) are local times of *zone* (UTC when
    None). ISO strings are computed with integer calendar arithmetic (no engine casts), so every
    engine gives the same answer and an impossible date (Feb 30) is NULL, never an error.
    """
    dtype = raw.type()
    if dtype.is_timestamp() or dtype.is_date():
        seconds = store.epoch_seconds(raw)
        if zone is not None and not (dtype.is_timestamp() and dtype.timezone):
            seconds = local_to_utc(seconds, zone)
        return t.mutate(**{out: seconds})
    if dtype.is_numeric():
        return t.mutate(**{out: _unix_from_number(raw.cast("float64"))})
    if not dtype.is_string():
        return t.mutate(**{out: ibis.null().cast("int64")})
    st = _Stages(t, f"__{out}_")
    st.add(s=ascii_strip(raw))
    s = st.col("s")
    parts = {name: s.re_extract(_ISO, i).nullif("") for i, name in enumerate(_ISO_PARTS, 1)}
    st.add(num=s.re_search(_UNIX), **parts)
    ints = {name: st.col(name).cast("int64") for name in ("y", "mo", "d")}
    ints |= {name: st.col(name).cast("int64").fill_null(0) for name in ("h", "mi", "sec")}
    tz_digits = st.col("tz").re_replace("[^0-9]", "")
    st.add(
        **ints,
        oh=tz_digits.substr(0, 2).nullif("").cast("int64").fill_null(0),
        om=tz_digits.substr(2, 2).nullif("").cast("int64").fill_null(0),
        sign=ibis.cases((st.col("tz").startswith("-"), -1), else_=1),
        number=ibis.cases((st.col("num"), s), else_=ibis.null()).cast("float64"),
    )
    y, mo, d, h, mi, sec, oh, om = (
        st.col(k) for k in ("y", "mo", "d", "h", "mi", "sec", "oh", "om")
    )
    valid = _civil_time_valid(y, mo, d, h, mi, sec, oh, om)
    local = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec
    if zone is not None:
        local = ibis.cases((st.col("tz").isnull(), local_to_utc(local, zone)), else_=local)
    seconds = local - st.col("sign") * (oh * 3600 + om * 60)
    iso = ibis.cases((valid.fill_null(False), seconds), else_=ibis.null()).cast("int64")
    value = ibis.cases((st.col("num"), _unix_from_number(st.col("number"))), else_=iso)
    return st.finish(**{out: value})


@dataclass(frozen=True)
class ParsedNumber:
    value: ir.FloatingValue
    """The number, or NULL when absent or unreadable."""
    unreadable: ir.BooleanValue
    """True when a value is present but is not a finite number."""


def parse_number(col: ir.Value) -> ParsedNumber:
    """A float from a numeric column or a plain decimal string (no symbols, no thousands)."""
    dtype = col.type()
    if dtype.is_numeric():
        x = col.cast("float64")
        finite = ~x.isnan() & (x.abs() < 1e300)
        value = ibis.cases((finite, x), else_=ibis.null()).cast("float64")
        return ParsedNumber(value, (x.notnull() & ~finite).fill_null(False))
    text = clean_text(col)
    ok = text.re_search(_NUMBER) & (text.length() <= 30)
    value = ibis.cases((ok, text), else_=ibis.null()).cast("float64")
    return ParsedNumber(value, (text.notnull() & ~ok).fill_null(False))


# -- declared formats (issue 9 §5: formatted times, time zones, money locales) ------------------


def local_to_utc(local: Any, zone: ZoneOffsets) -> ir.IntegerValue:
    """Unix seconds of a naive local time of *zone* (see :func:`.formats.zone_offsets`)."""
    if not zone.changes:
        result: ir.IntegerValue = local - zone.first
        return result
    branches = [(local >= threshold, offset) for threshold, offset in reversed(zone.changes)]
    offset = ibis.cases(*branches, else_=zone.first)
    result = local - offset
    return result


def add_formatted_time(
    store: Store, t: ir.Table, out: str, raw: ir.Value, fmt: TimeFormat, zone: ZoneOffsets | None
) -> ir.Table:
    """*t* plus ``out``: unix seconds of text written in the declared format *fmt* (NULL when a
    value does not match it or names an impossible date or hour); non-text columns as
    :func:`add_event_time`. Times without a zone are local times of *zone* (UTC when None).

    The format is a regular expression (:func:`.formats.compile_time_format`) and the calendar
    is integer arithmetic, as for ISO strings: the same answer on every engine, never an error.
    """
    if not raw.type().is_string():
        return add_event_time(store, t, out, raw, zone)
    g = fmt.groups
    st = _Stages(t, f"__{out}_")
    st.add(s=ascii_strip(raw))
    s = st.col("s")
    st.add(**{name: s.re_extract(fmt.pattern, i).nullif("") for name, i in g.items()})
    col = st.col
    if "y" in g:
        year: Any = col("y").cast("int64")
    else:  # %y as strptime reads it: 69–99 → 1969–1999, 00–68 → 2000–2068
        y2 = col("y2").cast("int64")
        year = ibis.cases((y2 >= 69, y2 + 1900), else_=y2 + 2000)
    if "mo" in g:
        month: Any = col("mo").cast("int64")
    else:
        abbr = store.ascii_lower(col("mon").substr(0, 3))
        month = ibis.cases(*[(abbr == m, i) for i, m in enumerate(MONTHS, 1)], else_=ibis.null())
    hour_text = col("h12") if "h12" in g else col("h") if "h" in g else None
    hour: Any = hour_text.cast("int64").fill_null(0) if hour_text is not None else 0
    ampm_ok: Any = True
    if "ampm" in g:
        pm = store.ascii_lower(col("ampm")) == "pm"
        has = col("ampm").notnull()
        twelve = hour % 12 + ibis.cases((pm, 12), else_=0)
        ampm_ok = ~has | hour.between(1, 12)
        hour = ibis.cases((has, twelve), else_=hour)
    tz = col("tz") if "tz" in g else ibis.null().cast("string")
    tz_digits = tz.re_replace("[^0-9]", "")
    st.add(
        __y=year,
        __mo=month,
        __d=col("d").cast("int64"),
        __h=hour,
        __ok=ampm_ok,
        __mi=col("mi").cast("int64").fill_null(0) if "mi" in g else 0,
        __sec=col("sec").cast("int64").fill_null(0) if "sec" in g else 0,
        __oh=tz_digits.substr(0, 2).nullif("").cast("int64").fill_null(0),
        __om=tz_digits.substr(2, 2).nullif("").cast("int64").fill_null(0),
        __sign=ibis.cases((tz.startswith("-"), -1), else_=1),
        __naive=tz.isnull(),
    )
    y, mo, d, h, mi, sec = (col(k) for k in ("__y", "__mo", "__d", "__h", "__mi", "__sec"))
    oh, om = col("__oh"), col("__om")
    valid = _civil_time_valid(y, mo, d, h, mi, sec, oh, om) & col("__ok")
    local = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec
    if zone is not None:
        local = ibis.cases((col("__naive"), local_to_utc(local, zone)), else_=local)
    seconds = local - col("__sign") * (oh * 3600 + om * 60)
    value = ibis.cases((valid.fill_null(False), seconds), else_=ibis.null()).cast("int64")
    return st.finish(**{out: value})


#: Spaces a number may be grouped with (space, no-break space, narrow no-break space).
_GROUP_SPACES: Final = " \u00a0\u202f"


@functools.lru_cache(maxsize=1)
def _currency_symbols() -> str:
    """A bracket expression of every Unicode currency symbol ($ € £ ¥ ₹ …)."""
    import sys
    import unicodedata

    cps = [cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Sc"]
    return char_class(cps)


def parse_money(col: ir.Value, mark: DecimalMark) -> ParsedNumber:
    """An amount written for people, read under a locale's decimal *mark*: currency symbols and
    ISO codes around it (``$1,234.50``, ``19,99 €``, ``EUR 12``) and digit grouping are dropped;
    ``,`` is the decimal mark for comma locales. A value that is not such a number is
    unreadable (the row is rejected, as a non-numeric value). Numeric columns as
    :func:`parse_number`.

    Plain values take a short path: digits only (and, for decimal-point locales, a plain
    decimal) are cast directly; the others are cleaned with regular expressions.
    """
    if col.type().is_numeric():
        return parse_number(col)
    text = clean_text(col)
    ws = text_rules().ws_class
    group = ",'" + _GROUP_SPACES if mark == "." else ".'" + _GROUP_SPACES
    g = "[" + group + "]"
    dec = "[.]" if mark == "." else ","
    shape = f"^[+-]?([0-9]{{1,3}}({g}[0-9]{{3}})+|[0-9]+)({dec}[0-9]*)?$|^[+-]?{dec}[0-9]+$"
    bare = text.re_replace(_currency_symbols(), "")
    bare = bare.re_replace(f"^{ws}+|{ws}+$", "")
    bare = bare.re_replace(f"^[A-Za-z]{{3}}{ws}*|{ws}*[A-Za-z]{{3}}$", "")
    ok_general = bare.re_search(shape) & (bare.length() <= 40)
    digits = bare.re_replace(g, "")
    number_text = digits.replace(",", ".") if mark == "," else digits
    plain = text.re_search(_NUMBER if mark == "." else "^[+-]?[0-9]+$") & (text.length() <= 30)
    value = ibis.cases(
        (plain, text),
        (ok_general, number_text),
        else_=ibis.null(),
    ).cast("float64")
    readable = plain | ok_general
    return ParsedNumber(value, (text.notnull() & ~readable).fill_null(False))


#: Characters a sample never shows as they are (control characters become "?").
_CONTROL: Final = "[\x01-\x1f\x7f]"
SAMPLE_CHARS: Final = 24


def redacted(col: ir.Value, *, pii: bool) -> ir.StringValue:
    """A short sample of a rejected value, safe to print and store (issue 9 §5, EVT-9).

    Personal data (emails, phones) keeps only its first two characters and the shape of an
    email (``jo…@…``; ``…`` alone for values of four characters or fewer); other values are
    cut to :data:`SAMPLE_CHARS` characters. Control characters become ``?``.
    """
    text = as_text(col)
    if pii:
        shown = ibis.cases((text.length() > 4, text.substr(0, 2)), else_="")
        tail = ibis.cases((text.contains("@"), "…@…"), else_="…")
        result: ir.StringValue = shown.re_replace(_CONTROL, "?").concat(tail)
        return result
    cut = text.substr(0, SAMPLE_CHARS).re_replace(_CONTROL, "?")
    result = ibis.cases((text.length() > SAMPLE_CHARS, cut.concat("…")), else_=cut)
    return result
