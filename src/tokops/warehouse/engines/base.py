"""The interface every engine adapter implements: the engine's half of the store (BYD-2).

A :class:`~tokops.warehouse.store.Store` is the engine-neutral face (Ibis expressions in, Arrow
data out, :class:`~tokops.errors.WarehouseError` for every failure). Behind it one
:class:`EngineAdapter` holds the connection and does what differs between engines: connecting
and forking, running statements and transactions, bulk inserts, merges, streaming settings,
fatal-error detection, file scans and the names of a few builtin functions.

An adapter's methods raise the driver's own exceptions unless their doc says otherwise; the
store turns them into :class:`~tokops.errors.WarehouseError` through :meth:`EngineAdapter.failed`.
"""

from __future__ import annotations

import string
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from tokops.errors import WarehouseError
from tokops.warehouse.engines.builtins import builtin, concat_builtin

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse.merge_sql import MergeRequest, MergeResult

__all__ = ["EngineAdapter", "Instance", "one_line"]


def one_line(exc: BaseException) -> str:
    """The first line of an error's text (engines add hints and context on later lines)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Instance:
    """What a connection and its forks share about the engine instance behind them: whether it
    is still usable. After a fatal error (:meth:`EngineAdapter.is_fatal`) every later call on
    any of its connections must not reach the engine again (it fails, or worse)."""

    __slots__ = ("fatal",)

    def __init__(self) -> None:
        self.fatal: str | None = None


class EngineAdapter(ABC):
    """One connection to one engine. Subclasses live one per module in this package and are
    registered by :attr:`name` in :data:`tokops.warehouse.engines.ADAPTERS`."""

    name: ClassVar[str]
    """The registry name, also the SQL dialect the user's queries are parsed in."""
    param_mark: ClassVar[str]
    """The placeholder of a bound parameter in the engine's SQL."""
    byte_length_function: ClassVar[str]
    """The function giving a text's length in UTF-8 bytes."""
    trim_function: ClassVar[str]
    """The function removing leading and trailing spaces."""
    builtin_schema: ClassVar[str]
    """The schema that holds the engine's builtin functions."""
    single_writer: ClassVar[bool]
    """The database admits one writing process at a time (a DuckDB file); on a shared server
    other machines may write while this process does."""

    def __init__(self, con: Any, url: str, instance: Instance | None = None) -> None:
        self.con = con
        """The Ibis backend of this connection."""
        self.url = url
        """The store URL as given (password included: never print it)."""
        self.instance = instance or Instance()

    @classmethod
    @abstractmethod
    def database(cls, url: str, label: str) -> str | None:
        """The database a store *url* names, when it is this engine's URL (None when it is
        not; :class:`~tokops.errors.ConfigError`, quoting *label*, when it is but names no
        usable database). The result is what :meth:`open` connects to."""

    @classmethod
    @abstractmethod
    def open(cls, target: str, url: str) -> EngineAdapter:
        """Connect to *target* (:attr:`~tokops.warehouse.urls.StoreUrl.target` of *url*)."""

    @abstractmethod
    def fork(self) -> EngineAdapter:
        """Another connection to the same database, for another thread."""

    # -- the instance's health ------------------------------------------------------------
    def is_fatal(self, exc: BaseException) -> bool:
        """True for an error after which the engine instance is unusable (none by default)."""
        return False

    def check(self) -> None:
        """Refuse to reach an invalidated instance."""
        if self.instance.fatal is not None:
            raise WarehouseError(
                f"the store is unusable after a fatal engine error: {self.instance.fatal}"
            )

    def failed(self, exc: BaseException) -> str:
        """The one-line text of an engine error; a fatal one marks the instance unusable."""
        text = one_line(exc)
        if self.instance.fatal is None and self.is_fatal(exc):
            self.instance.fatal = text
        return text

    # -- statements -----------------------------------------------------------------------
    @abstractmethod
    def run(self, statement: str, params: Sequence[Any] | None = None) -> None:
        """Run one DDL/DML statement, parameters bound, committed when this returns."""

    def check_query(self, query: str) -> None:
        """Raise :class:`~tokops.errors.SourceError` unless the engine's own parser reads the
        user's *query* as one read-only statement (nothing to add by default)."""
        return None

    def run_single(self, statement: str) -> None:
        """Run *statement* so that the engine refuses a second statement in its text."""
        self.run(statement)

    def run_transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Run *statements* in one transaction; for each, what the engine reports first (the
        row count of a DML statement).

        Raises :class:`~tokops.errors.WarehouseError`.
        """
        self.check()
        try:
            return self._transaction(statements)
        except Exception as exc:  # noqa: BLE001 - every driver raises its own types
            raise WarehouseError(f"statement failed: {self.failed(exc)}") from None

    @abstractmethod
    def _transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """:meth:`run_transaction` without the error handling."""

    @abstractmethod
    def insert_many(self, tables: Sequence[tuple[str, pa.Table]]) -> None:
        """Append non-empty Arrow tables to several tables in one transaction, in order.

        Raises :class:`~tokops.errors.WarehouseError` naming the table that failed.
        """

    @abstractmethod
    def merge(self, request: MergeRequest) -> MergeResult:
        """The engine's way to run :func:`~tokops.warehouse.merge.merge_batches`."""

    def forget_columns(self, name: str) -> None:
        """*name*'s columns may change (dropped): forget what was cached about them."""
        return None

    # -- reading --------------------------------------------------------------------------
    @abstractmethod
    def fetch(self, expr: ir.Expr) -> pa.Table:
        """A small result as one Arrow table."""

    @abstractmethod
    def reader(self, expr: ir.Table, batch_size: int) -> Any:
        """A ``pyarrow.RecordBatchReader`` streaming *expr* (the engine may ignore the size)."""

    def checkpoint_statement(self) -> str | None:
        """The statement writing the write-ahead log into the database, if there is one."""
        return None

    @contextmanager
    def streaming(self, memory_mb: int) -> Iterator[None]:
        """Settings for streaming a large query while other connections write (see
        :meth:`~tokops.warehouse.store.Store.streaming`); none by default. Raises
        :class:`~tokops.errors.WarehouseError`."""
        yield

    def scan_file(self, scan: str, name: str, *, view: bool) -> Any | None:
        """Run DuckDB's file *scan* (a ``SELECT``) into the temporary table (or *view*) *name*
        of this connection and return the DuckDB connection that ran it (CSV rejects are
        there); None when the engine cannot run DuckDB's scans itself, and then
        :mod:`tokops.warehouse.files` parses in process and inserts the rows."""
        return None

    # -- builtin functions ----------------------------------------------------------------
    @abstractmethod
    def sha256_hex(self, expr: ir.StringValue) -> ir.StringValue:
        """Lowercase hex SHA-256 of the UTF-8 bytes of a string expression."""

    def ascii_lower(self, expr: ir.StringValue) -> ir.StringValue:
        """Lower-case A–Z only, whatever the database locale."""
        return expr.translate(string.ascii_uppercase, string.ascii_lowercase)

    def ascii_upper(self, expr: ir.StringValue) -> ir.StringValue:
        """Upper-case a–z only, whatever the database locale."""
        return expr.translate(string.ascii_lowercase, string.ascii_uppercase)

    def byte_length(self, expr: ir.StringValue) -> ir.IntegerValue:
        """Length in UTF-8 bytes (no character decoding)."""
        result: ir.IntegerValue = builtin(self.byte_length_function, "int64")(expr)
        return result

    def trim_spaces(self, expr: ir.StringValue) -> ir.StringValue:
        """Remove leading and trailing spaces."""
        result: ir.StringValue = builtin(self.trim_function, "string")(expr)
        return result

    def concat(self, args: Sequence[ir.Value]) -> ir.StringValue:
        """SQL ``concat`` of *args* as one call (NULL parts skipped)."""
        result: ir.StringValue = concat_builtin(len(args), self.builtin_schema)(*args)
        return result

    def to_json(self, expr: ir.Value) -> ir.StringValue:
        """The JSON text of a value, NULL for NULL."""
        result: ir.StringValue = builtin("to_json", "string")(expr)
        return result

    def epoch_seconds(self, expr: ir.TimestampValue) -> ir.IntegerValue:
        """Unix seconds (floor) of a timestamp; naive timestamps are read as UTC."""
        import ibis.expr.datatypes as dt

        seconds: ir.NumericValue = expr.epoch_seconds()
        return seconds.cast(dt.float64).floor().cast("int64")
