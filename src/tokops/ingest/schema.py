"""How the store's tables are described: one declarative place, rendered to SQL and to docs.

A :class:`Table` names its columns with a :data:`ColumnType`, its **grain** (what one row is),
its **key** (the columns that identify a row; merges replace by key) and, for daily tables, the
window column and scope the incremental sync replaces (``stat_date`` per advertiser). Every
table becomes a :class:`~tokops.warehouse.merge.TableSpec` for the store (with comments, so any
SQL tool shows them), an Arrow schema for the batches, and a section of ``docs/schema.md``
(:func:`render_markdown`; a test keeps the file up to date).

Column types are chosen so that sums are exact on every engine: counts are ``BIGINT``, money is
``DECIMAL(18, 2)`` in the account currency, other non-integral values ``DECIMAL(18, 4)``; IDs are
text (they can exceed 2^53); timestamps are UTC; ``stat_date`` is a ``DATE`` in the advertiser's
time zone (``advertisers.timezone``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from tokops.warehouse.merge import ColumnSpec, TableSpec

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "SQL_TYPES",
    "Column",
    "ColumnType",
    "Table",
    "render_markdown",
]

ColumnType = Literal[
    "id",
    "text",
    "date",
    "timestamp",
    "local_timestamp",
    "count",
    "money",
    "decimal",
    "bool",
    "json",
]
"""``timestamp`` is a UTC instant; ``local_timestamp`` a wall-clock time in the advertiser's time
zone with no zone attached (``stat_time_hour``: shifting it to UTC would change its day)."""

SQL_TYPES: Final[Mapping[ColumnType, str]] = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "local_timestamp": "TIMESTAMP",
    "count": "BIGINT",
    "money": "DECIMAL(18, 2)",
    "decimal": "DECIMAL(18, 4)",
    "bool": "BOOLEAN",
    "json": "VARCHAR",
}
#: Digits after the decimal point of the decimal types (values are rounded half-even to them).
SCALES: Final[Mapping[ColumnType, int]] = {"money": 2, "decimal": 4}


def arrow_type(kind: ColumnType) -> pa.DataType:
    import pyarrow as pa

    if kind in ("id", "text", "json"):
        return pa.string()
    if kind == "date":
        return pa.date32()
    if kind == "timestamp":
        return pa.timestamp("us", tz="UTC")
    if kind == "local_timestamp":
        return pa.timestamp("us")
    if kind == "count":
        return pa.int64()
    if kind == "bool":
        return pa.bool_()
    return pa.decimal128(18, SCALES[kind])


@dataclass(frozen=True)
class Column:
    """One column: its name (the API field name for metrics), type and meaning."""

    name: str
    type: ColumnType
    doc: str = ""
    additive: bool | None = None
    """Metrics only: True when summing over days, ads or segments is meaningful. ``reach``,
    ``frequency`` and averages are not additive (they are stored per row as the API returns
    them and must not be summed)."""

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
    group: str = "ads"
    """Section of the docs: ``ads``, ``organic``, ``shop`` or ``sync``."""
    window: str | None = None
    """Daily tables: the date column an incremental sync replaces window by window."""
    scope: tuple[str, ...] = field(default_factory=tuple)
    """Daily tables: the columns (besides the window) that bound a replaced window."""

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
        comment = f"{self.doc} Grain: {self.grain}. Key: {', '.join(self.key)}."
        return TableSpec(
            self.name,
            tuple(ColumnSpec(c.name, c.sql_type, c.comment()) for c in self.columns),
            comment,
        )

    def arrow_schema(self, names: Iterable[str] | None = None) -> pa.Schema:
        import pyarrow as pa

        wanted = self.names if names is None else tuple(names)
        return pa.schema([pa.field(n, arrow_type(self.column(n).type)) for n in wanted])


_PREAMBLE = """\
# The store's schema

Generated from `src/tokops/ingest/tables.py` by `tokops.ingest.render_schema_doc()`; a test fails
when this file is out of date. Every table and column also carries these descriptions as SQL
comments, so any SQL tool (DuckDB CLI, `psql \\d+`, DBeaver …) shows them.

Conventions:

- **IDs** are text (`VARCHAR`): TikTok IDs can exceed 2^53 and must never go through a float.
- **Money** is `DECIMAL(18, 2)` in the **ad account's currency** (`advertisers.currency`, repeated
  as `currency` on report rows). Never add amounts of different currencies.
- **Counts** are `BIGINT`; other non-integral values (ratios, seconds) are `DECIMAL(18, 4)`.
  `NULL` means TikTok returned `"-"` (not available), which is not the same as `0`.
- **`stat_date` is a day in the advertiser's own time zone** (`advertisers.timezone`), exactly
  as TikTok reports it; it is never shifted to UTC. Two advertisers' `stat_date` = 2024-05-01
  cover different UTC hours. `stat_time_hour` is likewise a local wall-clock hour (`TIMESTAMP`
  without time zone). Other timestamps (`*_time`, `synced_at`, `taken_at`) are UTC.
- **Derived ratios are not stored**: CTR, CPC, CPM, CVR, cost per result and ROAS are computed
  from sums at the grain asked for (Σ numerator / Σ denominator), never averaged.
- **Not additive** (marked below): `reach`, `frequency` and averages are stored per row as the
  API returns them and must not be summed over days, ads or segments. Account-level reach per
  day is in `advertiser_daily`.
- **Restatement**: conversions keep changing for days after the fact. Every sync re-pulls a
  look-back window (7 days by default) and replaces those days, so re-runs add no rows and
  correct restated ones.
"""

_GROUPS: Final = (
    ("ads", "Ads: accounts, objects and daily reports"),
    ("shop", "Shop: stores, GMV Max, products and orders"),
    ("organic", "Organic: accounts and posts"),
    ("sync", "Sync bookkeeping"),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(tables: Iterable[Table]) -> str:
    """``docs/schema.md``: conventions, then one section per table."""
    tables = list(tables)
    out = [_PREAMBLE]
    for group, title in _GROUPS:
        members = [t for t in tables if t.group == group]
        if not members:
            continue
        out.append(f"\n## {title}\n")
        for table in members:
            out.append(f"\n### `{table.name}`\n\n{table.doc}\n")
            out.append(f"\n- **Grain**: {table.grain}")
            out.append(f"\n- **Key**: {', '.join(f'`{k}`' for k in table.key)}")
            if table.window:
                scope = ", ".join(f"`{s}`" for s in table.scope)
                out.append(f"\n- **Incremental**: replaced per {scope} and `{table.window}` window")
            out.append("\n\n| column | type | description |\n|---|---|---|\n")
            for col in table.columns:
                desc = col.doc
                if col.additive is False:
                    desc = f"{desc} **Not additive.**".strip()
                out.append(f"| `{col.name}` | {col.sql_type} | {_cell(desc)} |\n")
    return "".join(out)
