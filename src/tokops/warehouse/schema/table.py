"""How the store's tables are declared: one style for every table the toolkit writes.

A :class:`Table` names its columns with a :data:`~.types.ColumnType`, its **grain** (what one row
is), its **key** (the columns that identify a row; merges replace by key; none for an append-only
record whose rows nothing identifies) and, for daily tables,
the window column and scope the incremental sync replaces (``stat_date`` per advertiser). A
metric column is made from the vocabulary (:meth:`Column.of`), so it carries its unit and
additivity. A table becomes a :class:`~tokops.warehouse.merge.TableSpec` for the store (with
comments, so any SQL tool shows them), an Arrow schema for the batches, and a section of
``docs/schema.md`` (:mod:`.doc`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from tokops.vocabulary import Additivity, Metric
from tokops.warehouse.merge import ColumnSpec, TableSpec
from tokops.warehouse.schema.types import SQL_TYPES, ColumnType, arrow_type

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Column", "Group", "Table"]

Group = Literal["ads", "shop", "organic", "sync", "rollup", "events", "audiences"]
"""Who writes a table (and its section of the docs): the ads, shop and organic syncs, the sync's
own bookkeeping, the roll-ups maintained from the synced tables, or the events and audience
syncs' own records (:mod:`tokops.activate`)."""


@dataclass(frozen=True)
class Column:
    """One column: its name (the API field name for metrics), type and meaning."""

    name: str
    type: ColumnType
    doc: str = ""
    additivity: Additivity | None = None
    """Metrics only (:mod:`tokops.vocabulary`): what a sum over rows means."""

    @classmethod
    def of(cls, metric: Metric) -> Column:
        """The column a metric of the vocabulary is stored in (its unit is its type)."""
        return cls(metric.name, metric.unit, metric.doc, metric.additivity)

    @property
    def additive(self) -> bool | None:
        """Metrics only: True when summing over days, ads or segments is meaningful; ``reach``,
        ``frequency``, averages and lifetime values are stored per row and must not be summed."""
        return None if self.additivity is None else self.additivity == "sum"

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    def comment(self) -> str:
        note = " NOT ADDITIVE: never sum." if self.additive is False else ""
        return f"{self.doc}{note}".strip()


@dataclass(frozen=True)
class Table:
    """A table of the store: columns, grain, key and how the sync writes it."""

    name: str
    doc: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    group: Group = "ads"
    window: str | None = None
    """Daily tables: the date column an incremental sync replaces window by window."""
    scope: tuple[str, ...] = field(default_factory=tuple)
    """Daily tables: the columns (besides the window) that bound a replaced window."""
    view_of: tuple[str, ...] = field(default_factory=tuple)
    """Views: the tables the view reads (it is created by its owner, never from :meth:`spec`)."""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate column")
        missing = [
            k
            for k in (*self.key, *self.scope, *([self.window] if self.window else []))
            if k not in names
        ]
        if missing:
            raise ValueError(f"{self.name}: key/scope columns not declared: {missing}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    def spec(self) -> TableSpec:
        """The neutral description the warehouse creates the table from."""
        if self.view_of:
            raise ValueError(f"{self.name} is a view of {', '.join(self.view_of)}, not a table")
        key = ", ".join(self.key) or "none (append-only)"
        comment = f"{self.doc} Grain: {self.grain}. Key: {key}."
        return TableSpec(
            self.name,
            tuple(ColumnSpec(c.name, c.sql_type, c.comment()) for c in self.columns),
            comment,
        )

    def arrow_schema(self, names: Iterable[str] | None = None) -> pa.Schema:
        import pyarrow as pa

        wanted = self.names if names is None else tuple(names)
        return pa.schema([pa.field(n, arrow_type(self.column(n).type)) for n in wanted])
