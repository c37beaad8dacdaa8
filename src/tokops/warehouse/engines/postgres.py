"""PostgreSQL, the shared server (BYD-2), through Ibis and psycopg.

What sets it apart: statements run in psycopg transactions, Arrow rows travel by ``COPY``, a
merge stages its rows in a temporary table, streams use a server-side cursor (no settings to
change), and the file scans run in an in-process DuckDB (see :mod:`tokops.warehouse.files`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tokops.errors import WarehouseError
from tokops.warehouse.engines.base import EngineAdapter
from tokops.warehouse.merge_sql import (
    SEQ,
    MergeRequest,
    MergeResult,
    delete_sql,
    insert_sql,
    outside_sql,
    upsert_sql,
    with_seq,
)
from tokops.warehouse.quoting import quote_ident, temp_name

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = ["PostgresAdapter"]


class PostgresAdapter(EngineAdapter):
    name = "postgres"
    param_mark = "%s"
    byte_length_function = "octet_length"
    trim_function = "btrim"
    builtin_schema = "pg_catalog"
    single_writer = False

    @classmethod
    def database(cls, url: str, label: str) -> str | None:
        """``postgres://…`` or ``postgresql://…``, as Ibis's ``postgres://`` URL."""
        scheme, _, rest = url.partition("://")
        if scheme.lower() not in ("postgres", "postgresql"):
            return None
        return "postgres://" + rest

    @classmethod
    def open(cls, target: str, url: str) -> PostgresAdapter:
        import ibis

        return cls(ibis.connect(target), url)

    def fork(self) -> PostgresAdapter:
        """A new session of the server."""
        return self.open(self.database(self.url, self.url) or self.url, self.url)

    @property
    def _pg(self) -> Any:
        """The psycopg connection behind the Ibis backend."""
        return self.con.con

    # -- statements -----------------------------------------------------------------------
    def run(self, statement: str, params: Sequence[Any] | None = None) -> None:
        with self._pg.cursor() as cur, self._pg.transaction():
            cur.execute(statement, list(params) if params is not None else None)

    def run_single(self, statement: str) -> None:
        with self._pg.cursor() as cur, self._pg.transaction():
            cur.execute(statement, binary=True)  # extended protocol: one statement

    def _transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        out: list[Any] = []
        with self._pg.transaction(), self._pg.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, list(params) or None)
                out.append(cur.rowcount)
        return out

    def insert_many(self, tables: Sequence[tuple[str, pa.Table]]) -> None:
        target = tables[0][0]
        try:
            with self._pg.cursor() as cur, self._pg.transaction():
                for name, table in tables:
                    target = name
                    _copy(cur, name, table, list(table.column_names))
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"insert into {target} failed: {self.failed(exc)}") from None

    def merge(self, request: MergeRequest) -> MergeResult:
        """The rows go by ``COPY`` into a temporary table dropped at commit; a key staged
        twice keeps its last row."""
        table, key, scope = request.table, request.key, request.scope
        staging = temp_name("tokops_stage")
        cols: list[str] = []
        staged = 0
        with self._pg.transaction(), self._pg.cursor() as cur:
            for batch in request.batches:
                if batch.num_rows == 0:
                    continue
                data = with_seq(batch, staged)
                if not cols:
                    cols = [c for c in data.column_names if c != SEQ]
                    names = ", ".join(quote_ident(c) for c in cols)
                    cur.execute(
                        f"CREATE TEMPORARY TABLE {quote_ident(staging)} ON COMMIT DROP AS "
                        f"SELECT {names} FROM {quote_ident(table)} WHERE FALSE"
                    )
                    cur.execute(f"ALTER TABLE {quote_ident(staging)} ADD COLUMN {SEQ} BIGINT")
                _copy(cur, staging, data, [*cols, SEQ])
                staged += data.num_rows
            by_key = bool(cols)
            if cols and scope is not None:
                sql, params = outside_sql(staging, scope, "%s")
                cur.execute(sql, params)
                found = cur.fetchone()
                by_key = bool(found and found[0])
            delete, params = delete_sql(table, staging if by_key else None, key, scope, "%s")
            cur.execute(delete, params or None)
            deleted = cur.rowcount
            inserted = 0
            if cols:
                cur.execute(insert_sql(table, staging, cols, key))
                inserted = cur.rowcount
            for upsert in request.also:
                for sql, values in upsert_sql(upsert, "%s"):
                    cur.execute(sql, values)
        return MergeResult(max(inserted, 0), max(deleted, 0))

    # -- reading --------------------------------------------------------------------------
    def fetch(self, expr: ir.Expr) -> pa.Table:
        return self.con.to_pyarrow(expr.as_table())

    def reader(self, expr: ir.Table, batch_size: int) -> Any:
        """A server-side cursor: the stream needs no settings of its own."""
        return self.con.to_pyarrow_batches(expr, chunk_size=batch_size)

    # -- builtin functions ----------------------------------------------------------------
    def sha256_hex(self, expr: ir.StringValue) -> ir.StringValue:
        import ibis

        def convert_to(s: str, enc: str) -> bytes: ...  # type: ignore[empty-body]

        def sha256(b: bytes) -> bytes: ...  # type: ignore[empty-body]

        def encode(b: bytes, fmt: str) -> str: ...  # type: ignore[empty-body]

        udf: Any = ibis.udf.scalar.builtin
        to_bytes = udf(name="convert_to")(convert_to)
        digest = udf(name="sha256")(sha256)
        to_hex = udf(name="encode")(encode)
        result: ir.StringValue = to_hex(digest(to_bytes(expr, "UTF8")), "hex")
        return result

    def to_json(self, expr: ir.Value) -> ir.StringValue:
        """PostgreSQL's ``to_json`` is of type json: ``concat`` makes it text."""
        return self.concat([super().to_json(expr)])


def _copy(cur: Any, name: str, table: pa.Table, cols: list[str]) -> None:
    """*table*'s *cols* into the table *name* by ``COPY … FROM STDIN``."""
    names = ", ".join(quote_ident(c) for c in cols)
    rows = zip(*(table.column(c).to_pylist() for c in cols), strict=True)
    with cur.copy(f"COPY {quote_ident(name)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
