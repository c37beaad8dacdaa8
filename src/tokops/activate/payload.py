"""Events API JSON, built by the engine next to the data (spec §1.3–1.5; EVT-1).

Each prepared row gets its event as JSON text in the same engine query that normalises and
validates it: ``to_json`` quotes and escapes strings and lists, numbers are rendered by the
engine, and one ``concat`` joins only the fields that are present (it skips NULLs, so absent
fields are omitted, never sent as ``null`` or ``""``). DuckDB and PostgreSQL produce the same
text (tested). The engine does this in parallel and in C++, so Python never builds or
serialises an event: it only slices the ``_json`` column's buffer into request bodies
(:meth:`EncodedEvents.views`) for :func:`tokops.tiktok.events.build_track_body`. (Per-row
dict building and ``orjson.dumps`` cost ~8 s of interpreter time per million events, more than
everything else of a sync together.)

Shapes (strings everywhere TikTok wants strings: ``event_id``, ``order_id``, ``content_ids``):

- ``user``: ``email``, ``phone``, ``external_id`` (SHA-256 hex); web also ``ttclid``, ``ttp``,
  ``ip``, ``user_agent``, ``locale``.
- ``properties``: ``value`` (number; 0 is sent), ``currency``, ``content_type`` (``product`` by
  default when there are content ids), ``num_items``, ``order_id``, ``content_ids`` (a list, or
  its JSON text).
- ``page`` (web): ``url``, ``referrer``. ``lead`` (crm): ``lead_id``, ``lead_event_source``.

Each event's text ends with a comma, so the events ``[lo, hi)`` of a batch are one contiguous
slice of the column's data buffer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import ibis
import orjson

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = ["EncodedEvents", "event_json", "match_flags", "match_keys", "with_event_json"]

USER_KEYS: Final = ("email", "phone", "external_id", "ttclid", "ttp", "ip", "user_agent", "locale")
PROPERTY_KEYS: Final = (
    "value",
    "currency",
    "content_type",
    "num_items",
    "order_id",
    "content_ids",
)
PAGE_KEYS: Final = ("url", "referrer")
LEAD_KEYS: Final = ("lead_id", "lead_event_source")
_NUMERIC: Final = frozenset({"value", "num_items", "event_time"})


#: Columns that only ever hold lowercase hex (SHA-256): quoted without the JSON escaper.
_HEX: Final = frozenset({"email", "phone", "external_id"})
_GROUPS: Final = (("user", USER_KEYS), ("properties", PROPERTY_KEYS), ("page", PAGE_KEYS))
_GROUPS_CRM: Final = (*_GROUPS, ("lead", LEAD_KEYS))


def with_event_json(store: Store, t: ir.Table, *, only: str | None = None) -> ir.Table:
    """*t* plus ``_json``: each row's event as JSON text followed by a comma (NULL where the
    boolean column *only* is false).

    The whole text is one ``concat`` call, which skips NULL parts: each field is a key piece and
    a value piece, both NULL when the value is absent; the key piece carries the comma when an
    earlier field of its group is present, and a group's opening and closing pieces are there
    when any of its fields is. (Building each group first and the event around them copied every
    value two more times: 5.5 s instead of 3.2 s of one engine thread per million events.)"""
    names = set(t.columns)
    pieces: list[Any] = [
        '{"event":',
        _value(store, t, "event"),
        ',"event_time":',
        _value(store, t, "event_time"),
        ',"event_id":',
        _value(store, t, "event_id"),
    ]
    for group, keys in _GROUPS_CRM:
        fields: list[tuple[str, Any, Any]] = []  # (key, present, value pieces)
        for key in keys:
            if key in names:
                fields.append((key, t[key].notnull(), _value(store, t, key)))
        if group == "properties" and "content_ids" in names and "content_type" not in names:
            fields.append(("content_type", t.content_ids.notnull(), '"product"'))
        if not fields:
            continue
        body: list[Any] = []
        earlier: Any = None  # whether a field before this one is present
        for key, present, value in fields:
            quote = '"' if key in _HEX else ""
            head = f'"{key}":{quote}'
            if earlier is None:
                body.append(ibis.cases((present, head), else_=ibis.null("string")))
            else:
                body.append(
                    ibis.cases((~present, ibis.null("string")), (earlier, "," + head), else_=head)
                )
            body.append(value)
            if quote:
                body.append(ibis.cases((present, quote), else_=ibis.null("string")))
            earlier = present if earlier is None else earlier | present
        pieces.append(ibis.cases((earlier, f',"{group}":{{'), else_=ibis.null("string")))
        pieces += body
        pieces.append(ibis.cases((earlier, "}"), else_=ibis.null("string")))
    pieces.append("},")
    text = store.concat(*pieces)
    if only is not None:
        text = ibis.cases((t[only], text), else_=ibis.null("string"))
    return t.mutate(_json=text)


def _value(store: Store, t: ir.Table, key: str) -> Any:
    """A field's JSON value text (NULL when absent); hex hashes are quoted by separate pieces."""
    col = t[key]
    if key == "content_ids" and col.type().is_string():
        return col  # already the JSON text of the list (see prepare.content_ids_json)
    if key in _NUMERIC:
        return col.cast("string")
    if key in _HEX:
        return col
    return store.to_json(col)


def event_json(store: Store, t: ir.Table) -> ir.StringValue:
    """The ``_json`` expression alone (for small queries and tests)."""
    result: ir.StringValue = with_event_json(store, t)["_json"]
    return result


class EncodedEvents:
    """Serialised events (Arrow string chunks, each element ``{…},``). Concatenating and
    slicing never copy the text: a request's body is gathered from the chunks it spans."""

    def __init__(self, array: pa.Array | pa.ChunkedArray) -> None:
        import pyarrow as pa

        chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
        self._chunks: list[Any] = [c for c in chunks if len(c)]
        self._len = sum(len(c) for c in self._chunks)

    def __len__(self) -> int:
        return self._len

    @staticmethod
    def concat(parts: Sequence[EncodedEvents]) -> EncodedEvents:
        import pyarrow as pa

        if len(parts) == 1:
            return parts[0]
        chunks = [c for p in parts for c in p._chunks]
        return EncodedEvents(pa.chunked_array(chunks, type=pa.string()))

    def slice(self, start: int, stop: int) -> EncodedEvents:
        import pyarrow as pa

        whole = pa.chunked_array(self._chunks, type=pa.string())
        return EncodedEvents(whole.slice(start, max(0, stop - start)))

    def views(self, start: int = 0, stop: int | None = None) -> list[memoryview]:
        """Events ``[start, stop)`` as runs ``{…},{…}``, one per chunk they span: views of the
        column's buffers (no copy, no parsing; they keep the buffers alive)."""
        import numpy as np
        import pyarrow as pa

        stop = self._len if stop is None else stop
        out: list[memoryview] = []
        base = 0
        for arr in self._chunks:
            lo_i, hi_i = max(start - base, 0), min(stop - base, len(arr))
            base += len(arr)
            if lo_i >= hi_i:
                continue
            _, offsets_buf, data = arr.buffers()
            width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
            offsets = np.frombuffer(offsets_buf, dtype=width, count=arr.offset + len(arr) + 1)
            lo, hi = int(offsets[arr.offset + lo_i]), int(offsets[arr.offset + hi_i])
            out.append(memoryview(data)[lo : hi - 1])  # without the run's trailing comma
        return out

    def joined(self, start: int = 0, stop: int | None = None) -> bytes:
        """Events ``[start, stop)`` as ``{…},{…}`` (one copy of :meth:`views`)."""
        return b",".join(self.views(start, stop))

    def event(self, index: int) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.joined(index, index + 1))
        return loaded

    def to_list(self) -> list[bytes]:
        return [self.joined(i, i + 1) for i in range(len(self))]


def match_keys(t: ir.Table, bits: Mapping[str, int]) -> ir.IntegerValue:
    """The :func:`match_flags` of each row as one bit set (``bits``: the bit of each flag), so
    the ledger stores one small integer instead of six booleans."""
    total: Any = ibis.literal(0)
    for name, flag in match_flags(t).items():
        total = total + ibis.cases((flag, bits[name]), else_=0)
    result: ir.IntegerValue = total.cast("int16")
    return result


def match_flags(t: ir.Table) -> dict[str, ir.BooleanValue]:
    """``has_email`` … ``has_ip_ua`` for the ledger (which match keys a row carries), as engine
    expressions over a prepared table, so the keys themselves never need to reach Python."""

    def present(*names: str) -> ir.BooleanValue:
        if not all(name in t.columns for name in names):
            return ibis.literal(False)
        result: ir.BooleanValue = ibis.literal(True)
        for name in names:
            result = result & t[name].notnull()
        return result

    return {
        "has_email": present("email"),
        "has_phone": present("phone"),
        "has_external_id": present("external_id"),
        "has_ttclid": present("ttclid"),
        "has_ttp": present("ttp"),
        "has_ip_ua": present("ip", "user_agent"),
    }
