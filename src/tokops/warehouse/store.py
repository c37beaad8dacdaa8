"""The store: one Ibis connection plus the few engine-specific pieces tokops needs.

``warehouse/`` is the only package that knows which engine is behind the store. Everything above
it builds Ibis expressions and reads Arrow batches, so the same pipeline runs on the embedded
DuckDB file (default) and on PostgreSQL (BYD-2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

from tokops.errors import ConfigError, SourceError, WarehouseError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = ["Engine", "Store", "connect"]

Engine = Literal["duckdb", "postgres"]


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


class Store:
    """A connected store. Build with :func:`connect`."""

    def __init__(self, con: Any, engine: Engine, url: str) -> None:
        self.con = con
        self.engine: Engine = engine
        self.url = _redact(url)

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # -- tables ---------------------------------------------------------------------------
    def exists(self, name: str) -> bool:
        return name in self.con.list_tables()

    def table(self, name: str) -> ir.Table:
        try:
            return self.con.table(name)
        except Exception as exc:  # noqa: BLE001 - every backend raises its own type
            raise SourceError(f"table {name!r} not found in {self.url}") from exc

    def sql(self, query: str) -> ir.Table:
        try:
            return self.con.sql(query)
        except Exception as exc:  # noqa: BLE001
            raise SourceError(f"SQL query failed: {exc}") from exc

    def ensure_table(self, name: str, schema: Any) -> ir.Table:
        """Create *name* with *schema* (an ``ibis.Schema``) if it does not exist."""
        if not self.exists(name):
            self.con.create_table(name, schema=schema)
        return self.con.table(name)

    def insert(self, name: str, data: pa.Table | pa.RecordBatch) -> None:
        """Append Arrow rows (committed when this returns)."""
        import pyarrow as pa

        table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
        if table.num_rows == 0:
            return
        try:
            if self.engine == "duckdb":
                raw = self.con.con
                raw.register("__tokops_insert", table)
                try:
                    cols = ", ".join(f'"{c}"' for c in table.column_names)
                    raw.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM __tokops_insert')
                finally:
                    raw.unregister("__tokops_insert")
            else:
                self.con.insert(name, table)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"insert into {name} failed: {exc}") from exc

    def execute(self, statement: str) -> None:
        """Run a DDL/DML statement written in the engine's SQL."""
        try:
            self.con.raw_sql(statement)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"statement failed: {exc}") from exc

    def batches(self, expr: ir.Table, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Stream *expr* as Arrow record batches of at most *batch_size* rows."""
        reader = expr.to_pyarrow_batches(chunk_size=batch_size)
        for batch in reader:
            if batch.num_rows > batch_size:  # some engines ignore chunk_size
                for start in range(0, batch.num_rows, batch_size):
                    yield batch.slice(start, batch_size)
            elif batch.num_rows:
                yield batch

    # -- engine-specific functions --------------------------------------------------------
    def sha256_hex(self, expr: ir.StringValue) -> ir.StringValue:
        """Lowercase hex SHA-256 of a string expression, compiled for this engine."""
        if self.engine == "duckdb":
            return expr.hexdigest("sha256")
        return _pg_sha256_hex(expr)

    # -- files ----------------------------------------------------------------------------
    def load_file(self, path: Path, name: str) -> ir.Table:
        """Load a CSV or Parquet file into table *name* (replaced), every CSV column as text.

        CSV is read by DuckDB with every column as VARCHAR so that type problems become row
        rejections later (not a failed load); lines that cannot be parsed at all are skipped and
        reported by :meth:`csv_rejects`.
        """
        import duckdb

        if not path.exists():
            raise SourceError(f"{path}: no such file")
        suffix = path.suffix.lower()
        local = duckdb.connect() if self.engine != "duckdb" else self.con.con
        try:
            rel = _read_file(local, path, suffix)
            if self.engine == "duckdb":
                local.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM rel_view')
            else:
                reader = rel.fetch_arrow_reader(100_000)
                self.con.create_table(name, schema=_ibis_schema(reader.schema), overwrite=True)
                for batch in reader:
                    self.insert(name, batch)
        except duckdb.Error as exc:
            raise SourceError(f"{path}: cannot be read ({exc})") from None
        return self.con.table(name)


def _read_file(con: Any, path: Path, suffix: str) -> Any:
    quoted = str(path).replace("'", "''")
    if suffix == ".parquet":
        con.execute(f"CREATE OR REPLACE TEMP VIEW rel_view AS SELECT * FROM read_parquet('{quoted}')")
    elif suffix in (".csv", ".tsv", ".txt", ".gz"):
        con.execute(
            "CREATE OR REPLACE TEMP VIEW rel_view AS SELECT * FROM read_csv("
            f"'{quoted}', all_varchar=true, header=true, ignore_errors=true, null_padding=true)"
        )
    else:
        raise SourceError(f"{path}: unsupported file type (use .csv or .parquet)")
    return con.sql("SELECT * FROM rel_view")


def _ibis_schema(schema: pa.Schema) -> Any:
    import ibis

    return ibis.Schema.from_pyarrow(schema)


def _pg_sha256_hex(expr: ir.StringValue) -> ir.StringValue:
    import ibis

    @ibis.udf.scalar.builtin(name="convert_to")
    def convert_to(s: str, enc: str) -> bytes:  # type: ignore[empty-body]
        ...

    @ibis.udf.scalar.builtin(name="sha256")
    def pg_sha256(b: bytes) -> bytes:  # type: ignore[empty-body]
        ...

    @ibis.udf.scalar.builtin(name="encode")
    def encode(b: bytes, fmt: str) -> str:  # type: ignore[empty-body]
        ...

    return encode(pg_sha256(convert_to(expr, "UTF8")), "hex")


def connect(url: str) -> Store:
    """Connect to a store by Ibis URL: ``duckdb://path.duckdb`` or ``postgres://user@host/db``."""
    import ibis

    scheme = url.split(":", 1)[0].lower()
    try:
        if scheme == "duckdb":
            path = url.split("://", 1)[1] if "://" in url else ""
            con = ibis.duckdb.connect(path or ":memory:")
            return Store(con, "duckdb", url)
        if scheme in ("postgres", "postgresql"):
            con = ibis.connect(url.replace("postgresql://", "postgres://", 1))
            return Store(con, "postgres", url)
    except Exception as exc:  # noqa: BLE001
        raise WarehouseError(f"cannot connect to {_redact(url)}: {exc}") from None
    raise ConfigError(f"unsupported store URL {_redact(url)!r}: use duckdb://… or postgres://…")
