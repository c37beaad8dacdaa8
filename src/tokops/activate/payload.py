"""Events API JSON, built by the engine next to the data (spec §1.3–1.5; EVT-1).

The event's wire shape is declared once, with the client, in :mod:`tokops.tiktok.events_wire`
(fields, nesting, JSON types, hashed keys); this module turns that declaration into an engine
expression. Each prepared row gets its event as JSON text in the same engine query that
normalises and validates it: ``to_json`` quotes and escapes strings and lists, numbers are
rendered by the engine, and one ``concat`` joins only the fields that are present (it skips
NULLs, so absent fields are omitted, never sent as ``null`` or ``""``). DuckDB, PostgreSQL and
the client's Python encoder (:func:`tokops.tiktok.events.encode_event`) produce the same text
(tested). The engine does this in parallel and in C++, so Python never builds or serialises an
event: it only slices the ``_json`` column's buffer into request bodies
(:meth:`EncodedEvents.views`) for :meth:`tokops.tiktok.events.EventsClient.body`. (Per-row
dict building and ``orjson.dumps`` cost ~8 s of interpreter time per million events, more than
everything else of a sync together.)

``content_ids`` may arrive as a list column or as its JSON text already (see
:func:`tokops.activate.prepare.content_ids_json`). Each event's text ends with a comma, so the
events ``[lo, hi)`` of a batch are one contiguous slice of the column's data buffer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ibis
import orjson

from tokops.tiktok.events_wire import EVENT_GROUPS, EVENT_HEAD, MATCH_KEYS, WireField, WireGroup

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = ["EncodedEvents", "event_json", "match_flags", "match_keys", "with_event_json"]


def with_event_json(store: Store, t: ir.Table, *, only: str | None = None) -> ir.Table:
    """*t* plus ``_json``: each row's event as JSON text followed by a comma (NULL where the
    boolean column *only* is false).

    The whole text is one ``concat`` call, which skips NULL parts: each field is a key piece and
    a value piece, both NULL when the value is absent; the key piece carries the comma when an
    earlier field of its group is present, and a group's opening and closing pieces are there
    when any of its fields is. (Building each group first and the event around them copied every
    value two more times: 5.5 s instead of 3.2 s of one engine thread per million events.)"""
    pieces: list[Any] = []
    for i, field in enumerate(EVENT_HEAD):
        pieces += [("{" if i == 0 else ",") + f'"{field.name}":', _value(store, t, field)]
    for group in EVENT_GROUPS:
        pieces += _group_pieces(store, t, group)
    pieces.append("},")
    text = store.concat(*pieces)
    if only is not None:
        text = ibis.cases((t[only], text), else_=ibis.null("string"))
    return t.mutate(_json=text)


def _group_pieces(store: Store, t: ir.Table, group: WireGroup) -> list[Any]:
    """The pieces of one group (``,"user":{…}``) over the fields *t* has; none without any."""
    names = set(t.columns)
    fields: list[tuple[str, Any, Any, bool]] = [  # (key, present, value, hashed)
        (f.name, t[f.name].notnull(), _value(store, t, f), f.hashed)
        for f in group.fields
        if f.name in names
    ]
    for default in group.defaults:
        if default.when in names and default.field not in names:
            present = t[default.when].notnull()
            literal = ibis.cases((present, orjson.dumps(default.value).decode()), else_=None)
            fields.append((default.field, present, literal.cast("string"), False))
    if not fields:
        return []
    body: list[Any] = []
    earlier: Any = None  # whether a field before this one is present
    for key, present, value, hashed in fields:
        quote = '"' if hashed else ""  # hex needs no escaping: quoted by separate pieces
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
    opening = ibis.cases((earlier, f',"{group.name}":{{'), else_=ibis.null("string"))
    closing = ibis.cases((earlier, "}"), else_=ibis.null("string"))
    return [opening, *body, closing]


def _value(store: Store, t: ir.Table, field: WireField) -> Any:
    """A field's JSON value text (NULL when absent); hex hashes are quoted by separate pieces."""
    col = t[field.name]
    if field.type == "string_list" and col.type().is_string():
        return col  # already the JSON text of the list (see prepare.content_ids_json)
    if field.type in ("integer", "number"):
        return col.cast("string")
    if field.hashed:
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
    """``has_email`` … ``has_ip_ua`` for the ledger (which of the declared
    :data:`~tokops.tiktok.events_wire.MATCH_KEYS` a row carries), as engine expressions over a
    prepared table, so the keys themselves never need to reach Python."""

    def present(names: tuple[str, ...]) -> ir.BooleanValue:
        if not all(name in t.columns for name in names):
            return ibis.literal(False)
        result: ir.BooleanValue = ibis.literal(True)
        for name in names:
            result = result & t[name].notnull()
        return result

    return {f"has_{key.name}": present(key.fields) for key in MATCH_KEYS}
