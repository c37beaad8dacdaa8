"""The events ledger: what happened to every source row, per run, with no raw PII (BYD-4, EVT-9).

Schema (``docs/CONTRACTS.md``; health and other tools read these tables):

- ``events_ledger``: one row per source row outcome per run — ``run_id, event_source,
  event_source_id, event, event_id, event_time, status, reason, attempts, api_code, request_id,
  has_email, has_phone, has_external_id, has_ttclid, has_ttp, has_ip_ua, test_event_code,
  recorded_at``. ``status`` is ``sent``, ``invalid``, ``rejected``, ``duplicate`` or ``failed``.
  Rows whose event a previous run already sent are *not* written again (they are counted as
  ``already_sent`` in ``events_runs``); their ``sent`` row from the earlier run stays the record.
- ``events_runs``: one row per run — ``run_id, started_at, finished_at, source, event_source,
  event_source_id, status (running / completed / failed / interrupted), dry_run,
  test_event_code`` and the counts ``sent, invalid, rejected, duplicate, failed,
  already_sent``. ``interrupted``: the process died mid-run (see :func:`close_interrupted`).

Crash safety: :class:`LedgerWriter` is the single writer thread, on its own connection. A
sender hands it a batch's outcome; the sync lets at most a fixed number of sent batches wait
for their commit (``SyncOptions.unrecorded``), so at any instant at most those are
sent-but-unrecorded; a re-run resends only those (and TikTok deduplicates them by
``event_id``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import PipelineError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = [
    "COUNT_KEYS",
    "LEDGER_TABLE",
    "RUNS_TABLE",
    "STATUSES",
    "LedgerWriter",
    "RunRecord",
    "close_interrupted",
    "ensure_tables",
    "finish_run",
    "ledger_rows",
    "ledger_schema",
    "sent_count",
    "sent_rows",
    "start_run",
]

LEDGER_TABLE: Final = "events_ledger"
RUNS_TABLE: Final = "events_runs"
STATUSES: Final = ("sent", "invalid", "rejected", "duplicate", "failed")
COUNT_KEYS: Final = ("sent", "invalid", "rejected", "duplicate", "failed", "already_sent")
MATCH_FLAGS: Final = (
    "has_email",
    "has_phone",
    "has_external_id",
    "has_ttclid",
    "has_ttp",
    "has_ip_ua",
)


def ledger_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("run_id", pa.string()),
            ("event_source", pa.string()),
            ("event_source_id", pa.string()),
            ("event", pa.string()),
            ("event_id", pa.string()),
            ("event_time", pa.int64()),
            ("status", pa.string()),
            ("reason", pa.string()),
            ("attempts", pa.int32()),
            ("api_code", pa.int32()),
            ("request_id", pa.string()),
            *[(flag, pa.bool_()) for flag in MATCH_FLAGS],
            ("test_event_code", pa.string()),
            ("recorded_at", pa.timestamp("us", tz="UTC")),
        ]
    )


def runs_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("run_id", pa.string()),
            ("started_at", pa.timestamp("us", tz="UTC")),
            ("finished_at", pa.timestamp("us", tz="UTC")),
            ("source", pa.string()),
            ("event_source", pa.string()),
            ("event_source_id", pa.string()),
            ("status", pa.string()),
            ("dry_run", pa.bool_()),
            ("test_event_code", pa.string()),
            *[(key, pa.int64()) for key in COUNT_KEYS],
        ]
    )


def ensure_tables(store: Store) -> None:
    """Create ``events_ledger`` and ``events_runs`` when they do not exist yet."""
    import ibis

    store.ensure_table(LEDGER_TABLE, ibis.Schema.from_pyarrow(ledger_schema()))
    store.ensure_table(RUNS_TABLE, ibis.Schema.from_pyarrow(runs_schema()))


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    source: str
    event_source: str
    event_source_id: str
    dry_run: bool
    test_event_code: str | None
    started_at: datetime


def close_interrupted(store: Store, event_source_id: str) -> list[str]:
    """Mark this event source's runs still ``running`` as ``interrupted``, with the counts
    their ledger rows show; returns their ids.

    Only on DuckDB: its database file admits one writing process, so a run still ``running``
    when another starts belongs to a process that died (SIGKILL, power loss) before it could
    record its end. (On a shared server such as PostgreSQL another machine may be running it.)
    ``already_sent`` is not in the ledger and stays 0.
    """
    if store.engine != "duckdb" or not store.exists(RUNS_TABLE):
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
) -> pa.Table:
    """Ledger rows for *meta* (columns ``event, event_id, event_time`` and the ``has_*`` flags).

    Every other column is the same for the whole slice, except *reason*, which may be a
    per-row array (invalid rows).
    """
    import pyarrow as pa

    n = meta.num_rows
    schema = ledger_schema()

    def const(value: Any, type_: pa.DataType) -> pa.Array:
        if value is None:
            return pa.nulls(n, type_)
        return pa.repeat(pa.scalar(value, type_), n)

    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "run_id": const(run_id, pa.string()),
        "event_source": const(event_source, pa.string()),
        "event_source_id": const(event_source_id, pa.string()),
        "event": meta.column("event").cast(pa.string()),
        "event_id": meta.column("event_id").cast(pa.string()),
        "event_time": meta.column("event_time").cast(pa.int64()),
        "status": const(status, pa.string()),
        "reason": reason.cast(pa.string())
        if isinstance(reason, pa.Array | pa.ChunkedArray)
        else const(reason, pa.string()),
        "attempts": const(attempts, pa.int32()),
        "api_code": const(api_code, pa.int32()),
        "request_id": const(request_id, pa.string()),
        **{flag: meta.column(flag) for flag in MATCH_FLAGS},
        "test_event_code": const(test_event_code, pa.string()),
        "recorded_at": const(datetime.now(UTC), pa.timestamp("us", tz="UTC")),
    }
    return pa.Table.from_pydict(columns, schema=schema)


Committed = Callable[[BaseException | None], None]
"""Called on the writer thread once rows are committed (None) or could not be (the error)."""


class _Item:
    __slots__ = ("committed", "done", "error", "rows")

    def __init__(self, rows: pa.Table, wait: bool, committed: Committed | None) -> None:
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
    Close with :meth:`close`, which flushes and reports the first write error.
    """

    def __init__(
        self,
        store: Store,
        *,
        max_rows_per_insert: int = 50_000,
        max_pending: int = 16,
        linger_s: float = 0.003,
    ) -> None:
        self._store = store
        self._linger_s = linger_s
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_pending)  # back-pressure
        self._max = max_rows_per_insert
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="tokops-ledger", daemon=True)
        self._thread.start()

    def write(
        self, rows: pa.Table, *, wait: bool = True, committed: Committed | None = None
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
        import pyarrow as pa

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
                self._store.insert(LEDGER_TABLE, pa.concat_tables([i.rows for i in items]))
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
