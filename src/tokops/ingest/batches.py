"""Rows → Arrow record batches typed by a :class:`~tokops.warehouse.schema.Table`.

Rows are gathered column by column and turned into Arrow arrays once per batch; each column is
first handed to Arrow as it is (the client already typed the values: ``int`` counts, ``Decimal``
money, ``None`` for ``"-"``) and only normalised value by value when Arrow refuses it (a
``Decimal`` with more digits than the column keeps, an ID that arrived as a number …). Decimals
are rounded half-even to the column's scale; nothing goes through a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

import orjson

from tokops.warehouse.schema.table import Table
from tokops.warehouse.schema.types import SCALES, ColumnType, arrow_type

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BATCH_ROWS", "BatchBuilder", "normalize", "parse_timestamp"]

BATCH_ROWS: Final = 10_000
_QUANTA: Final = {kind: Decimal(1).scaleb(-scale) for kind, scale in SCALES.items()}


def parse_timestamp(value: Any) -> datetime | None:
    """A UTC datetime from TikTok's ``YYYY-MM-DD HH:MM:SS`` (UTC), epoch seconds or a datetime."""
    if value is None or value == "" or value == "-":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _decimal(value: Any, kind: ColumnType) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        try:
            number = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            return None
    if not number.is_finite():
        return None
    return number.quantize(_QUANTA[kind], rounding=ROUND_HALF_EVEN)


def normalize(kind: ColumnType, value: Any) -> Any:
    """One value made fit for a column of *kind* (``None`` when it cannot be)."""
    if value is None:
        return None
    if kind in ("id", "text"):
        return value if isinstance(value, str) else str(value)
    if kind == "json":
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    if kind == "count":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        number = _decimal(value, "ratio")  # 4 digits, then integral or None
        return int(number) if number is not None and number == number.to_integral() else None
    if kind in SCALES:
        return _decimal(value, kind)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    if kind == "local_timestamp":
        return _local_timestamp(value)
    return parse_timestamp(value)


def _local_timestamp(value: Any) -> datetime | None:
    """A naive wall-clock datetime (``stat_time_hour``); a zone, if any, is dropped, not applied."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(value).strip()[:19])
    except ValueError:
        return None


def _array(values: list[Any], kind: ColumnType) -> pa.Array:
    import pyarrow as pa

    typ = arrow_type(kind)
    if kind not in ("timestamp", "local_timestamp"):  # zones are never guessed: normalise
        try:
            return pa.array(values, typ)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            pass
    return pa.array([normalize(kind, v) for v in values], typ)


class BatchBuilder:
    """Collects row dicts for chosen columns of *table* and hands out record batches.

    ``constants`` are columns with the same value on every row (advertiser, currency, sync
    time); they are added per batch instead of per row.
    """

    def __init__(
        self,
        table: Table,
        columns: Sequence[str],
        *,
        constants: Mapping[str, Any] | None = None,
        size: int = BATCH_ROWS,
    ) -> None:
        self.table = table
        self.constants = dict(constants or {})
        self.columns = [c for c in columns if c not in self.constants]
        self.kinds = {c.name: c.type for c in table.columns}
        unknown = [c for c in [*self.columns, *self.constants] if c not in self.kinds]
        if unknown:
            raise KeyError(f"{table.name} has no column(s) {unknown}")
        self.size = size
        self._data: dict[str, list[Any]] = {c: [] for c in self.columns}
        self._rows = 0
        self.total = 0

    def add(self, row: Mapping[str, Any]) -> pa.RecordBatch | None:
        """Add one row; returns a full batch when one is ready."""
        for name, values in self._data.items():
            values.append(row.get(name))
        self._rows += 1
        return self.flush() if self._rows >= self.size else None

    def flush(self) -> pa.RecordBatch | None:
        """The rows gathered so far as a batch (``None`` when there are none)."""
        import pyarrow as pa

        if not self._rows:
            return None
        n = self._rows
        arrays = [_array(self._data[c], self.kinds[c]) for c in self.columns]
        names = list(self.columns)
        for name, value in self.constants.items():
            kind = self.kinds[name]
            arrays.append(pa.array([normalize(kind, value)] * n, arrow_type(kind)))
            names.append(name)
        self._data = {c: [] for c in self.columns}
        self._rows = 0
        self.total += n
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def build(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[pa.RecordBatch]:
        """Every row of *rows* as batches (the last one may be short)."""
        for row in rows:
            batch = self.add(row)
            if batch is not None:
                yield batch
        last = self.flush()
        if last is not None:
            yield last
