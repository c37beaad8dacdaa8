"""Declared tables and idempotent merges of Arrow batches, the same on DuckDB and PostgreSQL.

Two operations, both in **one transaction** so a crash leaves either the old rows or the new ones:

- :func:`declare_table` creates a table from a neutral :class:`TableSpec` (column names, SQL types
  both engines accept, comments) and adds the columns a newer spec has; the comments go into the
  database (``COMMENT ON``) so any SQL tool shows them.
- :func:`merge_batches` stages Arrow batches in a temporary table, then deletes every target row
  whose key is staged **or** that lies inside a :class:`Scope` (an advertiser and a date window:
  rows the source no longer returns disappear too), then inserts the staged rows, keeping the last
  one when a key is staged twice. Extra single-row upserts (:class:`RowUpsert`, e.g. a sync
  checkpoint) are written in the same transaction, so a checkpoint never outlives its data.

Delete-then-insert is used on both engines instead of ``MERGE``: it is portable, it also removes
rows that vanished from the source, and the keys are documented rather than enforced (no index to
maintain on a bulk load). Values always travel as Arrow data or bound parameters, never as SQL
text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import WarehouseError
from tokops.warehouse._duckdb import raw_connection
from tokops.warehouse.store import Store, quote_ident

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ColumnSpec",
    "MergeResult",
    "RowUpsert",
    "Scope",
    "TableSpec",
    "declare_table",
    "merge_batches",
    "run_transaction",
    "table_columns",
    "write_rows",
]

SEQ: Final = "_tokops_seq"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    sql_type: str
    """A type both engines accept: VARCHAR, DATE, BIGINT, BOOLEAN, DECIMAL(p, s),
    TIMESTAMP WITH TIME ZONE."""
    comment: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    comment: str = ""


@dataclass(frozen=True)
class Scope:
    """Target rows a merge replaces: ``equals`` on some columns and an inclusive ``between``."""

    equals: Mapping[str, Any] = field(default_factory=dict)
    between: tuple[str, Any, Any] | None = None

    def clause(self, mark: str) -> tuple[str, list[Any]]:
        parts = [f"{quote_ident(k)} = {mark}" for k in self.equals]
        params = list(self.equals.values())
        if self.between is not None:
            col, lo, hi = self.between
            parts.append(f"{quote_ident(col)} BETWEEN {mark} AND {mark}")
            params += [lo, hi]
        if not parts:
            raise WarehouseError("a merge scope needs at least one condition")
        return " AND ".join(parts), params


@dataclass(frozen=True)
class RowUpsert:
    """One row written (replacing the row with the same key) in a merge's transaction."""

    table: str
    key: tuple[str, ...]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class MergeResult:
    inserted: int
    """Rows now in the target for what was staged (duplicates of a key counted once)."""
    deleted: int
    """Rows removed first: replaced keys plus rows of the scope the source no longer has."""


def table_columns(store: Store, name: str) -> list[str]:
    """Column names of an existing table (empty when it does not exist)."""
    if not store.exists(name):
        return []
    return list(store.con.table(name).schema().names)


def declare_table(store: Store, spec: TableSpec) -> bool:
    """Create *spec* if missing, add columns it lacks, comment it; True when created."""
    existing = table_columns(store, spec.name)
    statements: list[str] = []
    created = not existing
    if created:
        cols = ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in spec.columns)
        statements.append(f"CREATE TABLE IF NOT EXISTS {quote_ident(spec.name)} ({cols})")
    added = [c for c in spec.columns if existing and c.name not in existing]
    for col in added:
        statements.append(
            f"ALTER TABLE {quote_ident(spec.name)} ADD COLUMN {quote_ident(col.name)} "
            f"{col.sql_type}"
        )
    if created or added:
        statements += _comments(spec, spec.columns if created else tuple(added), created)
    if statements:
        run_transaction(store, [(s, []) for s in statements])
    return created


def _comments(spec: TableSpec, cols: Sequence[ColumnSpec], table_too: bool) -> list[str]:
    def lit(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    out = []
    if table_too and spec.comment:
        out.append(f"COMMENT ON TABLE {quote_ident(spec.name)} IS {lit(spec.comment)}")
    for col in cols:
        if col.comment:
            out.append(
                f"COMMENT ON COLUMN {quote_ident(spec.name)}.{quote_ident(col.name)} "
                f"IS {lit(col.comment)}"
            )
    return out


def merge_batches(
    store: Store,
    table: str,
    batches: Iterable[pa.RecordBatch | pa.Table],
    *,
    key: Sequence[str],
    scope: Scope | None = None,
    also: Sequence[RowUpsert] = (),
) -> MergeResult:
    """Replace *table*'s rows by the staged ones (see the module doc); one transaction."""
    if not key:
        raise WarehouseError(f"merge into {table}: a key is required")
    store.guard()
    try:
        if store.engine == "duckdb":
            return _merge_duckdb(store, table, batches, key, scope, also)
        return _merge_postgres(store, table, batches, key, scope, also)
    except WarehouseError:
        raise
    except Exception as exc:  # noqa: BLE001 - every driver raises its own types
        raise WarehouseError(f"merge into {table} failed: {store.engine_error(exc)}") from None


# -- SQL shared by both engines --------------------------------------------------------------
def _delete_sql(
    table: str, staging: str | None, key: Sequence[str], scope: Scope | None, mark: str
) -> tuple[str, list[Any]]:
    conds: list[str] = []
    params: list[Any] = []
    if scope is not None:
        clause, params = scope.clause(mark)
        conds.append(f"({clause})")
    if staging is not None:
        match = " AND ".join(f"s.{quote_ident(k)} = t.{quote_ident(k)}" for k in key)
        conds.append(f"EXISTS (SELECT 1 FROM {quote_ident(staging)} AS s WHERE {match})")
    where = " OR ".join(conds) if conds else "FALSE"
    return f"DELETE FROM {quote_ident(table)} AS t WHERE {where}", params


def _outside_sql(staging: str, scope: Scope, mark: str) -> tuple[str, list[Any]]:
    """Counts staged rows outside *scope*: when there are none, deleting the scope is enough
    (no key lookup against the whole target)."""
    clause, params = scope.clause(mark)
    return f"SELECT count(*) FROM {quote_ident(staging)} WHERE ({clause}) IS NOT TRUE", params


def _insert_sql(table: str, staging: str, cols: Sequence[str], key: Sequence[str]) -> str:
    names = ", ".join(quote_ident(c) for c in cols)
    part = ", ".join(quote_ident(k) for k in key)
    return (
        f"INSERT INTO {quote_ident(table)} ({names}) SELECT {names} FROM ("
        f"SELECT {names}, row_number() OVER (PARTITION BY {part} ORDER BY {quote_ident(SEQ)} DESC)"
        f" AS _tokops_rn FROM {quote_ident(staging)}) AS d WHERE _tokops_rn = 1"
    )


def _upsert_sql(upsert: RowUpsert, mark: str) -> list[tuple[str, list[Any]]]:
    where = " AND ".join(f"{quote_ident(k)} = {mark}" for k in upsert.key)
    cols = list(upsert.values)
    names = ", ".join(quote_ident(c) for c in cols)
    marks = ", ".join(mark for _ in cols)
    return [
        (
            f"DELETE FROM {quote_ident(upsert.table)} WHERE {where}",
            [upsert.values[k] for k in upsert.key],
        ),
        (
            f"INSERT INTO {quote_ident(upsert.table)} ({names}) VALUES ({marks})",
            list(upsert.values.values()),
        ),
    ]


def _with_seq(batch: pa.RecordBatch | pa.Table, start: int) -> pa.Table:
    import pyarrow as pa

    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    seq = pa.array(range(start, start + table.num_rows), pa.int64())
    return table.append_column(SEQ, seq)


# -- DuckDB ------------------------------------------------------------------------------------
def run_transaction(store: Store, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
    """Run SQL statements (engine dialect, bound parameters) in one transaction; returns what
    each returned first (DuckDB) or its row count (PostgreSQL). Raises WarehouseError."""
    out: list[Any] = []
    store.guard()
    try:
        if store.engine == "duckdb":
            raw = raw_connection(store.con)
            raw.execute("BEGIN TRANSACTION").fetchall()
            try:
                for sql, params in statements:
                    rows = raw.execute(sql, list(params) or None).fetchall()
                    out.append(rows[0][0] if rows and rows[0] else None)
                raw.execute("COMMIT").fetchall()
            except BaseException as exc:
                store.rollback_after(raw, exc)  # never masks exc, never touches a dead instance
                raise
        else:
            pg = store.con.con
            with pg.transaction(), pg.cursor() as cur:
                for sql, params in statements:
                    cur.execute(sql, list(params) or None)
                    out.append(cur.rowcount)
    except Exception as exc:  # noqa: BLE001
        raise WarehouseError(f"statement failed: {store.engine_error(exc)}") from None
    return out


def _merge_duckdb(
    store: Store,
    table: str,
    batches: Iterable[pa.RecordBatch | pa.Table],
    key: Sequence[str],
    scope: Scope | None,
    also: Sequence[RowUpsert],
) -> MergeResult:
    """DuckDB scans the Arrow data in place: no staging table, and the two checks that decide
    the SQL (duplicate keys, rows outside the scope) run on the Arrow data."""
    import pyarrow as pa

    parts = [b if isinstance(b, pa.Table) else pa.Table.from_batches([b]) for b in batches]
    parts = [p for p in parts if p.num_rows]
    data = pa.concat_tables(parts) if parts else None
    raw = raw_connection(store.con)
    view = store.temp_name("tokops_merge")
    statements: list[tuple[str, Sequence[Any]]] = []
    if data is not None:
        cols = list(data.column_names)
        dedupe = _has_duplicates(data, key)
        if dedupe:
            data = _with_seq(data, 0)
        by_key = scope is None or not _inside(data, scope)
        delete, params = _delete_sql(table, view if by_key else None, key, scope, "?")
        statements.append((delete, params))
        names = ", ".join(quote_ident(c) for c in cols)
        plain = (
            f"INSERT INTO {quote_ident(table)} ({names}) SELECT {names} FROM {quote_ident(view)}"
        )
        statements.append((_insert_sql(table, view, cols, key) if dedupe else plain, []))
        raw.register(view, data)
    else:
        delete, params = _delete_sql(table, None, key, scope, "?")
        statements.append((delete, params))
    for upsert in also:
        statements += _upsert_sql(upsert, "?")
    try:
        counts = run_transaction(store, statements)
    finally:
        if data is not None and store.usable:  # a dead instance is not touched again
            raw.unregister(view)
    inserted = int(counts[1] or 0) if data is not None else 0
    return MergeResult(inserted, int(counts[0] or 0))


def _has_duplicates(data: pa.Table, key: Sequence[str]) -> bool:
    if data.num_rows < 2:
        return False
    distinct = int(data.group_by(list(key)).aggregate([]).num_rows)
    return distinct != int(data.num_rows)


def _inside(data: pa.Table, scope: Scope) -> bool:
    """True when every row lies inside *scope* (then deleting the scope replaces them all)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    conds: list[tuple[str, str, Any]] = [(c, "equal", v) for c, v in scope.equals.items()]
    if scope.between is not None:
        col, lo, hi = scope.between
        conds += [(col, "greater_equal", lo), (col, "less_equal", hi)]
    mask = None
    for col, op, value in conds:
        if col not in data.column_names or value is None:
            return False
        try:
            scalar = pa.scalar(value, data.schema.field(col).type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return False
        cond = pc.call_function(op, [data[col], scalar])
        mask = cond if mask is None else pc.and_(mask, cond)
    return mask is not None and bool(pc.all(pc.fill_null(mask, False)).as_py())


# -- PostgreSQL --------------------------------------------------------------------------------
def _merge_postgres(
    store: Store,
    table: str,
    batches: Iterable[pa.RecordBatch | pa.Table],
    key: Sequence[str],
    scope: Scope | None,
    also: Sequence[RowUpsert],
) -> MergeResult:
    pg = store.con.con
    staging = store.temp_name("tokops_stage")
    cols: list[str] = []
    staged = 0
    with pg.transaction(), pg.cursor() as cur:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            data = _with_seq(batch, staged)
            if not cols:
                cols = [c for c in data.column_names if c != SEQ]
                names = ", ".join(quote_ident(c) for c in cols)
                cur.execute(
                    f"CREATE TEMPORARY TABLE {quote_ident(staging)} ON COMMIT DROP AS "
                    f"SELECT {names} FROM {quote_ident(table)} WHERE FALSE"
                )
                cur.execute(f"ALTER TABLE {quote_ident(staging)} ADD COLUMN {SEQ} BIGINT")
            names = ", ".join(quote_ident(c) for c in [*cols, SEQ])
            rows = zip(*(data.column(c).to_pylist() for c in [*cols, SEQ]), strict=True)
            with cur.copy(f"COPY {quote_ident(staging)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            staged += data.num_rows
        by_key = bool(cols)
        if cols and scope is not None:
            sql, params = _outside_sql(staging, scope, "%s")
            cur.execute(sql, params)
            found = cur.fetchone()
            by_key = bool(found and found[0])
        delete, params = _delete_sql(table, staging if by_key else None, key, scope, "%s")
        cur.execute(delete, params or None)
        deleted = cur.rowcount
        inserted = 0
        if cols:
            cur.execute(_insert_sql(table, staging, cols, key))
            inserted = cur.rowcount
        for upsert in also:
            for sql, values in _upsert_sql(upsert, "%s"):
                cur.execute(sql, values)
    return MergeResult(max(inserted, 0), max(deleted, 0))


def write_rows(store: Store, rows: Sequence[RowUpsert]) -> None:
    """Upsert single rows (bookkeeping such as a run record) in one transaction."""
    mark = store.param_mark
    statements: list[tuple[str, Sequence[Any]]] = []
    for row in rows:
        statements += _upsert_sql(row, mark)
    if statements:
        run_transaction(store, statements)
