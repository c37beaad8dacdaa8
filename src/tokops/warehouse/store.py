"""The store: one Ibis connection, the same API on every engine.

``warehouse/`` is the only package that knows which engine is behind the store. Everything above
it builds Ibis expressions and reads Arrow batches, so the same pipeline runs on the embedded
DuckDB file (default) and on PostgreSQL (BYD-2). What differs between the engines is in their
adapters (:mod:`tokops.warehouse.engines`); the store holds no engine branch.

Identifiers are always quoted (:func:`quote_ident`) and values are always bound as parameters or
sent as Arrow data, never written into SQL text.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias
from urllib.parse import urlparse

from tokops.errors import SourceError, WarehouseError
from tokops.warehouse.engines import adapter_class
from tokops.warehouse.engines.base import one_line
from tokops.warehouse.quoting import quote_ident, temp_name
from tokops.warehouse.urls import parse_store_url
from tokops.warehouse.user_sql import read_only_query

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse.engines import EngineAdapter
    from tokops.warehouse.files import LoadedFile

__all__ = ["Engine", "Store", "connect", "quote_ident"]

Engine: TypeAlias = str
"""An engine's name: ``duckdb``, ``postgres`` (:data:`tokops.warehouse.engines.ADAPTERS`)."""


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


class Store:
    """A connected store. Build with :func:`connect`.

    The store is the same on every engine; what differs is its
    :class:`~tokops.warehouse.engines.base.EngineAdapter` (:attr:`adapter`).

    A store's connection belongs to one thread at a time; :meth:`fork` opens another connection
    to the same database for another thread (the events sync writes its ledger that way).

    Every engine failure is a :class:`~tokops.errors.WarehouseError`. After a fatal engine error
    (DuckDB invalidates the whole database instance) the store and its forks refuse every call
    without reaching the engine again: a re-opened process recovers from the file.
    """

    def __init__(self, adapter: EngineAdapter) -> None:
        self.adapter = adapter
        """The engine's half of the store (for the modules of :mod:`tokops.warehouse`)."""
        self.con = adapter.con
        """The Ibis backend."""
        self.url = _redact(adapter.url)

    @property
    def engine(self) -> Engine:
        """The engine's name (also the SQL dialect of the user's queries)."""
        return self.adapter.name

    @property
    def single_writer(self) -> bool:
        """True when the database admits one writing process at a time (a DuckDB file), so
        that what another process left unfinished belongs to a process that died."""
        return self.adapter.single_writer

    @property
    def usable(self) -> bool:
        """False once a fatal engine error invalidated the database instance."""
        return self.adapter.instance.fatal is None

    @property
    def fatal_error(self) -> str | None:
        """The first line of the fatal engine error that invalidated the instance, if any."""
        return self.adapter.instance.fatal

    def guard(self) -> None:
        """Raise :class:`WarehouseError` when the instance is invalidated (for code of this
        package that talks to the engine directly)."""
        self.adapter.check()

    def engine_error(self, exc: BaseException) -> str:
        """The one-line text of an engine error (a fatal one marks the instance unusable)."""
        return self.adapter.failed(exc)

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # -- connections ----------------------------------------------------------------------
    def fork(self) -> Store:
        """A second connection to the same database (for another thread)."""
        self.guard()
        try:
            return Store(self.adapter.fork())
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"cannot open a connection: {self.engine_error(exc)}") from None

    def close(self) -> None:
        """Close the connection (not the instance's other connections). A connection of an
        invalidated instance is left alone: the engine may crash when touched again."""
        if not self.usable:
            return
        try:
            self.con.disconnect()
        except Exception:  # noqa: BLE001 - closing twice or a dead connection is fine
            pass

    def checkpoint(self) -> None:
        """Write what the write-ahead log holds into the database file (DuckDB; a no-op on
        PostgreSQL and in memory). The events sync calls it when its stream has closed."""
        statement = self.adapter.checkpoint_statement()
        if statement is not None:
            self.execute(statement)

    @contextmanager
    def streaming(self, memory_mb: int = 96) -> Iterator[None]:
        """Settings for streaming a large query through Python while other connections of the
        same database write (the events sync's ledger writer).

        The stream's memory is bounded so that it cannot take what the other connections need,
        and the previous settings are restored on exit (DuckDB: see
        :meth:`~tokops.warehouse.engines.duckdb.DuckDBAdapter.streaming`; PostgreSQL streams
        through a server-side cursor already). A failure while restoring never hides the error
        that ended the block.
        """
        with self.adapter.streaming(memory_mb):
            yield

    @staticmethod
    def temp_name(prefix: str = "tokops_tmp") -> str:
        """A fresh name for a temporary table or view."""
        return temp_name(prefix)

    # -- tables ---------------------------------------------------------------------------
    def exists(self, name: str) -> bool:
        self.guard()
        try:
            return name in self.con.list_tables()
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"cannot list tables: {self.engine_error(exc)}") from None

    def kind(self, name: str) -> Literal["table", "view"] | None:
        """Whether *name* (in the current schema) is a table, a view, or does not exist."""
        info = self.con.sql(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_schema = current_schema()"
        )
        found = self.fetch(info.filter(info.table_name == name).select("table_type"))
        if found.num_rows == 0:
            return None
        kind = str(found.column(0)[0].as_py()).upper()
        return "view" if kind == "VIEW" else "table"

    def table(self, name: str, database: str | None = None) -> ir.Table:
        self.guard()
        try:
            return self.con.table(name, database=database)
        except Exception as exc:  # noqa: BLE001 - every backend raises its own type
            text = self.engine_error(exc)
            if not self.usable:
                raise WarehouseError(f"cannot read table {name}: {text}") from None
            where = f"{database}.{name}" if database else name
            raise SourceError(f"table {where!r} not found in {self.url}") from None

    def sql(self, query: str) -> ir.Table:
        """The result of the user's own SQL *query* as a table (through a temporary view).

        *query* must be one read-only query (:func:`~tokops.warehouse.user_sql.read_only_query`;
        the engine's own parser must agree where it has one, and the view is created so that
        the engine takes one statement only): nothing after it runs.
        """
        self.guard()
        query = read_only_query(query, self.engine)
        self.adapter.check_query(query)
        name = self.temp_name("tokops_query")
        try:
            self.adapter.run_single(f"CREATE TEMPORARY VIEW {quote_ident(name)} AS {query}")
            return self.con.table(name)
        except Exception as exc:  # noqa: BLE001
            text = self.engine_error(exc)
            if not self.usable:
                raise WarehouseError(f"SQL query failed: {text}") from None
            raise SourceError(f"SQL query failed: {text}") from None

    def ensure_table(self, name: str, schema: Any) -> ir.Table:
        """Create *name* with *schema* (an ``ibis.Schema``) if it does not exist."""
        self.guard()
        try:
            if not self.exists(name):
                self.con.create_table(name, schema=schema)
            return self.con.table(name)
        except Exception as exc:  # noqa: BLE001
            text = self.engine_error(exc)
            raise WarehouseError(f"cannot create table {name}: {text}") from None

    def create_temp_table(self, name: str, schema: Any) -> None:
        """An empty temporary table (visible to this connection only)."""
        self.guard()
        try:
            self.con.create_table(name, schema=schema, temp=True)
        except Exception as exc:  # noqa: BLE001
            text = self.engine_error(exc)
            raise WarehouseError(f"cannot create table {name}: {text}") from None

    def drop(self, name: str, *, view: bool = False) -> None:
        """Drop a table (or view) if it exists."""
        self.adapter.forget_columns(name)
        kind = "VIEW" if view else "TABLE"
        self.execute(f"DROP {kind} IF EXISTS {quote_ident(name)}")

    def insert(self, name: str, data: pa.Table | pa.RecordBatch) -> None:
        """Append Arrow rows in one transaction (committed when this returns)."""
        self.insert_many([(name, data)])

    def insert_many(self, parts: Sequence[tuple[str, pa.Table | pa.RecordBatch]]) -> None:
        """Append Arrow rows to several tables in one transaction, in the order given."""
        import pyarrow as pa

        tables = [
            (name, data if isinstance(data, pa.Table) else pa.Table.from_batches([data]))
            for name, data in parts
        ]
        tables = [(name, table) for name, table in tables if table.num_rows]
        if not tables:
            return
        self.guard()
        self.adapter.insert_many(tables)

    @property
    def param_mark(self) -> str:
        """The engine's placeholder for a bound parameter in :meth:`execute` statements."""
        return self.adapter.param_mark

    def update(self, name: str, values: Mapping[str, Any], where: Mapping[str, Any]) -> None:
        """``UPDATE name SET … WHERE …`` with every value bound as a parameter."""
        mark = self.param_mark
        sets = ", ".join(f"{quote_ident(k)} = {mark}" for k in values)
        conds = " AND ".join(f"{quote_ident(k)} = {mark}" for k in where)
        params = [*values.values(), *where.values()]
        self.execute(f"UPDATE {quote_ident(name)} SET {sets} WHERE {conds}", params)

    def execute(self, statement: str, params: Sequence[Any] | None = None) -> None:
        """Run a DDL/DML statement written in the engine's SQL (parameters bound, not inlined)."""
        self.guard()
        try:
            self.adapter.run(statement, params)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"statement failed: {self.engine_error(exc)}") from None

    def fetch(self, expr: ir.Expr) -> pa.Table:
        """A small result as one Arrow table (for counts and summaries, not for sources)."""
        self.guard()
        try:
            return self.adapter.fetch(expr)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"query failed: {self.engine_error(exc)}") from None

    def batches(self, expr: ir.Table, batch_size: int) -> Generator[pa.RecordBatch, None, None]:
        """Stream *expr* as Arrow record batches of at most *batch_size* rows.

        The engine streams (DuckDB's result reader, a PostgreSQL server-side cursor), so a table
        of any size passes through Python a batch at a time. An engine failure while reading
        is a :class:`~tokops.errors.WarehouseError` (the source was readable when it started).
        """
        self.guard()
        try:
            reader = self.adapter.reader(expr, batch_size)
        except Exception as exc:  # noqa: BLE001
            text = self.engine_error(exc)
            if not self.usable:
                raise WarehouseError(f"cannot read the source: {text}") from None
            raise SourceError(f"cannot read the source: {text}") from None
        try:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except Exception as exc:  # noqa: BLE001
                    text = self.engine_error(exc)
                    raise WarehouseError(f"reading the source failed: {text}") from None
                if batch.num_rows > batch_size:  # some engines ignore the requested size
                    for start in range(0, batch.num_rows, batch_size):
                        yield batch.slice(start, batch_size)
                elif batch.num_rows:
                    yield batch
        finally:  # an abandoned stream must not block the connection's next statement
            if self.usable:
                try:
                    reader.close()
                except Exception as exc:  # noqa: BLE001 - never hides the error that ended it
                    self.engine_error(exc)

    # -- engine functions -----------------------------------------------------------------
    def sha256_hex(self, expr: ir.StringValue) -> ir.StringValue:
        """Lowercase hex SHA-256 of the UTF-8 bytes of a string expression, for this engine."""
        return self.adapter.sha256_hex(expr)

    def ascii_lower(self, expr: ir.StringValue) -> ir.StringValue:
        """Lower-case A–Z only, whatever the database locale (for text known to be ASCII)."""
        return self.adapter.ascii_lower(expr)

    def byte_length(self, expr: ir.StringValue) -> ir.IntegerValue:
        """Length in UTF-8 bytes (no character decoding: cheaper than ``length``)."""
        return self.adapter.byte_length(expr)

    def is_ascii(self, expr: ir.StringValue) -> ir.BooleanValue:
        """True when every character is ASCII (bytes = characters; fast, no regex)."""
        result: ir.BooleanValue = self.byte_length(expr) == expr.length()
        return result

    def trim_spaces(self, expr: ir.StringValue) -> ir.StringValue:
        """Remove leading and trailing spaces (the engine's plain, fast ``trim``)."""
        return self.adapter.trim_spaces(expr)

    def concat(self, *parts: ir.Value | str) -> ir.StringValue:
        """The parts as one text, NULL parts skipped: SQL ``concat`` as one call (a chain of
        ``||`` copies the growing text once per part and is NULL when any part is)."""
        import ibis

        return self.adapter.concat([ibis.literal(p) if isinstance(p, str) else p for p in parts])

    def to_json(self, expr: ir.Value) -> ir.StringValue:
        """The JSON text of a value (string quoted and escaped, list as an array), NULL for NULL.

        ``to_json`` exists with the same output on DuckDB and PostgreSQL (checked by tests)."""
        return self.adapter.to_json(expr)

    def ascii_upper(self, expr: ir.StringValue) -> ir.StringValue:
        """Upper-case a–z only, whatever the database locale."""
        return self.adapter.ascii_upper(expr)

    def epoch_seconds(self, expr: ir.Value) -> ir.IntegerValue:
        """Unix seconds (floor) of a timestamp or date; naive timestamps are read as UTC."""
        if expr.type().is_date():
            expr = expr.cast("timestamp")
        return self.adapter.epoch_seconds(expr)

    # -- files ----------------------------------------------------------------------------
    def read_file(self, path: Path, name: str | None = None) -> LoadedFile:
        """A CSV or Parquet file as a temporary table of this connection, with CSV rejects."""
        from tokops.warehouse.files import read_file

        return read_file(self, path, name or self.temp_name("tokops_file"))

    def load_file(self, path: Path, name: str) -> ir.Table:
        """Load a CSV or Parquet file as *name* (temporary), every CSV column as text."""
        return self.read_file(path, name).table


def connect(url: str) -> Store:
    """Connect to a store by Ibis URL: ``duckdb://path.duckdb`` or ``postgres://user@host/db``
    (:func:`~tokops.warehouse.urls.parse_store_url` says which URLs are accepted)."""
    where = parse_store_url(url, _redact(url))
    adapter = adapter_class(where.engine)
    try:
        return Store(adapter.open(where.target, url))
    except Exception as exc:  # noqa: BLE001
        raise WarehouseError(f"cannot connect to {_redact(url)}: {one_line(exc)}") from None
