"""Column types of the store: one word per type, rendered to SQL and to Arrow.

Types are chosen so that sums are exact on every engine: counts are ``BIGINT``, money is
``DECIMAL(18, 2)`` in the account currency, the other units (percent, ratio, seconds)
``DECIMAL(18, 4)``; IDs are text (they can exceed 2^53); timestamps are UTC; ``stat_date`` is a
``DATE`` in the advertiser's time zone (``advertisers.timezone``). The numeric types are the units
of :mod:`tokops.vocabulary`, so a metric's column type is its unit. The events ledger adds the
narrow types it is written in by the million: numeric batch IDs, event times as Unix seconds, small
integers and a bit set of flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal

from tokops.vocabulary import Unit

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SCALES", "SQL_TYPES", "ColumnType", "arrow_type"]

ColumnType = (
    Literal[
        "id",
        "int_id",
        "text",
        "date",
        "timestamp",
        "local_timestamp",
        "epoch_seconds",
        "bool",
        "integer",
        "flags",
        "json",
    ]
    | Unit
)
"""A unit of :data:`tokops.vocabulary.Unit` or a plain type. ``timestamp`` is a UTC instant;
``local_timestamp`` a wall-clock time in the advertiser's time zone with no zone attached
(``stat_time_hour``: shifting it to UTC would change its day); ``epoch_seconds`` a UTC instant as
whole seconds since 1970 (an event's time as sent to TikTok). ``int_id`` is a numeric ID
(``BIGINT``), ``integer`` a whole number far below 2^31 (attempts, an API answer code) and
``flags`` a set of up to 15 yes/no flags packed as bits (``SMALLINT``)."""

#: Digits after the decimal point of the decimal types (values are rounded half-even to them).
SCALES: Final[Mapping[ColumnType, int]] = {"money": 2, "percent": 4, "ratio": 4, "seconds": 4}

SQL_TYPES: Final[Mapping[ColumnType, str]] = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "local_timestamp": "TIMESTAMP",
    "epoch_seconds": "BIGINT",
    "count": "BIGINT",
    "int_id": "BIGINT",
    "integer": "INTEGER",
    "flags": "SMALLINT",
    "bool": "BOOLEAN",
    "json": "VARCHAR",
    **{kind: f"DECIMAL(18, {scale})" for kind, scale in SCALES.items()},
}


def arrow_type(kind: ColumnType) -> pa.DataType:
    """The Arrow type batches of a *kind* column are built with."""
    import pyarrow as pa

    if kind in ("id", "text", "json"):
        return pa.string()
    if kind == "date":
        return pa.date32()
    if kind == "timestamp":
        return pa.timestamp("us", tz="UTC")
    if kind == "local_timestamp":
        return pa.timestamp("us")
    if kind in ("count", "int_id", "epoch_seconds"):
        return pa.int64()
    if kind == "integer":
        return pa.int32()
    if kind == "flags":
        return pa.int16()
    if kind == "bool":
        return pa.bool_()
    return pa.decimal128(18, SCALES[kind])
