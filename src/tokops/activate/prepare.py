"""The one engine query of a sync: map, normalise, hash, validate, derive ids, flag duplicates.

Everything per row happens in the store's engine (DuckDB, PostgreSQL …) as one Ibis expression;
Python only streams its result in Arrow batches. Output columns (only those the mapping feeds and
the event source uses are present):

==================  ==========================================================================
``event``           event name (trimmed)
``event_time``      unix seconds (int64)
``event_id``        given, else ``order_id``, else derived (see below)
``email`` …         ``email``, ``phone``, ``external_id``: SHA-256 hex; ``ip``, ``user_agent``,
                    ``ttclid``, ``ttp``, ``locale``, ``url``, ``referrer`` as text (web only)
``value`` …         ``value`` (float64), ``currency`` (upper case), ``content_ids`` (the
                    JSON text of the list), ``content_type``, ``num_items`` (int64), ``order_id``
``lead_id`` …       ``lead_id``, ``lead_event_source`` (crm only)
``_json``           the event as Events API JSON text plus a comma (valid rows not sent
                    before; see :mod:`.payload`)
``_reason``         why the row is invalid (NULL when valid)
``_sample``         a redacted sample of the value the reason is about (see
                    :func:`.normalize.redacted`; NULL for valid rows)
``_note``           why a kept row lost a field (``phone dropped: invalid``: an unusable
                    phone next to another match key is dropped, the event kept), else NULL
``_already``        a valid row whose (event, event_id) the ledger already shows as sent
``_dupkey``         a valid row whose (event, event_id) may occur more than once in the
                    source (a 64-bit hash of it does; the sync checks the exact key)
==================  ==========================================================================

**Declared formats** (issue 9 §5): the mapping's ``[formats]`` say how text times are written
(a style or a strptime pattern), which zone times without one are in (else the workspace's
``[events] timezone``, else UTC) and which locale amounts use (``$1,234.50``, ``19,99 €``); see
:mod:`.formats`. A web row without a URL column can take ``url`` from ``[constants]``.

**Derived event_id** (EVT-7): when a row has no ``event_id`` and no ``order_id``, its id is
``sha256("tokops:v1|" + event + "|" + event_time + "|" + email_hash + "|" + phone_hash + "|" +
external_id_hash)`` (absent hashes as empty strings), lowercase hex. It depends only on the
normalised values, so it is the same on every run and every engine, whatever the input format of
the time (ISO string, unix seconds or milliseconds) — re-runs deduplicate.

**Already sent** (BYD-4): anti-join in the engine against ``events_ledger`` rows with
``status = 'sent'`` for the same ``event_source_id`` and the same stream (live rows have no
``test_event_code``; a test run only matches rows of the same test code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import ibis

from tokops.activate.formats import compile_time_format, decimal_mark, window, zone_offsets
from tokops.activate.ledger import LEDGER_TABLE, sent_rows
from tokops.activate.mapping import FieldMapping
from tokops.activate.normalize import (
    KeyKind,
    add_event_time,
    add_formatted_time,
    add_hashed_key,
    as_text,
    ascii_strip,
    clean_text,
    is_blank,
    parse_money,
    parse_number,
    redacted,
    strip_chars,
)
from tokops.activate.payload import with_event_json
from tokops.activate.validate import Checks, first_reason
from tokops.tiktok.events import STANDARD_EVENTS, SUPPORTED_CURRENCIES
from tokops.tiktok.events_wire import HASHED_KEYS, fields_for

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = [
    "DERIVED_ID_PREFIX",
    "FIELDS_BY_SOURCE",
    "OFFLINE_MAX_AGE_DAYS",
    "PrepareOptions",
    "prepare",
]

EventSourceName = Literal["web", "offline", "crm"]
DERIVED_ID_PREFIX: Final = "tokops:v1"
OFFLINE_MAX_AGE_DAYS: Final = 28
KEY_SEPARATOR: Final = "\x1f"

#: Which fields each event source sends (declared with the client: spec §1.3–1.4); other
#: mapped columns are ignored.
FIELDS_BY_SOURCE: Final[dict[str, frozenset[str]]] = {
    source: fields_for(source) for source in ("web", "offline", "crm")
}
#: Long free-text fields: only spaces are trimmed (the engine's fast ``trim``).
_LONG_TEXT: Final = ("ip", "user_agent", "ttclid", "ttp", "locale", "url", "referrer")
#: Short text fields: ASCII whitespace is trimmed.
_PLAIN_TEXT: Final = (
    "order_id",
    "content_type",
    "lead_id",
    "lead_event_source",
)


@dataclass(frozen=True)
class PrepareOptions:
    event_source: EventSourceName
    event_source_id: str
    now: int
    """Unix seconds used as "now" for the time window (injectable for tests)."""
    max_age_days: int
    phone_region: str = "US"
    test_event_code: str | None = None
    future_skew_s: int = 300
    """How far in the future an event time may be (clock skew between systems)."""
    ledger_table: str | None = LEDGER_TABLE
    """The ledger to anti-join with (None: nothing was sent before)."""
    keep: tuple[str, ...] = ()
    """Source columns carried through unchanged as ``_keep_<name>`` (diagnostics, tests)."""
    timezone: str | None = None
    """Zone of times written without one when the mapping names none (None: UTC)."""


#: The note on a sent event whose phone could not be used (another match key remained).
PHONE_DROPPED: Final = "phone dropped: invalid"
#: Which source field a reason's sample shows, and whether it is personal data.
_SAMPLED: Final = (
    ("bad_time", "event_time", False),
    ("future_time", "event_time", False),
    ("too_old", "event_time", False),
    ("not_standard_event", "event", False),
    ("bad_email", "email", True),
    ("bad_phone", "phone", True),
    ("bad_value", "value", False),
    ("negative_value", "value", False),
    ("bad_currency", "currency", False),
    ("bad_num_items", "num_items", False),
)


def time_zone(mapping: FieldMapping, opts: PrepareOptions) -> str:
    """The zone times without one are read in: the mapping's, else the workspace's, else UTC."""
    return mapping.timezone or opts.timezone or "UTC"


def _add_time(
    store: Store, t: ir.Table, out: str, raw: Any, mapping: FieldMapping, opts: PrepareOptions
) -> ir.Table:
    """*t* plus ``out`` (unix seconds) read with the mapping's time format and zone; the same
    steps for the full pipeline and the light keys, so both give the same times."""
    zone = time_zone(mapping, opts)
    max_age = max(opts.max_age_days, OFFLINE_MAX_AGE_DAYS)
    offsets = None if zone == "UTC" else zone_offsets(zone, *window(opts.now, max_age))
    fmt = compile_time_format(mapping.event_time_format) if mapping.event_time_format else None
    if fmt is not None:
        return add_formatted_time(store, t, out, raw, fmt, offsets)
    return add_event_time(store, t, out, raw, offsets)


def _hashed_keys(raws: dict[str, Any]) -> list[KeyKind]:
    """The hashed match keys the source feeds (the wire declaration's names are the
    normaliser's kinds)."""
    return [cast("KeyKind", key) for key in HASHED_KEYS if key in raws]


def _raw(t: ir.Table, mapping: FieldMapping, name: str) -> ir.Value | None:
    if name in mapping.columns:
        return t[mapping.columns[name]]
    if name in mapping.constants:
        return ibis.literal(mapping.constants[name])
    return None


def prepare(
    store: Store, source: ir.Table, mapping: FieldMapping, opts: PrepareOptions
) -> ir.Table:
    """The prepared, validated and flagged rows of *source* (see the module docstring).

    The expression is built in projections (stages) so each intermediate value is computed once.
    """
    wanted = FIELDS_BY_SOURCE[opts.event_source]
    raws = {
        name: col for name in sorted(wanted) if (col := _raw(source, mapping, name)) is not None
    }
    # stage 0: only the inputs the sync uses (renamed, so user column names never clash)
    kept = {f"_keep_{c}": source[c] for c in opts.keep}
    t = source.select(**{f"__raw_{k}": v for k, v in raws.items()}, **kept)
    inputs = _Inputs(frozenset(raws), _hashed_keys(raws))
    t = _with_time_and_keys(store, t, inputs, mapping, opts)  # stage 1
    t = _with_fields(store, t, inputs, mapping)  # stage 2
    prepared = _validated(store, t, inputs, opts)  # stage 3
    flagged = _flag(store, prepared, _light_keys(store, source, mapping, opts), opts)
    # the event text only for the rows that may be sent (a re-run skips what was sent before)
    to_send = flagged.mutate(__send=flagged._reason.isnull() & ~flagged._already)
    return with_event_json(store, to_send, only="__send").drop("__send")


@dataclass(frozen=True)
class _Inputs:
    """Which fields the source feeds (as ``__raw_<name>`` columns of stage 0)."""

    names: frozenset[str]
    hashed: list[KeyKind]
    """The hashed match keys among them."""

    def __contains__(self, name: object) -> bool:
        return name in self.names

    @property
    def sampled(self) -> list[str]:
        """The fields whose offending value a reason's sample shows."""
        return sorted({f for _, f, _ in _SAMPLED if f in self.names})


def _with_time_and_keys(
    store: Store, t: ir.Table, inputs: _Inputs, mapping: FieldMapping, opts: PrepareOptions
) -> ir.Table:
    """Stage 1: the event time and the hashed match keys (each staged internally)."""
    if "event_time" in inputs:
        t = _add_time(store, t, "event_time", t["__raw_event_time"], mapping, opts)
    for key in inputs.hashed:
        t = add_hashed_key(store, t, key, t[f"__raw_{key}"], key, region=opts.phone_region)
    return t


def _with_fields(store: Store, t: ir.Table, inputs: _Inputs, mapping: FieldMapping) -> ir.Table:
    """Stage 2: the other fields, cleaned; drops the raw inputs."""

    def raw(name: str) -> Any:
        return t[f"__raw_{name}"]

    fields: dict[str, Any] = {
        "event": clean_text(raw("event")) if "event" in inputs else ibis.null().cast("string"),
        "__time_blank": is_blank(raw("event_time")) if "event_time" in inputs else True,
    }
    if "event_time" not in inputs:
        fields["event_time"] = ibis.null().cast("int64")
    fields |= {name: clean_text(raw(name)) for name in _PLAIN_TEXT if name in inputs}
    fields |= {
        name: store.trim_spaces(as_text(raw(name))).nullif("")
        for name in _LONG_TEXT
        if name in inputs
    }
    if "event_id" in inputs:
        fields["__given_event_id"] = clean_text(raw("event_id"))
    fields |= _number_fields(t, inputs, mapping)
    if "currency" in inputs:
        fields["currency"] = store.ascii_upper(clean_text(raw("currency")))
    if "content_ids" in inputs:
        fields["content_ids"] = content_ids_json(store, raw("content_ids"))
    for name in inputs.sampled:  # the offending value, for one redacted sample per reason
        fields[f"__sample_{name}"] = raw(name)
    keep = [c for c in t.columns if not c.startswith("__raw_")]
    return t.select(*keep, **fields)


def _number_fields(t: ir.Table, inputs: _Inputs, mapping: FieldMapping) -> dict[str, Any]:
    """``value`` (in the mapping's amount locale) and ``num_items``, each with whether the
    text was unreadable."""
    fields: dict[str, Any] = {}
    if "value" in inputs:
        raw, locale = t["__raw_value"], mapping.value_locale
        value = parse_money(raw, decimal_mark(locale)) if locale else parse_number(raw)
        fields["value"] = value.value
        fields["__value_bad"] = value.unreadable
    if "num_items" in inputs:
        items = parse_number(t["__raw_num_items"])
        fields["__items"] = items.value
        fields["__items_bad"] = items.unreadable
    return fields


@dataclass(frozen=True)
class _RowChecks:
    """Stage 3's per-row checks beyond the always-present ones (see :class:`.validate.Checks`)."""

    checks: dict[str, Any]
    """Check name → a boolean expression, true when the row fails it."""
    note: Any
    """Why a kept row lost a field (NULL when it did not)."""
    extra: dict[str, Any]
    """Fields whose final value depends on a check (``num_items``)."""


def _validated(store: Store, t: ir.Table, inputs: _Inputs, opts: PrepareOptions) -> ir.Table:
    """Stage 3: ``event_id``, the checks, ``_reason``, ``_note`` and ``_sample``."""
    given = [t[c] for c in ("__given_event_id", "order_id") if c in t.columns]
    derived = _derived_id(store, t.event, t.event_time, {k: t[k] for k in inputs.hashed})
    event_id = ibis.coalesce(*given, derived) if given else derived
    row = _row_checks(t, inputs, opts.event_source)
    max_age = OFFLINE_MAX_AGE_DAYS if opts.event_source == "offline" else opts.max_age_days
    reason = first_reason(
        Checks(
            missing_event=t.event.isnull(),
            missing_time=t["__time_blank"],
            bad_time=t.event_time.isnull(),
            future_time=t.event_time > opts.now + opts.future_skew_s,
            too_old=t.event_time < opts.now - max_age * 86400,
            max_age_days=max_age,
            **row.checks,
        )
    )
    outputs = [c for c in t.columns if not c.startswith("__") and not c.endswith("__invalid")]
    samples = [f"__sample_{name}" for name in inputs.sampled]
    # (``_keep_*`` columns pass through every stage and land in the output)
    prepared = t.select(
        *outputs,
        *samples,
        **row.extra,
        event_id=event_id,
        _reason=reason,
        _note=row.note,
    )
    return prepared.mutate(_sample=_sample(prepared, inputs.sampled, max_age)).drop(*samples)


def _row_checks(t: ir.Table, inputs: _Inputs, event_source: str) -> _RowChecks:
    """The checks of the fields the source feeds, in the order of :class:`.validate.Checks`."""
    checks: dict[str, Any] = {}
    if event_source == "offline":
        checks["not_standard_event"] = ~t.event.isin(sorted(STANDARD_EVENTS))
    if "email" in inputs.hashed:
        checks["bad_email"] = t["email__invalid"]
    note: Any = ibis.null().cast("string")
    if "phone" in inputs.hashed:
        # an unusable phone is dropped when another match key remains (the event is kept)
        other = _other_keys(t, [k for k in inputs.hashed if k != "phone"], event_source)
        checks["bad_phone"] = t["phone__invalid"] & ~other
        note = ibis.cases((t["phone__invalid"] & other, PHONE_DROPPED), else_=ibis.null())
    checks |= _value_checks(t, inputs)
    extra: dict[str, Any] = {}
    if "num_items" in inputs:
        whole = (t["__items"].floor() == t["__items"]) & (t["__items"] >= 0)
        checks["bad_num_items"] = t["__items_bad"] | (t["__items"].notnull() & ~whole)
        extra["num_items"] = ibis.cases((whole, t["__items"]), else_=ibis.null()).cast("int64")
    checks |= _source_checks(t, inputs, event_source)
    return _RowChecks(checks, note, extra)


def _value_checks(t: ir.Table, inputs: _Inputs) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    if "value" in inputs:
        checks["bad_value"] = t["__value_bad"]
        checks["negative_value"] = t.value < 0
    if "currency" in inputs:
        supported = sorted(SUPPORTED_CURRENCIES)
        checks["bad_currency"] = t.currency.notnull() & ~t.currency.isin(supported)
    return checks


def _source_checks(t: ir.Table, inputs: _Inputs, event_source: str) -> dict[str, Any]:
    """What an event source requires: a URL (web), a lead id (crm), a match key (offline)."""
    if event_source == "web":
        return {"web_without_url": t.url.isnull() if "url" in inputs else ibis.literal(True)}
    if event_source == "crm":
        lead = t.lead_id.isnull() if "lead_id" in inputs else ibis.literal(True)
        return {"crm_without_lead": lead}
    no_key: Any = ibis.literal(True)
    for key in inputs.hashed:
        no_key = no_key & t[key].isnull()
    return {"offline_without_key": no_key}


def _other_keys(t: ir.Table, hashed: list[str], event_source: str) -> ir.BooleanValue:
    """Whether a row has a usable match key besides its phone (for web also ttclid, ttp, or
    IP with user agent)."""
    present: Any = ibis.literal(False)
    for key in hashed:
        present = present | t[key].notnull()
    if event_source == "web":
        for key in ("ttclid", "ttp"):
            if key in t.columns:
                present = present | t[key].notnull()
        if "ip" in t.columns and "user_agent" in t.columns:
            present = present | (t.ip.notnull() & t.user_agent.notnull())
    result: ir.BooleanValue = present.fill_null(False)
    return result


def _sample(t: ir.Table, sampled: list[str], max_age: int) -> ir.StringValue:
    """A redacted sample of the value that made the row invalid (NULL for valid rows and for
    reasons about a missing value)."""
    from tokops.activate.validate import Reason, reason_text

    branches: list[tuple[Any, Any]] = []
    for check, name, pii in _SAMPLED:
        if name in sampled:
            text = Reason.too_old(max_age) if check == "too_old" else reason_text(check)
            branches.append((t._reason == text, redacted(t[f"__sample_{name}"], pii=pii)))
    if not branches:
        return ibis.null().cast("string")
    result: ir.StringValue = ibis.cases(*branches, else_=ibis.null()).cast("string")
    return result


def _derived_id(
    store: Store, event: Any, event_time: Any, hashes: dict[str, Any]
) -> ir.StringValue:
    parts: list[Any] = [event, "|", event_time.cast("string")]
    for key in ("email", "phone", "external_id"):
        parts += ["|", hashes[key].fill_null("")] if key in hashes else ["|"]
    return store.sha256_hex(ibis.literal(DERIVED_ID_PREFIX + "|").concat(*parts))


#: Content ids written as plain comma-separated tokens (no spaces, quotes or brackets): their
#: JSON array is the text with each comma turned into ``","`` (no list is built).
_PLAIN_IDS: Final = "^[A-Za-z0-9_.:/-]+(,[A-Za-z0-9_.:/-]+)*$"


def content_ids_json(store: Store, col: ir.Value) -> ir.StringValue:
    """The JSON text of :func:`content_id_list` (``["a","b"]``, NULL when there are none),
    without building the list for plain comma-separated text."""
    general: ir.StringValue = store.to_json(content_id_list(col))
    if col.type().is_array():
        return general
    text = as_text(col)
    plain = store.concat('["', text.replace(",", '","'), '"]')
    result: ir.StringValue = ibis.cases((text.re_search(_PLAIN_IDS), plain), else_=general)
    return result


def content_id_list(col: ir.Value) -> ir.ArrayValue:
    """Content ids as a list of strings: a list column, or text holding a JSON array
    (``["a","b"]``, also ``['a', 'b']``) or a comma-separated list (``a, b``). Ids cannot
    contain commas in text form. Empty → NULL."""
    if col.type().is_array():
        arr: Any = col.cast("array<string>").map(ascii_strip).filter(lambda e: e != "")
    else:
        text = ascii_strip(as_text(col))
        inner = ibis.cases((text.startswith("["), text.re_replace(r"^\[|\]$", "")), else_=text)
        arr = inner.split(",").map(lambda e: strip_chars(e, " \t'\"")).filter(lambda e: e != "")
    result: ir.ArrayValue = ibis.cases((arr.length() > 0, arr), else_=ibis.null())
    return result


def _light_keys(
    store: Store, source: ir.Table, mapping: FieldMapping, opts: PrepareOptions
) -> ir.Table:
    """``_key`` (event + event_id) of every source row, computed as cheaply as possible.

    Only the event name, the given ids and — for rows without a given id — the time and match
    keys are computed (rows that carry an event_id or order_id skip the hashing steps), with
    the same steps as the full pipeline, so the same values.
    """
    wanted = FIELDS_BY_SOURCE[opts.event_source]
    names = ("event", "event_time", "event_id", "order_id", *HASHED_KEYS)
    raws = {n: c for n in names if n in wanted and (c := _raw(source, mapping, n)) is not None}
    t = source.select(**{f"__raw_{k}": v for k, v in raws.items()})
    given_names = [n for n in ("event_id", "order_id") if n in raws]
    t = t.mutate(
        __event=clean_text(t["__raw_event"]) if "event" in raws else ibis.null().cast("string"),
        **{f"__given_{n}": clean_text(t[f"__raw_{n}"]) for n in given_names},
    )
    given = [t[f"__given_{n}"] for n in given_names]
    t = t.mutate(__has_id=ibis.coalesce(*given).notnull() if given else ibis.literal(False))
    if "event_time" in raws:
        t = _add_time(store, t, "__time", t["__raw_event_time"], mapping, opts)
    hashed = _hashed_keys(raws)
    for key in hashed:
        t = add_hashed_key(
            store,
            t,
            f"__h_{key}",
            t[f"__raw_{key}"],
            key,
            region=opts.phone_region,
            skip="__has_id",
        )
    when = t["__time"] if "event_time" in raws else ibis.null().cast("int64")
    derived = _derived_id(store, t["__event"], when, {k: t[f"__h_{k}"] for k in hashed})
    event_id = ibis.coalesce(*given, derived) if given else derived
    keys: ir.Table = t.select(_key=t["__event"].concat(KEY_SEPARATOR, event_id))
    return keys


def _key(t: ir.Table) -> ir.StringValue:
    result: ir.StringValue = t.event.concat(KEY_SEPARATOR, t.event_id)
    return result


def _flag(store: Store, prepared: ir.Table, light: ir.Table, opts: PrepareOptions) -> ir.Table:
    """Add ``_dupkey`` and ``_already`` (see the module docstring).

    Duplicate groups are found over all rows from :func:`_light_keys` (an aggregate on a hash of
    the key only, so the heavy per-row work is not done twice); which row of a group is sent is
    decided while streaming, on the exact key.
    """
    keyed = prepared.mutate(_key=_key(prepared))
    keyed = keyed.mutate(_key_hash=keyed._key.hash())
    # Groups of a 64-bit hash of the key: an integer is cheaper to group and look up than text,
    # and a collision only flags a row for the exact check made while streaming. (No filter on
    # the key: it would be pushed below the grouping and make the engine compute the key twice.)
    hashed = light.select(_key_hash=light._key.hash())
    dups = hashed.group_by("_key_hash").aggregate(_n=hashed.count()).filter(lambda g: g._n > 1)
    valid = keyed._reason.isnull()
    flags: dict[str, ir.Value] = {
        "_dupkey": (valid & keyed._key_hash.isin(dups._key_hash)).fill_null(False)
    }
    if opts.ledger_table is not None and store.exists(opts.ledger_table):
        sent = sent_rows(store.table(opts.ledger_table), opts.event_source_id, opts.test_event_code)
        sent = sent.filter(sent.event.notnull(), sent.event_id.notnull()).select(_key=_key(sent))
        flags["_already"] = (valid & keyed._key.isin(sent._key)).fill_null(False)
    else:
        flags["_already"] = ibis.literal(False)
    return keyed.mutate(**flags).drop("_key", "_key_hash")
