"""The store: one Ibis connection plus the few engine-specific pieces tokops needs.

``warehouse/`` is the only package that knows which engine is behind the store. Everything above
it builds Ibis expressions and reads Arrow batches, so the same pipeline runs on the embedded
DuckDB file (default) and on PostgreSQL (BYD-2).

Identifiers are always quoted (:func:`quote_ident`) and values are always bound as parameters or
sent as Arrow data, never written into SQL text.
"""

from __future__ import annotations

import functools
import string
import uuid
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urlparse

from tokops.errors import SourceError, WarehouseError
from tokops.warehouse._duckdb import CompatConnection, raw_connection
from tokops.warehouse.urls import parse_store_url
from tokops.warehouse.user_sql import check_duckdb_query, read_only_query

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse.files import LoadedFile

__all__ = ["Engine", "Store", "connect", "quote_ident"]

Engine = Literal["duckdb", "postgres"]


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier (same rule on DuckDB and PostgreSQL)."""
    if "\x00" in name:
        raise WarehouseError("identifiers cannot contain NUL characters")
    return '"' + name.replace('"', '""') + '"'


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


STREAM_HEADROOM_MB: Final = 64
"""Inside :meth:`Store.streaming` on a database file, the instance's memory is the stream's
budget plus this much for the other connections' commits and the checkpoints."""
RUN_CHECKPOINT_THRESHOLD: Final = "1TB"
"""DuckDB's checkpoint threshold inside :meth:`Store.streaming`: no automatic checkpoint while a
run streams (the run checkpoints when the stream closes, see :meth:`Store.checkpoint`)."""


class _Instance:
    """What a store and its forks share about the engine instance behind them: whether it is
    still usable. A DuckDB fatal error invalidates the whole database instance; every later call
    on any of its connections must not reach the engine again (it fails, or worse)."""

    __slots__ = ("fatal",)

    def __init__(self) -> None:
        self.fatal: str | None = None


def _is_fatal(exc: BaseException) -> bool:
    """A DuckDB error after which its database instance is unusable."""
    if type(exc).__name__ == "FatalException":
        return True
    return "database has been invalidated" in str(exc)


class Store:
    """A connected store. Build with :func:`connect`.

    A store's connection belongs to one thread at a time; :meth:`fork` opens another connection
    to the same database for another thread (the events sync writes its ledger that way).

    Every engine failure is a :class:`~tokops.errors.WarehouseError`. After a fatal engine error
    (DuckDB invalidates the whole database instance) the store and its forks refuse every call
    without reaching the engine again: a re-opened process recovers from the file.
    """

    def __init__(
        self, con: Any, engine: Engine, url: str, instance: _Instance | None = None
    ) -> None:
        self.con = con
        self.engine: Engine = engine
        self._raw_url = url
        self.url = _redact(url)
        self._column_cache: dict[str, list[str]] = {}
        self._instance = instance or _Instance()

    @property
    def usable(self) -> bool:
        """False once a fatal engine error invalidated the database instance."""
        return self._instance.fatal is None

    @property
    def fatal_error(self) -> str | None:
        """The first line of the fatal engine error that invalidated the instance, if any."""
        return self._instance.fatal

    def guard(self) -> None:
        """Raise :class:`WarehouseError` when the instance is invalidated (for code of this
        package that talks to the engine directly)."""
        self._check()

    def engine_error(self, exc: BaseException) -> str:
        """The one-line text of an engine error (a fatal one marks the instance unusable)."""
        return self._failed(exc)

    def rollback_after(self, raw: Any, cause: BaseException) -> None:
        """Roll back *raw*'s transaction after *cause* (see :meth:`_rollback`)."""
        self._rollback(raw, cause)

    def _check(self) -> None:
        """Refuse to reach an invalidated instance."""
        if self._instance.fatal is not None:
            raise WarehouseError(
                f"the store is unusable after a fatal engine error: {self._instance.fatal}"
            )

    def _failed(self, exc: BaseException) -> str:
        """The one-line text of an engine error; a fatal one marks the instance unusable."""
        text = _one_line(exc)
        if self.engine == "duckdb" and _is_fatal(exc) and self._instance.fatal is None:
            self._instance.fatal = text
        return text

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # -- connections ----------------------------------------------------------------------
    def fork(self) -> Store:
        """A second connection to the same database (for another thread)."""
        self._check()
        if self.engine == "duckdb":
            import ibis

            try:
                cursor = CompatConnection(raw_connection(self.con).cursor())
                con = ibis.duckdb.from_connection(cursor)
            except Exception as exc:  # noqa: BLE001
                raise WarehouseError(f"cannot open a connection: {self._failed(exc)}") from None
            return Store(con, "duckdb", self._raw_url, self._instance)
        return connect(self._raw_url)

    def close(self) -> None:
        """Close the connection (not the instance's other connections). A connection of an
        invalidated instance is left alone: the engine may crash when touched again."""
        if self._instance.fatal is not None:
            return
        try:
            self.con.disconnect()
        except Exception:  # noqa: BLE001 - closing twice or a dead connection is fine
            pass

    def checkpoint(self) -> None:
        """Write what the write-ahead log holds into the database file (DuckDB; a no-op on
        PostgreSQL and in memory). The events sync calls it when its stream has closed."""
        if self.engine != "duckdb" or self._in_memory():
            return
        self.execute("CHECKPOINT")

    def _in_memory(self) -> bool:
        path = self._raw_url.split("://", 1)[1] if "://" in self._raw_url else ""
        return path in ("", ":memory:") or path.startswith(":memory:")

    @contextmanager
    def streaming(self, memory_mb: int = 96) -> Iterator[None]:
        """Settings for streaming a large query through Python while other connections of the
        same database write (the events sync's ledger writer).

        DuckDB: the query's intermediates (hash tables, sorts) on this connection get at most
        *memory_mb* (``operator_memory_limit``; more spills to disk) and the engine buffers at
        most a quarter of that ahead of the reader (``streaming_buffer_size``). Both are
        settings of this connection only, so the stream cannot take the memory the other
        connections need. In a database file, the instance's memory (caches included; what is
        not pinned is evicted) is that budget plus :data:`STREAM_HEADROOM_MB` for the other
        connections' commits and checkpoints, and no automatic checkpoint runs inside the block
        (one triggered by a commit would compete with the stream, and a checkpoint that fails
        invalidates the database): the writers own their checkpoints (:meth:`checkpoint`) and
        the block ends with one. These two are instance-wide: enter the block before forking
        the connections that work inside it, never while others are in use. PostgreSQL streams
        through a server-side cursor already. Previous settings are restored on exit; a failure
        while restoring never hides the error that ended the block.
        """
        if self.engine != "duckdb":
            yield
            return
        self._check()
        buffer_mb = max(1, int(memory_mb) // 4)
        local = {
            "operator_memory_limit": f"{int(memory_mb)}MiB",
            "streaming_buffer_size": f"{buffer_mb}MiB",
        }
        if not self._in_memory():  # instance-wide: see above
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
            raise WarehouseError(f"cannot prepare the stream: {self._failed(exc)}") from None
        failed = True
        try:
            yield
            failed = False
        finally:
            self._restore(raw, old, quiet=failed)

    def _restore(self, raw: Any, old: dict[str, Any], *, quiet: bool) -> None:
        """End of :meth:`streaming`: settings back, then one checkpoint (a file database)."""
        if self._instance.fatal is not None:
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
            text = self._failed(exc)
            if not quiet:  # the error that ended the block is the one to report
                raise WarehouseError(f"cannot close the stream: {text}") from None

    @staticmethod
    def temp_name(prefix: str = "tokops_tmp") -> str:
        """A fresh name for a temporary table or view."""
        return f"{prefix}_{uuid.uuid4().hex[:12]}"

    # -- tables ---------------------------------------------------------------------------
    def exists(self, name: str) -> bool:
        self._check()
        try:
            return name in self.con.list_tables()
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"cannot list tables: {self._failed(exc)}") from None

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
        self._check()
        try:
            return self.con.table(name, database=database)
        except Exception as exc:  # noqa: BLE001 - every backend raises its own type
            text = self._failed(exc)
            if not self.usable:
                raise WarehouseError(f"cannot read table {name}: {text}") from None
            where = f"{database}.{name}" if database else name
            raise SourceError(f"table {where!r} not found in {self.url}") from None

    def sql(self, query: str) -> ir.Table:
        """The result of the user's own SQL *query* as a table (through a temporary view).

        *query* must be one read-only query (:func:`~tokops.warehouse.user_sql.read_only_query`;
        on DuckDB its own parser must agree, PostgreSQL gets it through the extended protocol,
        which takes one statement only): nothing after it runs.
        """
        self._check()
        query = read_only_query(query, self.engine)
        if self.engine == "duckdb":
            check_duckdb_query(raw_connection(self.con), query)
        name = self.temp_name("tokops_query")
        create = f"CREATE TEMPORARY VIEW {quote_ident(name)} AS {query}"
        try:
            if self.engine == "postgres":
                pg = self.con.con
                with pg.cursor() as cur, pg.transaction():
                    cur.execute(create, binary=True)  # extended protocol: one statement
            else:
                self._run(create)
            return self.con.table(name)
        except Exception as exc:  # noqa: BLE001
            text = self._failed(exc)
            if not self.usable:
                raise WarehouseError(f"SQL query failed: {text}") from None
            raise SourceError(f"SQL query failed: {text}") from None

    def ensure_table(self, name: str, schema: Any) -> ir.Table:
        """Create *name* with *schema* (an ``ibis.Schema``) if it does not exist."""
        self._check()
        try:
            if not self.exists(name):
                self.con.create_table(name, schema=schema)
            return self.con.table(name)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"cannot create table {name}: {self._failed(exc)}") from None

    def create_temp_table(self, name: str, schema: Any) -> None:
        """An empty temporary table (visible to this connection only)."""
        self._check()
        try:
            self.con.create_table(name, schema=schema, temp=True)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"cannot create table {name}: {self._failed(exc)}") from None

    def drop(self, name: str, *, view: bool = False) -> None:
        """Drop a table (or view) if it exists."""
        self._column_cache.pop(name, None)
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
        self._check()
        target = tables[0][0]
        try:
            if self.engine == "duckdb":
                raw = raw_connection(self.con)
                if len(tables) == 1:
                    self._duckdb_append(raw, *tables[0])
                    return
                raw.execute("BEGIN TRANSACTION").fetchall()
                try:
                    for name, table in tables:
                        target = name
                        self._duckdb_append(raw, name, table)
                    target = "the store (commit)"
                    raw.execute("COMMIT").fetchall()
                except BaseException as exc:
                    self._rollback(raw, exc)
                    raise
            else:
                pg = self.con.con
                with pg.cursor() as cur, pg.transaction():
                    for name, table in tables:
                        target = name
                        cols = ", ".join(quote_ident(c) for c in table.column_names)
                        rows = zip(*(col.to_pylist() for col in table.columns), strict=True)
                        with cur.copy(f"COPY {quote_ident(name)} ({cols}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"insert into {target} failed: {self._failed(exc)}") from None

    def _rollback(self, raw: Any, cause: BaseException) -> None:
        """Roll back after *cause*, unless the instance is dead or nothing is open (a failed
        COMMIT has ended the transaction); a failing rollback never replaces *cause*."""
        self._failed(cause)
        if self._instance.fatal is not None:
            return
        try:
            raw.execute("ROLLBACK").fetchall()
        except Exception as exc:  # noqa: BLE001 - e.g. "no transaction is active"
            self._failed(exc)

    def _duckdb_append(self, raw: Any, name: str, table: pa.Table) -> None:
        target = self._columns(name)
        if list(table.column_names) != target and set(table.column_names) <= set(target):
            table = _aligned(table, target, self.con.get_schema(name))
        if list(table.column_names) == target:
            try:
                raw.from_arrow(table).insert_into(quote_ident(name))  # one statement
                return
            except Exception as exc:  # noqa: BLE001 - e.g. the table changed since cached
                self._failed(exc)
                if self._instance.fatal is not None:
                    raise
                self._column_cache.pop(name, None)
        cols = ", ".join(quote_ident(c) for c in table.column_names)
        view = self.temp_name("tokops_insert")
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

    @property
    def param_mark(self) -> str:
        """The engine's placeholder for a bound parameter in :meth:`execute` statements."""
        return "?" if self.engine == "duckdb" else "%s"

    def update(self, name: str, values: Mapping[str, Any], where: Mapping[str, Any]) -> None:
        """``UPDATE name SET … WHERE …`` with every value bound as a parameter."""
        mark = self.param_mark
        sets = ", ".join(f"{quote_ident(k)} = {mark}" for k in values)
        conds = " AND ".join(f"{quote_ident(k)} = {mark}" for k in where)
        params = [*values.values(), *where.values()]
        self.execute(f"UPDATE {quote_ident(name)} SET {sets} WHERE {conds}", params)

    def execute(self, statement: str, params: Sequence[Any] | None = None) -> None:
        """Run a DDL/DML statement written in the engine's SQL (parameters bound, not inlined)."""
        self._check()
        try:
            self._run(statement, params)
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"statement failed: {self._failed(exc)}") from None

    def _run(self, statement: str, params: Sequence[Any] | None = None) -> None:
        if self.engine == "duckdb":
            raw = raw_connection(self.con)
            raw.execute(statement, list(params) if params is not None else None)
            raw.fetchall()
        else:
            pg = self.con.con
            with pg.cursor() as cur, pg.transaction():
                cur.execute(statement, list(params) if params is not None else None)

    def _compile(self, expr: ir.Expr) -> str:
        self.con._run_pre_execute_hooks(expr)  # registers in-memory tables (ibis.memtable)
        return str(self.con.compile(expr))

    def fetch(self, expr: ir.Expr) -> pa.Table:
        """A small result as one Arrow table (for counts and summaries, not for sources)."""
        self._check()
        try:
            if self.engine == "duckdb":
                return raw_connection(self.con).sql(self._compile(expr)).to_arrow_table()
            return self.con.to_pyarrow(expr.as_table())
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(f"query failed: {self._failed(exc)}") from None

    def batches(self, expr: ir.Table, batch_size: int) -> Generator[pa.RecordBatch, None, None]:
        """Stream *expr* as Arrow record batches of at most *batch_size* rows.

        The engine streams (DuckDB's result reader, a PostgreSQL server-side cursor), so a table
        of any size passes through Python a batch at a time. An engine failure while reading
        is a :class:`~tokops.errors.WarehouseError` (the source was readable when it started).
        """
        self._check()
        try:
            if self.engine == "duckdb":
                sql = self._compile(expr)
                reader = raw_connection(self.con).sql(sql).to_arrow_reader(batch_size)
            else:
                reader = self.con.to_pyarrow_batches(expr, chunk_size=batch_size)
        except Exception as exc:  # noqa: BLE001
            text = self._failed(exc)
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
                    text = self._failed(exc)
                    raise WarehouseError(f"reading the source failed: {text}") from None
                if batch.num_rows > batch_size:  # some engines ignore the requested size
                    for start in range(0, batch.num_rows, batch_size):
                        yield batch.slice(start, batch_size)
                elif batch.num_rows:
                    yield batch
        finally:  # an abandoned stream must not block the connection's next statement
            if self._instance.fatal is None:
                try:
                    reader.close()
                except Exception as exc:  # noqa: BLE001 - never hides the error that ended it
                    self._failed(exc)

    # -- engine-specific functions --------------------------------------------------------
    def sha256_hex(self, expr: ir.StringValue) -> ir.StringValue:
        """Lowercase hex SHA-256 of the UTF-8 bytes of a string expression, for this engine."""
        if self.engine == "duckdb":
            return expr.hexdigest("sha256")
        return _pg_sha256_hex(expr)

    def ascii_lower(self, expr: ir.StringValue) -> ir.StringValue:
        """Lower-case A–Z only, whatever the database locale (for text known to be ASCII)."""
        if self.engine == "duckdb":
            return expr.lower()  # utf8proc: locale-free
        return expr.translate(string.ascii_uppercase, string.ascii_lowercase)

    def byte_length(self, expr: ir.StringValue) -> ir.IntegerValue:
        """Length in UTF-8 bytes (no character decoding: cheaper than ``length``)."""
        name = "strlen" if self.engine == "duckdb" else "octet_length"
        result: ir.IntegerValue = _builtin(name, "int64")(expr)
        return result

    def is_ascii(self, expr: ir.StringValue) -> ir.BooleanValue:
        """True when every character is ASCII (bytes = characters; fast, no regex)."""
        result: ir.BooleanValue = self.byte_length(expr) == expr.length()
        return result

    def trim_spaces(self, expr: ir.StringValue) -> ir.StringValue:
        """Remove leading and trailing spaces (the engine's plain, fast ``trim``)."""
        result: ir.StringValue = _builtin("trim" if self.engine == "duckdb" else "btrim", "string")(
            expr
        )
        return result

    def concat(self, *parts: ir.Value | str) -> ir.StringValue:
        """The parts as one text, NULL parts skipped: SQL ``concat`` as one call (a chain of
        ``||`` copies the growing text once per part and is NULL when any part is)."""
        import ibis

        schema = "main" if self.engine == "duckdb" else "pg_catalog"
        args = [ibis.literal(p) if isinstance(p, str) else p for p in parts]
        result: ir.StringValue = _concat_builtin(len(args), schema)(*args)
        return result

    def to_json(self, expr: ir.Value) -> ir.StringValue:
        """The JSON text of a value (string quoted and escaped, list as an array), NULL for NULL.

        ``to_json`` exists with the same output on DuckDB and PostgreSQL (checked by tests)."""
        result: ir.StringValue = _builtin("to_json", "string")(expr)
        if self.engine != "duckdb":
            result = self.concat(result)  # PostgreSQL's to_json is of type json: make it text
        return result

    def ascii_upper(self, expr: ir.StringValue) -> ir.StringValue:
        """Upper-case a–z only, whatever the database locale."""
        if self.engine == "duckdb":
            return expr.upper()
        return expr.translate(string.ascii_lowercase, string.ascii_uppercase)

    def epoch_seconds(self, expr: ir.Value) -> ir.IntegerValue:
        """Unix seconds (floor) of a timestamp or date; naive timestamps are read as UTC."""
        import ibis.expr.datatypes as dt

        if expr.type().is_date():
            expr = expr.cast("timestamp")
        if self.engine == "duckdb":
            return _duckdb_epoch(expr).floor().cast("int64")
        seconds: ir.NumericValue = expr.epoch_seconds()
        return seconds.cast(dt.float64).floor().cast("int64")

    # -- files ----------------------------------------------------------------------------
    def read_file(self, path: Path, name: str | None = None) -> LoadedFile:
        """A CSV or Parquet file as a temporary table of this connection, with CSV rejects."""
        from tokops.warehouse.files import read_file

        return read_file(self, path, name or self.temp_name("tokops_file"))

    def load_file(self, path: Path, name: str) -> ir.Table:
        """Load a CSV or Parquet file as *name* (temporary), every CSV column as text."""
        return self.read_file(path, name).table


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


@functools.cache
def _concat_builtin(n: int, schema: str) -> Any:
    """``concat`` over *n* texts, named with its schema so that SQLGlot keeps the function
    (it would rewrite a bare ``concat`` into a ``||`` chain, which is NULL when a part is)."""
    import inspect

    import ibis
    import ibis.expr.datatypes as dt

    def fn(*args: Any) -> str: ...  # type: ignore[empty-body]

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(f"p{i}", kind) for i in range(n)]
    )
    return ibis.udf.scalar.builtin(
        fn, name="concat", database=schema, signature=((dt.string,) * n, dt.string)
    )


def _builtin(name: str, returns: str) -> Any:
    """A one-argument engine function as an Ibis builtin UDF."""
    import ibis

    def fn_int(s) -> int: ...  # type: ignore[no-untyped-def,empty-body]

    def fn_str(s) -> str: ...  # type: ignore[no-untyped-def,empty-body]

    return ibis.udf.scalar.builtin(name=name)(fn_int if returns == "int64" else fn_str)


def _duckdb_epoch(expr: ir.Value) -> ir.FloatingValue:
    import ibis

    def epoch(ts) -> float:  # type: ignore[no-untyped-def,empty-body]
        ...

    udf: Any = ibis.udf.scalar.builtin(name="epoch")(epoch)
    result: ir.FloatingValue = udf(expr)
    return result


def _pg_sha256_hex(expr: ir.StringValue) -> ir.StringValue:
    import ibis

    def convert_to(s: str, enc: str) -> bytes: ...  # type: ignore[empty-body]

    def sha256(b: bytes) -> bytes: ...  # type: ignore[empty-body]

    def encode(b: bytes, fmt: str) -> str: ...  # type: ignore[empty-body]

    builtin: Any = ibis.udf.scalar.builtin
    to_bytes = builtin(name="convert_to")(convert_to)
    digest = builtin(name="sha256")(sha256)
    to_hex = builtin(name="encode")(encode)
    result: ir.StringValue = to_hex(digest(to_bytes(expr, "UTF8")), "hex")
    return result


def connect(url: str) -> Store:
    """Connect to a store by Ibis URL: ``duckdb://path.duckdb`` or ``postgres://user@host/db``
    (:func:`~tokops.warehouse.urls.parse_store_url` says which URLs are accepted)."""
    import ibis

    where = parse_store_url(url, _redact(url))
    try:
        if where.engine == "duckdb":
            import duckdb

            raw = duckdb.connect(where.target)
            con = ibis.duckdb.from_connection(CompatConnection(raw))
            return Store(con, "duckdb", url)
        con = ibis.connect(where.target)
        return Store(con, "postgres", url)
    except Exception as exc:  # noqa: BLE001
        raise WarehouseError(f"cannot connect to {_redact(url)}: {_one_line(exc)}") from None
