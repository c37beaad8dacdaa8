"""Run tasks concurrently under one rate limit, with a single writer to the store.

- **Workers** (a thread pool) run tasks: they call the API — every call of every thread goes
  through the client's one :class:`~tokops.tiktok._http.RateLimiter` — and put the chunks they
  produce on a bounded queue (so fetching never runs far ahead of writing: memory stays bounded).
- **The writer** is the calling thread, the only one that touches the store (a DuckDB connection
  is not shared across threads). It merges each chunk with its checkpoint in one transaction, in
  the order a task produced them, and starts the tasks that waited for a finished one.
- A task that fails (retries exhausted, a refused request) fails its stream only; the others
  still complete and the run ends ``failed``. An optional stream that has no access is
  ``skipped``. An authentication error or a store failure stops the whole run. Ctrl-C stops
  taking new work, lets the calls in flight finish, keeps what was merged, and re-raises.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from tokops.errors import AuthError, WarehouseError
from tokops.ingest.metering import union_seconds
from tokops.ingest.state import RUNS, advance, window_row
from tokops.ingest.summary import IngestReporter, NullIngestReporter, StreamResult, SyncResult
from tokops.ingest.tasks import Chunk, StopRequested, Task, TaskContext, optional_failure
from tokops.warehouse import schema
from tokops.warehouse.merge import RowUpsert, declare_table, merge_batches, write_rows

if TYPE_CHECKING:
    from tokops.ingest.metering import Meter
    from tokops.warehouse import Store

__all__ = ["DEFAULT_CONCURRENCY", "Runner", "declare_tables", "new_run_id"]

DEFAULT_CONCURRENCY: Final = 8
_POLL_S: Final = 0.2
_Kind = Literal["chunk", "done"]


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def declare_tables(store: Store) -> None:
    """Create every table of the schema that is missing (and add new columns)."""
    for tbl in schema.SYNCED_TABLES:
        declare_table(store, tbl.spec())


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


class Runner:
    """Runs *tasks* against *ctx*, merging into *store*; see the module doc."""

    def __init__(
        self,
        store: Store,
        ctx: TaskContext,
        tasks: Sequence[Task],
        *,
        command: str,
        concurrency: int = DEFAULT_CONCURRENCY,
        reporter: IngestReporter | None = None,
        run_id: str | None = None,
        meter: Meter | None = None,
        extra_results: Sequence[StreamResult] = (),
        started_perf: float | None = None,
    ) -> None:
        self.store = store
        self.ctx = ctx
        self.tasks = list(tasks)
        self.command = command
        self.concurrency = max(1, concurrency)
        self.reporter = reporter or NullIngestReporter()
        self.started = ctx.now()
        self._t0 = time.perf_counter() if started_perf is None else started_perf
        self.run_id = run_id or new_run_id(self.started)
        self.meter = meter
        self.results = {t.label: StreamResult(t.stream, t.scope_id) for t in self.tasks}
        self.extra = list(extra_results)
        self._queue: queue.Queue[tuple[_Kind, Task, Any]] = queue.Queue(self.concurrency * 2)
        self._fatal: str | None = None
        self._waiting: list[Task] = []
        self._active = 0
        self._pool: ThreadPoolExecutor | None = None
        self._store_s = 0.0
        self._stalls: list[tuple[float, float]] = []
        self._stall_lock = threading.Lock()

    # -- workers ----------------------------------------------------------------------------
    def _work(self, task: Task) -> None:
        if self.meter is not None:
            self.meter.tag(task.label)
        try:
            for chunk in task.run(self.ctx):
                started = time.perf_counter()
                self._queue.put(("chunk", task, chunk))
                waited = (started, time.perf_counter())
                with self._stall_lock:
                    self._stalls.append(waited)
                self.ctx.check_stop()
                if self.results[task.label].status != "running":
                    break  # its last merge failed: stop pulling
            self._queue.put(("done", task, None))
        except BaseException as exc:  # noqa: BLE001 - reported to the writer, never lost
            self._queue.put(("done", task, exc))
        finally:
            if self.meter is not None:
                self.meter.tag(None)

    # -- the writer -------------------------------------------------------------------------
    def _merge(self, task: Task, chunk: Chunk) -> None:
        now = self.ctx.now()
        also: list[RowUpsert] = []
        cursor = None
        if chunk.window is not None and chunk.today is not None:
            cid = chunk.cursor_id or task.scope_id
            cursor = advance(
                self.ctx.cursors.get(task.stream, cid),
                task.stream,
                cid,
                chunk.window,
                today=chunk.today,
                lookback_days=self.ctx.lookback_days,
            )
            also = [
                cursor.row(now),
                window_row(task.stream, cid, chunk.window, chunk.rows, self.run_id, now),
            ]
        started = time.perf_counter()
        merge_batches(
            self.store,
            chunk.table,
            chunk.batches,
            key=schema.table(chunk.table).key,
            scope=chunk.scope,
            also=also,
        )
        self._store_s += time.perf_counter() - started
        if cursor is not None:
            self.ctx.cursors.put(cursor)

    def _finish(self, task: Task, error: BaseException | None) -> None:
        result = self.results[task.label]
        if result.status in ("failed", "cancelled"):
            pass
        elif error is None:
            result.status = "ok"
        elif isinstance(error, StopRequested):
            result.status = "cancelled"
            result.error = self._fatal or "stopped before the end"
        elif task.optional and optional_failure(error):
            result.status = "skipped"
            result.error = _one_line(error)
        else:
            result.status = "failed"
            result.error = _one_line(error)
            if isinstance(error, AuthError):
                self._stop(f"authentication failed: {_one_line(error)}")
        self.reporter.task_finished(result)

    def _stop(self, reason: str) -> None:
        if self._fatal is None:
            self._fatal = reason
        self.ctx.stop.set()

    def run(self) -> SyncResult:
        """Run every task and return the summary.

        KeyboardInterrupt is re-raised after the run is recorded as interrupted; any other
        exception of the writer (a crash) is re-raised once the workers have stopped.
        """
        write_rows(self.store, [self._run_row("running", None)])
        self.reporter.started(self.run_id, list(self.results.values()))
        crash: BaseException | None = None
        self._waiting = [t for t in self.tasks if t.after is not None and self._has_parent(t)]
        self._active = 0
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="tokops-ingest") as pool:
            self._pool = pool
            for task in [t for t in self.tasks if t not in self._waiting]:
                self._submit(task)
            while self._active:  # after a crash: keep draining until every worker is done
                try:
                    kind, task, payload = self._queue.get(timeout=_POLL_S)
                    self._handle(kind, task, payload)
                except queue.Empty:
                    continue
                except BaseException as exc:  # noqa: BLE001 - Ctrl-C or a crash: stop cleanly
                    crash = crash or exc
                    self._stop(
                        "interrupted"
                        if isinstance(exc, KeyboardInterrupt)
                        else f"crashed: {_one_line(exc)}"
                    )
            for task in self._waiting:
                self._finish(task, StopRequested("stopping"))
        interrupted = isinstance(crash, KeyboardInterrupt)
        result = self._summary(interrupted or crash is not None)
        if crash is not None and not interrupted:
            raise crash
        write_rows(self.store, [self._run_row(result.status, result)])
        self.reporter.finished(result)
        if interrupted:
            raise KeyboardInterrupt
        return result

    def _submit(self, task: Task) -> None:
        if self.ctx.stop.is_set():
            self._finish(task, StopRequested("stopping"))
            return
        self.results[task.label].status = "running"
        self._active += 1
        assert self._pool is not None, "tasks are submitted while run() holds the pool"
        self._pool.submit(self._work, task)

    def _handle(self, kind: _Kind, task: Task, payload: Any) -> None:
        if kind == "chunk":
            self._on_chunk(task, payload)
            return
        self._active -= 1
        self._finish(task, payload)
        for child in [t for t in self._waiting if self._child_of(t, task)]:
            self._waiting.remove(child)
            self._start_child(child, task)

    def _on_chunk(self, task: Task, chunk: Chunk) -> None:
        result = self.results[task.label]
        if result.status != "running" or self.ctx.stop.is_set():
            return  # the stream failed or the run stops: later windows are not merged
        try:
            self._merge(task, chunk)
        except WarehouseError as exc:
            result.status = "failed"
            result.error = _one_line(exc)
            self._stop(f"the store failed: {_one_line(exc)}")
            return
        result.add_window(chunk.window, chunk.rows)
        self.reporter.merged(result, chunk.window, chunk.rows)

    def _has_parent(self, task: Task) -> bool:
        return any(p.stream == task.after and p.scope_id == task.scope_id for p in self.tasks)

    @staticmethod
    def _child_of(child: Task, parent: Task) -> bool:
        return child.after == parent.stream and child.scope_id == parent.scope_id

    def _start_child(self, child: Task, parent: Task) -> None:
        status = self.results[parent.label].status
        if status == "ok":
            self._submit(child)
            return
        result = self.results[child.label]
        result.status = "skipped" if status == "skipped" else "failed"
        result.error = f"not run: {parent.stream} {status}"
        self.reporter.task_finished(result)

    # -- summary ----------------------------------------------------------------------------
    def _summary(self, interrupted: bool) -> SyncResult:
        finished = self.ctx.now()
        seconds = max(time.perf_counter() - self._t0, 1e-9)
        streams = [*self.extra, *self.results.values()]
        busy = wait = 0.0
        calls = 0
        if self.meter is not None:
            report = self.meter.report(since=self._t0)
            calls, busy, wait = report.calls, report.busy_s, report.limiter_wait_s
            for res in streams:
                res.calls = report.calls_by_stream.get(res.label, res.calls)
        failed = any(s.status in ("failed", "cancelled") for s in streams)
        status: Literal["ok", "failed", "interrupted"] = (
            "interrupted" if interrupted else "failed" if failed else "ok"
        )
        return SyncResult(
            self.run_id,
            self.command,
            status,
            self.started,
            finished,
            seconds,
            streams,
            calls,
            busy,
            wait,
            self._store_s,
            union_seconds(self._stalls),
            self.ctx.guard.dropped(),
        )

    def _run_row(self, status: str, result: SyncResult | None) -> RowUpsert:
        return RowUpsert(
            RUNS,
            schema.INGEST_RUNS.key,
            {
                "run_id": self.run_id,
                "command": self.command,
                "started_at": self.started,
                "finished_at": result.finished_at if result else None,
                "status": status,
                "summary": result.to_json() if result else None,
            },
        )
