"""DuckDB, the embedded default engine: a database file (or memory) in this process.

What sets it apart: a fatal error invalidates the whole database instance (every connection of
it), a stream's memory is a per-connection setting, Arrow data is appended and merged in place
(no staging table), and DuckDB runs its own CSV and Parquet scans.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import WarehouseError
from tokops.warehouse._duckdb import CompatConnection, raw_connection
from tokops.warehouse.engines.base import EngineAdapter, Instance
from tokops.warehouse.engines.builtins import builtin
from tokops.warehouse.merge_sql import (
    MergeRequest,
    MergeResult,
    Scope,
    delete_sql,
    insert_sql,
    upsert_sql,
    with_seq,
)
from tokops.warehouse.quoting import quote_ident, temp_name
from tokops.warehouse.urls import duckdb_database
from tokops.warehouse.user_sql import check_duckdb_query

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = ["RUN_CHECKPOINT_THRESHOLD", "STREAM_HEADROOM_MB", "DuckDBAdapter"]

STREAM_HEADROOM_MB: Final = 64
"""Inside :meth:`DuckDBAdapter.streaming` on a database file, the instance's memory is the
stream's budget plus this much for the other connections' commits and the checkpoints."""
RUN_CHECKPOINT_THRESHOLD: Final = "1TB"
"""DuckDB's checkpoint threshold inside :meth:`DuckDBAdapter.streaming`: no automatic checkpoint
while a run streams (the run checkpoints when the stream closes)."""


def _in_memory(url: str) -> bool:
    path = url.split("://", 1)[1] if "://" in url else ""
    return path in ("", ":memory:") or path.startswith(":memory:")


class DuckDBAdapter(EngineAdapter):
    name = "duckdb"
    param_mark = "?"
    byte_length_function = "strlen"
    trim_function = "trim"
    builtin_schema = "main"
    single_writer = True

    def __init__(self, con: Any, url: str, instance: Instance | None = None) -> None:
        super().__init__(con, url, instance)
        self._column_cache: dict[str, list[str]] = {}

    @classmethod
    def database(cls, url: str, label: str) -> str | None:
        return duckdb_database(url, label)

    @classmethod
    def open(cls, target: str, url: str) -> DuckDBAdapter:
        import duckdb
        import ibis

        raw = duckdb.connect(target)
        # DuckDB draws a progress bar on stdout for long queries: it would land in `--json`
        # output (seen under load). Cursors made by fork() inherit the setting.
        raw.execute("SET enable_progress_bar = false").fetchall()
        return cls(ibis.duckdb.from_connection(CompatConnection(raw)), url)

    def fork(self) -> DuckDBAdapter:
        """A cursor of the same instance: it shares the instance's health."""
        import ibis

        cursor = CompatConnection(raw_connection(self.con).cursor())
        return type(self)(ibis.duckdb.from_connection(cursor), self.url, self.instance)

    def is_fatal(self, exc: BaseException) -> bool:
        if type(exc).__name__ == "FatalException":
            return True
        return "database has been invalidated" in str(exc)

    def rollback_after(self, raw: Any, cause: BaseException) -> None:
        """Roll back after *cause*, unless the instance is dead or nothing is open (a failed
        COMMIT has ended the transaction); a failing rollback never replaces *cause*."""
        self.failed(cause)
        if self.instance.fatal is not None:
            return
        try:
            raw.execute("ROLLBACK").fetchall()
        except Exception as exc:  # noqa: BLE001 - e.g. "no transaction is active"
            self.failed(exc)

    # -- statements -----------------------------------------------------------------------
    def run(self, statement: str, params: Sequence[Any] | None = None) -> None:
        raw = raw_connection(self.con)
        raw.execute(statement, list(params) if params is not None else None)
        raw.fetchall()

    def check_query(self, query: str) -> None:
        check_duckdb_query(raw_connection(self.con), query)

    def _transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Each statement's first value (DuckDB reports a DML's row count as its result)."""
        out: list[Any] = []
        raw = raw_connection(self.con)
        raw.execute("BEGIN TRANSACTION").fetchall()
        try:
            for sql, params in statements:
                rows = raw.execute(sql, list(params) or None).fetchall()
                out.append(rows[0][0] if rows and rows[0] else None)
            raw.execute("COMMIT").fetchall()
        except BaseException as exc:
            self.rollback_after(raw, exc)  # never masks exc, never touches a dead instance
            raise
        return out

    def insert_many(self, tables: Sequence[tuple[str, pa.Table]]) -> None:
        target = tables[0][0]
        try:
            raw = raw_connection(self.con)
            if len(tables) == 1:
                self._append(raw, *tables[0])
                return
            raw.execute("BEGIN TRANSACTION").fetchall()
            try:
                for name, table in tables:
                    target = name
                    self._append(raw, name, table)
                target = "the store (commit)"
                raw.execute("COMMIT").fetchall()
            except BaseException as exc:
                self.rollback_after(raw, exc)
                raise
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"insert into {target} failed: {self.failed(exc)}") from None

    def _append(self, raw: Any, name: str, table: pa.Table) -> None:
        target = self._columns(name)
        if list(table.column_names) != target and set(table.column_names) <= set(target):
            table = _aligned(table, target, self.con.get_schema(name))
        if list(table.column_names) == target:
            try:
                raw.from_arrow(table).insert_into(quote_ident(name))  # one statement
                return
            except Exception as exc:  # noqa: BLE001 - e.g. the table changed since cached
                self.failed(exc)
                if self.instance.fatal is not None:
                    raise
                self._column_cache.pop(name, None)
        cols = ", ".join(quote_ident(c) for c in table.column_names)
        view = temp_name("tokops_insert")
        raw.register(view, table)
        try:
            raw.execute(
                f"INSERT INTO {quote_ident(name)} ({cols}) SELECT {cols} FROM {quote_ident(view)}"
            )
        finally:
            raw.unregister(view)

    def _columns(self, name: str) -> list[str]:
        cached = self._column_cache.get(name)
        if cached is None:
            cached = self._column_cache[name] = list(self.con.get_schema(name).names)
        return cached

    def forget_columns(self, name: str) -> None:
        self._column_cache.pop(name, None)

    def merge(self, request: MergeRequest) -> MergeResult:
        """DuckDB scans the Arrow data in place: no staging table, and the two checks that
        decide the SQL (duplicate keys, rows outside the scope) run on the Arrow data."""
        import pyarrow as pa

        table, key, scope = request.table, request.key, request.scope
        parts = [
            pa.Table.from_batches([b]) if isinstance(b, pa.RecordBatch) else b
            for b in request.batches
        ]
        parts = [p for p in parts if p.num_rows]
        data = pa.concat_tables(parts) if parts else None
        raw = raw_connection(self.con)
        view = temp_name("tokops_merge")
        statements: list[tuple[str, Sequence[Any]]] = []
        if data is not None:
            cols = list(data.column_names)
            dedupe = _has_duplicates(data, key)
            if dedupe:
                data = with_seq(data, 0)
            by_key = scope is None or not _inside(data, scope)
            delete, params = delete_sql(table, view if by_key else None, key, scope, "?")
            statements.append((delete, params))
            names = ", ".join(quote_ident(c) for c in cols)
            plain = (
                f"INSERT INTO {quote_ident(table)} ({names}) SELECT {names} "
                f"FROM {quote_ident(view)}"
            )
            statements.append((insert_sql(table, view, cols, key) if dedupe else plain, []))
            raw.register(view, data)
        else:
            delete, params = delete_sql(table, None, key, scope, "?")
            statements.append((delete, params))
        for upsert in request.also:
            statements += upsert_sql(upsert, "?")
        try:
            counts = self.run_transaction(statements)
        finally:
            if data is not None and self.instance.fatal is None:  # a dead instance is left
                raw.unregister(view)
        inserted = int(counts[1] or 0) if data is not None else 0
        return MergeResult(inserted, int(counts[0] or 0))

    # -- reading --------------------------------------------------------------------------
    def _compile(self, expr: ir.Expr) -> str:
        self.con._run_pre_execute_hooks(expr)  # registers in-memory tables (ibis.memtable)
        return str(self.con.compile(expr))

    def fetch(self, expr: ir.Expr) -> pa.Table:
        return raw_connection(self.con).sql(self._compile(expr)).to_arrow_table()

    def reader(self, expr: ir.Table, batch_size: int) -> Any:
        sql = self._compile(expr)
        return raw_connection(self.con).sql(sql).to_arrow_reader(batch_size)

    def checkpoint_statement(self) -> str | None:
        return None if _in_memory(self.url) else "CHECKPOINT"

    @contextmanager
    def streaming(self, memory_mb: int) -> Iterator[None]:
        """The query's intermediates (hash tables, sorts) on this connection get at most
        *memory_mb* (``operator_memory_limit``; more spills to disk) and the engine buffers at
        most a quarter of that ahead of the reader (``streaming_buffer_size``). Both are
        settings of this connection only, so the stream cannot take the memory the other
        connections need. In a database file, the instance's memory (caches included; what is
        not pinned is evicted) is that budget plus :data:`STREAM_HEADROOM_MB` for the other
        connections' commits and checkpoints, and no automatic checkpoint runs inside the block
        (one triggered by a commit would compete with the stream, and a checkpoint that fails
        invalidates the database): the writers own their checkpoints and the block ends with
        one. These two are instance-wide: enter the block before forking the connections that
        work inside it, never while others are in use. Previous settings are restored on exit;
        a failure while restoring never hides the error that ended the block."""
        self.check()
        buffer_mb = max(1, int(memory_mb) // 4)
        local = {
            "operator_memory_limit": f"{int(memory_mb)}MiB",
            "streaming_buffer_size": f"{buffer_mb}MiB",
        }
        if not _in_memory(self.url):  # instance-wide: see above
            total = int(memory_mb) + buffer_mb + STREAM_HEADROOM_MB
            local["memory_limit"] = f"{total}MiB"
            local["checkpoint_threshold"] = RUN_CHECKPOINT_THRESHOLD
        raw = raw_connection(self.con)
        old: dict[str, Any] = {}
        try:
            for name, value in local.items():
                query = f"SELECT current_setting('{name}')"
                old[name] = raw.execute(query).fetchone()[0]
                raw.execute(f"SET {name} = '{value}'").fetchall()
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"cannot prepare the stream: {self.failed(exc)}") from None
        failed = True
        try:
            yield
            failed = False
        finally:
            self._restore(raw, old, quiet=failed)

    def _restore(self, raw: Any, old: dict[str, Any], *, quiet: bool) -> None:
        """End of :meth:`streaming`: settings back, then one checkpoint (a file database)."""
        if self.instance.fatal is not None:
            return  # never touch an invalidated instance
        try:
            for name, value in old.items():
                # RESET first: a default shown rounded ("18.8 GiB") is restored exactly
                raw.execute(f"RESET {name}").fetchall()
                now = raw.execute(f"SELECT current_setting('{name}')").fetchone()[0]
                if value is not None and now != value:
                    raw.execute(f"SET {name} = ?", [str(value)]).fetchall()
            if "checkpoint_threshold" in old:
                raw.execute("CHECKPOINT").fetchall()
        except Exception as exc:  # noqa: BLE001
            text = self.failed(exc)
            if not quiet:  # the error that ended the block is the one to report
                raise WarehouseError(f"cannot close the stream: {text}") from None

    def scan_file(self, scan: str, name: str, *, view: bool) -> Any:
        duck = raw_connection(self.con)
        kind = "VIEW" if view else "TABLE"
        duck.execute(f"CREATE TEMPORARY {kind} {quote_ident(name)} AS {scan}").fetchall()
        return duck

    # -- builtin functions ----------------------------------------------------------------
    def sha256_hex(self, expr: ir.StringValue) -> ir.StringValue:
        return expr.hexdigest("sha256")

    def ascii_lower(self, expr: ir.StringValue) -> ir.StringValue:
        return expr.lower()  # utf8proc: locale-free

    def ascii_upper(self, expr: ir.StringValue) -> ir.StringValue:
        return expr.upper()

    def epoch_seconds(self, expr: ir.TimestampValue) -> ir.IntegerValue:
        seconds: ir.FloatingValue = builtin("epoch", "float64")(expr)
        return seconds.floor().cast("int64")


def _aligned(table: pa.Table, target: list[str], schema: Any) -> pa.Table:
    """*table* with the target's column order, absent columns as typed NULLs."""
    import pyarrow as pa

    arrow = schema.to_pyarrow()
    columns = [
        table.column(c)
        if c in table.column_names
        else pa.nulls(table.num_rows, arrow.field(c).type)
        for c in target
    ]
    return pa.Table.from_arrays(columns, names=target)


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
