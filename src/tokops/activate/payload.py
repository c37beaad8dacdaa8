"""Events API JSON, built by the engine next to the data (spec §1.3–1.5; EVT-1).

Each prepared row gets its event as JSON text in the same engine query that normalises and
validates it: ``to_json`` quotes and escapes strings and lists, numbers are rendered by the
engine, and ``concat_ws`` joins only the fields that are present (it skips NULLs, so absent
fields are omitted, never sent as ``null`` or ``""``). DuckDB and PostgreSQL produce the same
text (tested). The engine does this in parallel and in C++, so Python never builds or
serialises an event: it only slices the ``_json`` column's buffer into request bodies
(:meth:`EncodedEvents.joined`) for :func:`tokops.tiktok.events.build_track_body`. (Per-row
dict building and ``orjson.dumps`` cost ~8 s of interpreter time per million events, more than
everything else of a sync together.)

Shapes (strings everywhere TikTok wants strings: ``event_id``, ``order_id``, ``content_ids``):

- ``user``: ``email``, ``phone``, ``external_id`` (SHA-256 hex); web also ``ttclid``, ``ttp``,
  ``ip``, ``user_agent``, ``locale``.
- ``properties``: ``value`` (number; 0 is sent), ``currency``, ``content_type`` (``product`` by
  default when there are content ids), ``num_items``, ``order_id``, ``content_ids`` (list).
- ``page`` (web): ``url``, ``referrer``. ``lead`` (crm): ``lead_id``, ``lead_event_source``.

Each event's text ends with a comma, so the events ``[lo, hi)`` of a batch are one contiguous
slice of the column's data buffer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import ibis
import orjson

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = ["EncodedEvents", "event_json", "match_flags", "with_event_json"]

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
    boolean column *only* is false). Built in two projections: each group's fields, then the
    event around them."""
    names = set(t.columns)

    def value(key: str) -> Any:
        col = t[key]
        if key in _NUMERIC:
            return col.cast("string")
        if key in _HEX:
            return ibis.literal('"').concat(col, '"')
        return store.to_json(col)

    def field(key: str) -> Any:
        return ibis.literal(f'"{key}":').concat(value(key))

    inner: dict[str, Any] = {}
    for name, keys in _GROUPS_CRM:
        parts = [field(k) for k in keys if k in names]
        if name == "properties" and "content_ids" in names and "content_type" not in names:
            parts.append(ibis.cases((t.content_ids.notnull(), '"content_type":"product"')))
        if parts:
            inner[f"__g_{name}"] = ibis.literal(",").join(parts)  # CONCAT_WS skips NULLs
    staged = t.mutate(**inner)
    # One CONCAT_WS('', …) assembles the event (it skips NULLs, i.e. the empty groups): a single
    # call copies each piece once, where a chain of ``||`` re-copies the growing text per piece.
    pieces: list[Any] = [
        '{"event":',
        value("event"),
        ',"event_time":',
        value("event_time"),
        ',"event_id":',
        value("event_id"),
    ]
    for name, _ in _GROUPS_CRM:
        col = f"__g_{name}"
        if col in staged.columns:
            wrapped = ibis.literal("").join([f',"{name}":{{', staged[col], "}"])
            pieces.append(ibis.cases((staged[col] != "", wrapped), else_=ibis.null("string")))
    pieces.append("},")
    text = ibis.literal("").join(pieces)
    if only is not None:
        text = ibis.cases((staged[only], text), else_=None)
    temps = list(inner)
    return staged.mutate(_json=text).drop(*temps)


def event_json(store: Store, t: ir.Table) -> ir.StringValue:
    """The ``_json`` expression alone (for small queries and tests)."""
    result: ir.StringValue = with_event_json(store, t)["_json"]
    return result


class EncodedEvents:
    """Serialised events (an Arrow string array, each element ``{…},``)."""

    def __init__(self, array: pa.Array | pa.ChunkedArray) -> None:
        import pyarrow as pa

        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        self._array: Any = array

    def __len__(self) -> int:
        return len(self._array)

    @staticmethod
    def concat(parts: Sequence[EncodedEvents]) -> EncodedEvents:
        import pyarrow as pa

        if len(parts) == 1:
            return parts[0]
        return EncodedEvents(pa.concat_arrays([p._array for p in parts]))

    def slice(self, start: int, stop: int) -> EncodedEvents:
        return EncodedEvents(self._array.slice(start, stop - start))

    def joined(self, start: int = 0, stop: int | None = None) -> bytes:
        """Events ``[start, stop)`` as ``{…},{…}`` (one copy of the bytes, no parsing)."""
        import numpy as np
        import pyarrow as pa

        stop = len(self._array) if stop is None else stop
        if stop <= start:
            return b""
        arr = self._array
        _, offsets_buf, data = arr.buffers()
        width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
        offsets = np.frombuffer(offsets_buf, dtype=width, count=arr.offset + len(arr) + 1)
        lo, hi = int(offsets[arr.offset + start]), int(offsets[arr.offset + stop])
        return memoryview(data)[lo : hi - 1].tobytes()  # without the last trailing comma

    def event(self, index: int) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.joined(index, index + 1))
        return loaded

    def to_list(self) -> list[bytes]:
        return [self.joined(i, i + 1) for i in range(len(self))]


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
