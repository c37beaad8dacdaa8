"""The events ledger: what happened to every source row, per run, with no raw PII (BYD-4, EVT-9).

Schema (declared in the store's catalogue, :mod:`tokops.warehouse.schema.events`, which
``docs/schema.md`` is generated from; ``docs/CONTRACTS.md``; health and other tools read these):

- ``events_ledger`` (a view): one row per source row outcome per run — ``run_id, event_source,
  event_source_id, event, event_id, event_time, status, reason, attempts, api_code, request_id,
  has_email, has_phone, has_external_id, has_ttclid, has_ttp, has_ip_ua, test_event_code,
  recorded_at``. ``status`` is ``sent``, ``invalid``, ``rejected``, ``duplicate`` or ``failed``.
  Rows whose event a previous run already sent are *not* written again (they are counted as
  ``already_sent`` in ``events_runs``); their ``sent`` row from the earlier run stays the record.
- ``events_runs``: one row per run — ``run_id, started_at, finished_at, source, event_source,
  event_source_id, status (running / completed / failed / interrupted), dry_run,
  test_event_code``, the counts ``sent, invalid, rejected, duplicate, failed,
  already_sent`` and ``total`` (the source rows the run was to account for; NULL for runs
  recorded before it existed). ``interrupted``: the process died mid-run (see
  :func:`close_interrupted`).

Storage behind the view: ``events_batches`` holds what a group of rows shares (one row per
request outcome or per group of invalid / duplicate rows: run, event source, event name when it
is the same for all, status, attempts, API code, request id, time) and ``events_outcomes`` what
each row has of its own (``batch_id``, event_id, event time, its own event name and reason when
they differ within the batch, and the match-key flags as one bit set).
Writing a million outcomes then appends six narrow columns instead of twenty. A store written
by an earlier version (``events_ledger`` a table) is migrated by :func:`ensure_tables`, in one
transaction.

Crash safety: :class:`LedgerWriter` is the single writer thread, on its own connection. A
sender hands it a batch's outcome; the sync lets at most a fixed number of sent batches wait
for their commit (``SyncOptions.unrecorded``), so at any instant at most those are
sent-but-unrecorded; a re-run resends only those (and TikTok deduplicates them by
``event_id``). A batch and its outcomes are committed together.
"""

from __future__ import annotations

import functools
import queue
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import PipelineError
from tokops.warehouse.merge import declare_table, run_transaction
from tokops.warehouse.schema import EVENTS_BATCHES, EVENTS_LEDGER, EVENTS_OUTCOMES, EVENTS_RUNS
from tokops.warehouse.schema.events import KEY_BITS, KEYS_COLUMN, MATCH_FLAGS, RUN_COUNTS

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = [
    "BATCHES_TABLE",
    "COUNT_KEYS",
    "KEYS_COLUMN",
    "KEY_BITS",
    "LEDGER_TABLE",
    "MATCH_FLAGS",
    "OUTCOMES_TABLE",
    "RUNS_TABLE",
    "STATUSES",
    "LedgerRows",
    "LedgerWriter",
    "RunRecord",
    "append_rows",
    "close_interrupted",
    "ensure_tables",
    "finish_run",
    "ledger_rows",
    "ledger_schema",
    "sent_count",
    "sent_rows",
    "start_run",
]

LEDGER_TABLE: Final = EVENTS_LEDGER.name
"""The view every reader uses (see the module docstring)."""
RUNS_TABLE: Final = EVENTS_RUNS.name
BATCHES_TABLE: Final = EVENTS_BATCHES.name
OUTCOMES_TABLE: Final = EVENTS_OUTCOMES.name
STATUSES: Final = ("sent", "invalid", "rejected", "duplicate", "failed")
COUNT_KEYS: Final = RUN_COUNTS


@functools.cache
def ledger_schema() -> pa.Schema:
    """The ``events_ledger`` view's shape (what :func:`append_rows` takes)."""
    return EVENTS_LEDGER.arrow_schema()


#: The batch's columns (all but its ``batch_id``).
_BATCH_SHARED: Final = EVENTS_BATCHES.names[1:]


@functools.cache
def batches_schema() -> pa.Schema:
    """``events_batches``: what the rows of one batch share."""
    return EVENTS_BATCHES.arrow_schema()


@functools.cache
def outcomes_schema() -> pa.Schema:
    """``events_outcomes``: what each row has of its own (``event`` and ``reason`` only when
    they differ between the rows of its batch, as for invalid rows)."""
    return EVENTS_OUTCOMES.arrow_schema()


def _view_column(name: str) -> str:
    """One column of the view: a match-key flag from the bit set, the row's own event or
    reason else its batch's, the row's own event_id and time, the batch's other columns."""
    if name in KEY_BITS:
        return f"(o.{KEYS_COLUMN} & {KEY_BITS[name]}) <> 0 AS {name}"
    if name in _BATCH_SHARED and name in EVENTS_OUTCOMES.names:
        return f"COALESCE(o.{name}, b.{name}) AS {name}"
    return f"{'b' if name in _BATCH_SHARED else 'o'}.{name}"


def _view_sql() -> str:
    """The ``events_ledger`` view (the same SQL on DuckDB and PostgreSQL), its columns in the
    order the catalogue declares."""
    columns = ", ".join(_view_column(name) for name in EVENTS_LEDGER.names)
    return (
        f"CREATE VIEW {LEDGER_TABLE} AS SELECT {columns} "
        f"FROM {OUTCOMES_TABLE} AS o JOIN {BATCHES_TABLE} AS b ON b.batch_id = o.batch_id"
    )


@functools.cache
def runs_schema() -> pa.Schema:
    return EVENTS_RUNS.arrow_schema()


def ensure_tables(store: Store) -> None:
    """Create the ledger (its two tables and the ``events_ledger`` view) and ``events_runs``
    when they do not exist yet; migrate a ledger written by an earlier version (a table)."""
    for table in (EVENTS_RUNS, EVENTS_BATCHES, EVENTS_OUTCOMES):
        declare_table(store, table.spec())  # adds events_runs.total to runs before issue 9
    from tokops.activate.source import redact_recorded_queries

    redact_recorded_queries(store, RUNS_TABLE)  # SQL recorded verbatim before issue 9 (BYD-4)
    kind = store.kind(LEDGER_TABLE)
    if kind == "view":
        return
    statements: list[tuple[str, list[Any]]] = []
    if kind == "table":
        statements += _migration()
    statements.append((_view_sql(), []))
    run_transaction(store, statements)


def _migration() -> list[tuple[str, list[Any]]]:
    """Move the rows of an ``events_ledger`` table (the layout before the view) into
    ``events_batches`` / ``events_outcomes``: one batch per group of rows that share every batch
    column (``dense_rank`` gives the same number to the same group in both statements)."""
    shared = ", ".join(c for c in _BATCH_SHARED if c != "reason")
    ranked = f"SELECT *, DENSE_RANK() OVER (ORDER BY {shared}) AS batch_id FROM {LEDGER_TABLE}"
    keys = " + ".join(f"CASE WHEN {flag} THEN {bit} ELSE 0 END" for flag, bit in KEY_BITS.items())
    reason = EVENTS_BATCHES.column("reason").sql_type
    own = ", ".join(EVENTS_OUTCOMES.names[:-1])  # batch_id, event, event_id, event_time, reason
    bits = EVENTS_OUTCOMES.column(KEYS_COLUMN).sql_type
    return [
        (
            f"INSERT INTO {BATCHES_TABLE} (batch_id, {shared}, reason) "
            f"SELECT DISTINCT batch_id, {shared}, CAST(NULL AS {reason}) FROM ({ranked}) AS m",
            [],
        ),
        (
            f"INSERT INTO {OUTCOMES_TABLE} ({own}, {KEYS_COLUMN}) "
            f"SELECT {own}, CAST({keys} AS {bits}) FROM ({ranked}) AS m",
            [],
        ),
        (f"DROP TABLE {LEDGER_TABLE}", []),
    ]


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    source: str
    event_source: str
    event_source_id: str
    dry_run: bool
    test_event_code: str | None
    started_at: datetime
    total: int | None = None
    """Source rows the run is to account for (its counts add up to it once it ends)."""


def close_interrupted(store: Store, event_source_id: str) -> list[str]:
    """Mark this event source's runs still ``running`` as ``interrupted``, with the counts
    their ledger rows show; returns their ids.

    Only on a store that admits one writing process (:attr:`Store.single_writer`, DuckDB): a
    run still ``running`` when another starts belongs to a process that died (SIGKILL, power
    loss) before it could record its end. (On a shared server such as PostgreSQL another
    machine may be running it.)
    ``already_sent`` is not in the ledger and stays 0.
    """
    if not store.single_writer or not store.exists(RUNS_TABLE):
        return []
    runs = store.table(RUNS_TABLE)
    stale = runs.filter(runs.status == "running", runs.event_source_id == event_source_id)
    ids = [str(v) for v in store.fetch(stale.select("run_id")).column(0).to_pylist()]
    for run_id in ids:
        ledger = store.table(LEDGER_TABLE)
        mine = ledger.filter(ledger.run_id == run_id)
        rows = mine.group_by("status").aggregate(n=mine.count())
        got = store.fetch(rows).to_pydict()
        counts = dict(zip(got["status"], got["n"], strict=True))
        values: dict[str, Any] = {"status": "interrupted"}
        values.update({key: int(counts.get(key, 0)) for key in STATUSES})
        store.update(RUNS_TABLE, values, {"run_id": run_id})
    return ids


def start_run(store: Store, run: RunRecord) -> None:
    """Insert the run's row with status ``running``."""
    import pyarrow as pa

    row: dict[str, Any] = {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "finished_at": None,
        "source": run.source,
        "event_source": run.event_source,
        "event_source_id": run.event_source_id,
        "status": "running",
        "dry_run": run.dry_run,
        "test_event_code": run.test_event_code,
        **dict.fromkeys(COUNT_KEYS, 0),
        "total": run.total,
    }
    store.insert(RUNS_TABLE, pa.Table.from_pylist([row], schema=runs_schema()))


def sent_rows(ledger: ir.Table, event_source_id: str, test_event_code: str | None) -> ir.Table:
    """The ledger's ``sent`` rows of one event source and stream (live rows have no
    ``test_event_code``; a test run only matches rows of its own code)."""
    stream = (
        ledger.test_event_code.isnull()
        if test_event_code is None
        else ledger.test_event_code == test_event_code
    )
    return ledger.filter(ledger.event_source_id == event_source_id, ledger.status == "sent", stream)


def sent_count(store: Store, event_source_id: str, test_event_code: str | None) -> int:
    """How many ``sent`` rows the ledger holds for this event source and stream (the size of
    the "already sent" look-up a sync builds)."""
    if not store.exists(LEDGER_TABLE):
        return 0
    sent = sent_rows(store.table(LEDGER_TABLE), event_source_id, test_event_code)
    return int(store.fetch(sent.count()).column(0)[0].as_py() or 0)


def finish_run(
    store: Store, run_id: str, status: str, counts: Mapping[str, int], finished_at: datetime
) -> None:
    """Set the run's final status, end time and counts."""
    values: dict[str, Any] = {"status": status, "finished_at": finished_at}
    values.update({key: int(counts.get(key, 0)) for key in COUNT_KEYS})
    store.update(RUNS_TABLE, values, {"run_id": run_id})


@dataclass(frozen=True)
class LedgerRows:
    """Ledger rows ready to append: their batches and their own outcomes."""

    batches: pa.Table
    outcomes: pa.Table

    @property
    def num_rows(self) -> int:
        return int(self.outcomes.num_rows)

    def append_to(self, store: Store) -> None:
        """Append the batches and their outcomes in one transaction (batches first)."""
        store.insert_many([(BATCHES_TABLE, self.batches), (OUTCOMES_TABLE, self.outcomes)])

    @staticmethod
    def concat(parts: Sequence[LedgerRows]) -> LedgerRows:
        import pyarrow as pa

        if len(parts) == 1:
            return parts[0]
        return LedgerRows(
            pa.concat_tables([p.batches for p in parts]),
            pa.concat_tables([p.outcomes for p in parts]),
        )


def _batch_ids(n: int) -> pa.Array:
    """*n* consecutive new batch ids from a random 62-bit start (ids need no coordination
    between runs or processes; two runs drawing overlapping ranges is a 1-in-2^40 event even
    after a million batches)."""
    import pyarrow as pa

    start = secrets.randbits(62)
    return pa.array(range(start, start + n), batches_schema().field("batch_id").type)


def ledger_rows(
    meta: pa.Table,
    *,
    run_id: str,
    event_source: str,
    event_source_id: str,
    status: str,
    test_event_code: str | None,
    reason: str | pa.Array | None = None,
    attempts: int | None = None,
    api_code: int | None = None,
    request_id: str | None = None,
) -> LedgerRows:
    """One batch of ledger rows for *meta* (columns ``event, event_id, event_time`` and
    ``keys``, the match-key bit set).

    Everything but the meta columns is the same for the whole slice, except *reason*, which may
    be a per-row array (invalid rows).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = meta.num_rows
    batch_id = _batch_ids(1)[0].as_py()
    per_row = isinstance(reason, pa.Array | pa.ChunkedArray)
    events = meta.column("event")
    shared_event = None
    if n and events.null_count == 0:
        bounds = pc.min_max(events).as_py()
        if bounds["min"] == bounds["max"]:
            shared_event = bounds["min"]  # one event name for the whole batch: stored once
    batch: dict[str, Any] = {
        "batch_id": batch_id,
        "run_id": run_id,
        "event_source": event_source,
        "event_source_id": event_source_id,
        "event": shared_event,
        "status": status,
        "reason": None if per_row else reason,
        "attempts": attempts,
        "api_code": api_code,
        "request_id": request_id,
        "test_event_code": test_event_code,
        "recorded_at": datetime.now(UTC),
    }
    own: dict[str, Any] = {
        "event": None if shared_event is not None else events,
        "event_id": meta.column("event_id"),
        "event_time": meta.column("event_time"),
        "reason": reason if per_row else None,
        KEYS_COLUMN: meta.column(KEYS_COLUMN),
    }
    schema = outcomes_schema()
    outcomes = [
        pa.repeat(pa.scalar(batch_id, f.type), n)
        if f.name == "batch_id"
        else (pa.nulls(n, f.type) if own[f.name] is None else _typed(own[f.name], f.type))
        for f in schema
    ]
    return LedgerRows(
        pa.Table.from_arrays(
            [pa.array([batch[f.name]], f.type) for f in batches_schema()], schema=batches_schema()
        ),
        pa.Table.from_arrays(outcomes, schema=schema),
    )


def _typed(values: Any, type_: pa.DataType) -> Any:
    return values if values.type == type_ else values.cast(type_)


def append_rows(store: Store, rows: pa.Table) -> None:
    """Append rows given in the ``events_ledger`` shape (:func:`ledger_schema`), each as its own
    batch (for imports, repairs and tests; the sync writes through :class:`LedgerWriter`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ensure_tables(store)
    n = rows.num_rows
    ids = _batch_ids(n)
    bits = outcomes_schema().field(KEYS_COLUMN).type
    keys: Any = pa.repeat(pa.scalar(0, bits), n)
    for flag, bit in KEY_BITS.items():
        present = pc.fill_null(rows.column(flag), False)
        keys = pc.add(keys, pc.if_else(present, pa.scalar(bit, bits), 0))
    shared = {name: rows.column(name) for name in _BATCH_SHARED if name != "reason"}
    no_reason = pa.nulls(n, batches_schema().field("reason").type)
    batches = pa.table({"batch_id": ids, **shared, "reason": no_reason})
    own = EVENTS_OUTCOMES.names[1:-1]  # event, event_id, event_time, reason
    outcomes = pa.table(
        {
            "batch_id": ids,
            **{name: rows.column(name) for name in own},
            KEYS_COLUMN: pc.cast(keys, bits),
        }
    )
    LedgerRows(batches, outcomes).append_to(store)


Committed = Callable[[BaseException | None], None]
"""Called on the writer thread once rows are committed (None) or could not be (the error)."""


class _Item:
    __slots__ = ("committed", "done", "error", "rows")

    def __init__(self, rows: LedgerRows, wait: bool, committed: Committed | None) -> None:
        self.rows = rows
        self.done = threading.Event() if wait else None
        self.committed = committed
        self.error: BaseException | None = None


_STOP: Final = object()


class LedgerWriter:
    """The single thread that appends ledger rows, on its own connection (group commit).

    ``write(rows, wait=True)`` returns once the rows are committed (or raises). Pending writes are
    merged into one insert (the writer lingers *linger_s* for company: one commit then serves
    several senders, and commits are what costs); at most *max_pending* writes wait, so a
    fast producer (e.g. a source full of invalid rows) is slowed down instead of filling memory.
    With *checkpoint_rows*, the writer checkpoints the store after that many rows (between two
    commits, on its own connection): the run owns its checkpoints (none is triggered inside a
    commit, see :meth:`Store.streaming`) and the rows committed since the last one do not pile
    up in memory. Close with :meth:`close`, which flushes and reports the first write error.
    """

    def __init__(
        self,
        store: Store,
        *,
        max_rows_per_insert: int = 50_000,
        max_pending: int = 16,
        linger_s: float = 0.003,
        checkpoint_rows: int | None = None,
    ) -> None:
        self._store = store
        self._checkpoint_rows = checkpoint_rows
        self._since_checkpoint = 0
        self._linger_s = linger_s
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_pending)  # back-pressure
        self._max = max_rows_per_insert
        self._error: BaseException | None = None
        self.committed_rows = 0
        """Outcome rows committed so far (read by the sync to say what the ledger kept)."""
        self._thread = threading.Thread(target=self._run, name="tokops-ledger", daemon=True)
        self._thread.start()

    def write(
        self, rows: LedgerRows, *, wait: bool = True, committed: Committed | None = None
    ) -> None:
        """Queue *rows*; with *wait*, return once they are committed. *committed* is called
        (on the writer thread) when they are, or with the error when they cannot be."""
        if self._error is not None:
            raise PipelineError(f"the ledger cannot be written: {self._error}")
        if rows.num_rows == 0:
            if committed is not None:
                committed(None)
            return
        item = _Item(rows, wait, committed)
        self._queue.put(item)
        if item.done is not None:
            item.done.wait()
            if item.error is not None:
                raise PipelineError(f"the ledger cannot be written: {item.error}")

    def close(self) -> None:
        """Flush what is queued, stop the thread, close the connection; raise a write error."""
        self._queue.put(_STOP)
        self._thread.join()
        self._store.close()
        if self._error is not None:
            raise PipelineError(f"the ledger cannot be written: {self._error}")

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                return
            items: list[_Item] = [first]
            total = first.rows.num_rows
            deadline = time.monotonic() + self._linger_s
            while total < self._max:
                try:  # linger a moment: one commit for several senders' batches
                    nxt = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                items.append(nxt)
                total += nxt.rows.num_rows
            try:
                if self._error is not None:
                    raise self._error
                rows = LedgerRows.concat([i.rows for i in items])
                rows.append_to(self._store)
                self.committed_rows += rows.num_rows
                self._since_checkpoint += rows.num_rows
            except Exception as exc:  # noqa: BLE001 - any failure must reach the waiters
                self._error = self._error or exc
                for item in items:
                    item.error = exc
            finally:
                for item in items:
                    if item.committed is not None:
                        item.committed(item.error)
                    if item.done is not None:
                        item.done.set()
            self._maybe_checkpoint()

    def _maybe_checkpoint(self) -> None:
        if self._checkpoint_rows is None or self._since_checkpoint < self._checkpoint_rows:
            return
        if self._error is not None:
            return
        self._since_checkpoint = 0
        try:
            self._store.checkpoint()
        except Exception as exc:  # noqa: BLE001 - the next write reports it to the run
            self._error = exc
