"""``run_sync``: warehouse rows → TikTok Events API, exactly once per event as far as we can tell.

The flow (EVT-1, EVT-3, EVT-4, EVT-7, BYD-2, BYD-4):

1. Resolve the source (table, SQL query, CSV/Parquet file) and the mapping.
2. Build one engine query (:mod:`.prepare`): normalise and hash match keys, validate every row,
   derive missing event ids, flag duplicates inside the source and events the ledger already
   shows as sent. Nothing per row happens in Python.
3. Stream the result in Arrow batches. Invalid and duplicate rows go to the ledger; the rest
   become JSON (:mod:`.payload`) and are cut into requests of at most ``batch_size`` events.
4. A small thread pool (``concurrency``) sends the requests (:mod:`.sender`, which bisects a
   request TikTok refuses as a whole). After each answer the sender hands the outcome to the
   single ledger writer, which commits the outcomes waiting for it together. No new request
   starts while ``unrecorded`` requests are sent or in flight without a committed outcome, so
   a crash at any instant leaves at most that many requests sent but unrecorded — the only
   events a re-run sends twice (TikTok deduplicates them by event_id).
5. Retries exhausted → rows ``failed``, no new requests, the run ends ``failed`` (a re-run sends
   them). Credential or permission errors stop the run at once. Ctrl-C waits for the requests in
   flight, records them, and re-raises.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from tokops.activate import ledger as ledger_mod
from tokops.activate.ledger import (
    COUNT_KEYS,
    KEY_BITS,
    KEYS_COLUMN,
    LedgerRows,
    LedgerWriter,
    RunRecord,
    ledger_rows,
    outcomes_schema,
)
from tokops.activate.mapping import FieldMapping, load_mapping, resolve_mapping
from tokops.activate.payload import EncodedEvents, match_keys
from tokops.activate.prepare import PrepareOptions, prepare
from tokops.activate.samples import record_samples
from tokops.activate.sender import BatchSender, Delivery
from tokops.activate.source import Source, open_source
from tokops.activate.summary import NullReporter, SyncReporter, SyncSummary
from tokops.activate.validate import Reason
from tokops.errors import ConfigError, PipelineError, TokopsError, WarehouseError
from tokops.tiktok.events import MAX_EVENTS_PER_REQUEST, EventsClient

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = ["SyncOptions", "SyncSummary", "run_sync"]

EventSourceName = Literal["web", "offline", "crm"]
DEFAULT_MAX_AGE_DAYS: Final = {"web": 7, "crm": 28, "offline": 28}
READ_ROWS: Final = 5_000
"""Rows per Arrow batch read from the engine."""
STREAM_MEMORY_MB: Final = 64
"""The stream's memory for intermediates (more spills to disk), on the reading connection only:
the instance's memory limit, shared with the ledger writer's connection, is never changed
(issue 9; see :meth:`Store.streaming`) …"""
LOOKUP_MB_PER_MILLION: Final = 96
"""… plus this much per million events the ledger shows as sent: the "already sent" look-up is
an in-memory hash table (a re-run after 1,000,000 sent events needs about 64 MB more)."""
CHECKPOINT_ROWS: Final = 200_000
"""The ledger writer checkpoints the store after this many rows (no automatic checkpoint runs
inside a run's commits; what is committed since the last checkpoint stays in memory)."""
ALL_REJECTED_BREAKER: Final = 64
"""A request of at least this many events that TikTok rejects entirely stops the run."""
TOP_REASONS: Final = 5
_META_COLUMNS: Final = ("event", "event_id", "event_time")
_FLAG_COLUMNS: Final = ("_json", "_reason", "_already", "_dupkey", "_note", "_sample")


def _streamed(prepared: ir.Table) -> ir.Table:
    """What Python reads of the prepared rows: the ledger's metadata, the match-key flags and
    the event text (the hashed keys and other fields are inside ``_json`` already)."""
    keys = {KEYS_COLUMN: match_keys(prepared, KEY_BITS)}
    return prepared.select(*_META_COLUMNS, *_FLAG_COLUMNS, **keys)


@dataclass(frozen=True)
class SyncOptions:
    """What to sync and how (the CLI fills it from flags and ``tokops.toml``)."""

    source: str
    """A table name, a SQL query, or a CSV/Parquet path."""
    event_source: EventSourceName
    event_source_id: str
    """Pixel code (web), offline event set id, or CRM event set id."""
    mapping: FieldMapping | Path | None = None
    """A mapping (or mapping file); columns named like the fields map themselves."""
    dry_run: bool = False
    test_event_code: str | None = None
    batch_size: int = MAX_EVENTS_PER_REQUEST
    concurrency: int = 4
    unrecorded: int = 16
    """Requests sent whose outcome may still wait for the ledger's commit (at least
    ``concurrency``): the most a crash can leave unrecorded, so a re-run resends at most
    ``unrecorded × batch_size`` events (TikTok deduplicates them by ``event_id``). Letting a
    few wait makes each ledger commit cover several requests."""
    phone_region: str = "US"
    max_age_days: int | None = None
    """Oldest event accepted, for web and crm (default 7 and 28 days); offline is fixed at 28."""
    timezone: str | None = None
    """Zone of times written without one, unless the mapping names one (default UTC)."""

    def check(self) -> None:
        if self.event_source not in ("web", "offline", "crm"):
            raise ConfigError("event source must be web, offline or crm")
        if not self.event_source_id.strip():
            raise ConfigError("an event source id is required (pixel code or event set id)")
        if not 1 <= self.batch_size <= MAX_EVENTS_PER_REQUEST:
            raise ConfigError(f"batch size must be between 1 and {MAX_EVENTS_PER_REQUEST}")
        if not 1 <= self.concurrency <= 32:
            raise ConfigError("concurrency must be between 1 and 32")
        if not 1 <= self.unrecorded <= 256:
            raise ConfigError("unrecorded requests must be between 1 and 256")
        if self.max_age_days is not None and self.max_age_days < 1:
            raise ConfigError("max age must be at least one day")


def _new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class _Pending:
    """Events waiting to fill a request: serialised events plus their ledger metadata."""

    def __init__(self) -> None:
        self.events: list[EncodedEvents] = []
        self.metas: list[pa.Table] = []
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def add(self, events: EncodedEvents, meta: pa.Table) -> None:
        self.events.append(events)
        self.metas.append(meta)
        self.count += len(events)

    def take(self, n: int) -> tuple[EncodedEvents, pa.Table]:
        import pyarrow as pa

        events = EncodedEvents.concat(self.events)
        meta = pa.concat_tables(self.metas) if len(self.metas) > 1 else self.metas[0]
        n = min(n, self.count)
        rest = len(events) - n
        self.events = [events.slice(n, len(events))] if rest else []
        self.metas = [meta.slice(n)] if rest else []
        self.count = rest
        return events.slice(0, n), meta.slice(0, n)


class _Run:
    """One sync run's state; see :func:`run_sync`."""

    def __init__(
        self,
        store: Store,
        client: EventsClient | None,
        options: SyncOptions,
        reporter: SyncReporter,
        run_id: str,
    ) -> None:
        self.store = store
        self.options = options
        self.reporter = reporter
        self.run_id = run_id
        self.counts: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()
        self.samples: dict[tuple[str | None, str], str] = {}
        """(event name, reason) → the first redacted sample of the run."""
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.error: str | None = None
        self.seen_dups: set[tuple[str, str]] = set()
        self.sample: dict[str, Any] | None = None
        self.writer: LedgerWriter | None = None
        self.sender: BatchSender | None = None
        if client is not None:
            self.sender = BatchSender(
                client,
                event_source=options.event_source,
                event_source_id=options.event_source_id,
                test_event_code=options.test_event_code,
                max_attempts=client.api.retry.max_retries + 1,
            )

    # -- bookkeeping ----------------------------------------------------------------------
    def _rows(self, meta: pa.Table, status: str, **kw: Any) -> LedgerRows:
        return ledger_rows(
            meta,
            run_id=self.run_id,
            event_source=self.options.event_source,
            event_source_id=self.options.event_source_id,
            status=status,
            test_event_code=self.options.test_event_code,
            **kw,
        )

    def _count(self, status: str, n: int, reasons: Counter[str] | None = None) -> None:
        self._count_many(Counter({status: n}), reasons)

    def _count_many(self, per_status: Counter[str], reasons: Counter[str] | None = None) -> None:
        with self.lock:
            self.counts.update(per_status)
            if reasons:
                self.reasons.update(reasons)
            done = sum(self.counts[k] for k in (*COUNT_KEYS, "would_send"))
            self.reporter.progressed(done, dict(self.counts))

    def fail(self, message: str) -> None:
        with self.lock:
            if self.error is None:
                self.error = message
        self.stop.set()

    # -- reading --------------------------------------------------------------------------
    def record_rejected_lines(self, source: Source) -> None:
        import pyarrow as pa

        if not source.rejected:
            return
        n = len(source.rejected)
        meta = pa.table(
            {
                "event": pa.nulls(n, pa.string()),
                "event_id": pa.nulls(n, pa.string()),
                "event_time": pa.nulls(n, pa.int64()),
                KEYS_COLUMN: pa.repeat(pa.scalar(0, outcomes_schema().field(KEYS_COLUMN).type), n),
            }
        )
        reasons = [f"{Reason.MALFORMED_LINE} ({r.problem}), line {r.line}" for r in source.rejected]
        if self.writer is not None:
            self.writer.write(self._rows(meta, "invalid", reason=pa.array(reasons)), wait=False)
        keys = Counter(f"{Reason.MALFORMED_LINE} ({r.problem})" for r in source.rejected)
        self._count("invalid", n, keys)

    def split(self, batch: pa.RecordBatch) -> pa.Table | None:
        """Record invalid / duplicate / already-sent rows; return the rows to send."""
        import pyarrow as pa
        import pyarrow.compute as pc

        table = pa.Table.from_batches([batch])
        reason = table.column("_reason")
        invalid = pc.is_valid(reason)
        valid = pc.invert(invalid)
        already = pc.and_(valid, table.column("_already"))
        candidate = pc.and_(valid, pc.invert(already))
        dup = self._duplicates(table, pc.and_(candidate, table.column("_dupkey")))
        to_send = pc.and_(candidate, pc.invert(dup))
        n_invalid = pc.sum(invalid).as_py() or 0
        n_dup = pc.sum(dup).as_py() or 0
        n_already = pc.sum(already).as_py() or 0
        if n_invalid:
            bad = table.filter(invalid)
            counts = Counter(
                {
                    str(r["values"]): int(r["counts"])
                    for r in pc.value_counts(bad["_reason"]).to_pylist()
                }
            )
            if self.writer is not None:
                self.writer.write(
                    self._rows(
                        self._meta(bad), "invalid", reason=bad.column("_reason").combine_chunks()
                    ),
                    wait=False,
                )
            self._keep_samples(bad)
            self._count("invalid", n_invalid, counts)
        if n_dup:
            dups = table.filter(dup)
            if self.writer is not None:
                reason_text = "duplicate of another row of the source (same event and event_id)"
                self.writer.write(
                    self._rows(self._meta(dups), "duplicate", reason=reason_text), wait=False
                )
            self._count("duplicate", n_dup)
        if n_already:
            self._count("already_sent", n_already)
        n_send = table.num_rows - n_invalid - n_dup - n_already
        if table.column("_note").null_count < table.num_rows:
            notes = pc.filter(table.column("_note"), to_send)
            with self.lock:
                for r in pc.value_counts(notes.drop_null()).to_pylist():
                    self.notes[str(r["values"])] += int(r["counts"])
        if n_send == table.num_rows:
            return table  # the usual case: no filter (it would copy every event's text)
        return table.filter(to_send) if n_send else None

    def _keep_samples(self, bad: pa.Table) -> None:
        """Keep the first redacted sample of each (event, reason) not sampled yet."""
        import pyarrow.compute as pc

        if bad.column("_sample").null_count == bad.num_rows:
            return
        with_sample = bad.filter(pc.is_valid(bad.column("_sample")))
        firsts = with_sample.group_by(["event", "_reason"], use_threads=False).aggregate(
            [("_sample", "first")]
        )  # one row per (event, reason) of the batch: Python never loops over the rows
        for r in firsts.to_pylist():
            self.samples.setdefault((r["event"], str(r["_reason"])), str(r["_sample_first"]))

    def _duplicates(self, table: pa.Table, in_dup_group: pa.Array) -> pa.Array:
        """Rows of a duplicate group after its first (in stream order): Python sees only those."""
        import pyarrow as pa
        import pyarrow.compute as pc

        flags = [False] * table.num_rows
        indices = pc.indices_nonzero(in_dup_group).to_pylist()
        if indices:
            events = pc.take(table.column("event"), indices).to_pylist()
            ids = pc.take(table.column("event_id"), indices).to_pylist()
            for i, key in zip(indices, zip(events, ids, strict=True), strict=True):
                if key in self.seen_dups:
                    flags[i] = True
                else:
                    self.seen_dups.add(key)
        return pa.array(flags, pa.bool_())

    @staticmethod
    def _meta(table: pa.Table) -> pa.Table:
        return table.select([*_META_COLUMNS, KEYS_COLUMN, "_note"])

    # -- sending --------------------------------------------------------------------------
    def send(self, events: EncodedEvents, meta: pa.Table, recorded: Callable[[], None]) -> None:
        """Deliver one request's events and hand their outcome to the ledger writer (runs on a
        pool thread). *recorded* is called exactly once: when the outcome is committed, or at
        once when nothing was sent."""
        assert self.sender is not None and self.writer is not None

        handed = False
        try:
            if self.stop.is_set():
                return
            delivery: Delivery = self.sender.deliver(events)
            tables = []
            reasons: Counter[str] = Counter()
            per_status: Counter[str] = Counter()
            for out in delivery.outcomes:
                part = meta.slice(out.start, out.stop - out.start)
                note = part.column("_note")
                # a sent event's note (phone dropped …) is its reason in the ledger
                noted = out.status == "sent" and note.null_count < part.num_rows
                tables.append(
                    self._rows(
                        part,
                        out.status,
                        reason=note.combine_chunks() if noted else out.reason,
                        attempts=out.attempts,
                        api_code=out.api_code,
                        request_id=out.request_id,
                    )
                )
                per_status[out.status] += part.num_rows
                if out.status != "sent" and out.reason:
                    reasons[out.reason] += part.num_rows

            def committed(error: BaseException | None) -> None:
                if error is not None:
                    self.fail(f"the ledger cannot be written: {error}")
                recorded()

            self.writer.write(LedgerRows.concat(tables), wait=False, committed=committed)
            handed = True
        finally:
            if not handed:
                recorded()
        self._count_many(per_status, reasons)
        if delivery.stop is not None:
            self.fail(f"stopped: {delivery.stop}")
        elif per_status["failed"]:
            self.fail(
                "TikTok could not be reached or kept failing after retries; "
                "the events not sent are marked failed and a re-run sends them"
            )
        elif len(events) >= ALL_REJECTED_BREAKER and per_status["rejected"] == len(events):
            sample = next(o.reason for o in delivery.outcomes if o.reason)
            self.fail(
                f"TikTok rejected every event of a request of {len(events)} ({sample}); "
                "check the mapping and the event source id"
            )


def _dispatch(
    run: _Run,
    pool: ThreadPoolExecutor,
    slots: threading.Semaphore,
    unrecorded: threading.Semaphore,
    events: EncodedEvents,
    meta: pa.Table,
) -> None:
    """Hand one request to the pool once a slot is free: at most ``concurrency`` in flight, and
    at most ``unrecorded`` sent or in flight whose outcome the ledger has not committed yet."""
    unrecorded.acquire()
    slots.acquire()
    if run.stop.is_set():
        slots.release()
        unrecorded.release()
        return

    def job() -> None:
        try:
            run.send(events, meta, unrecorded.release)
        except TokopsError as exc:
            run.fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must stop the run, not hang it
            run.fail(f"internal error while sending: {type(exc).__name__}: {exc}")
        finally:
            slots.release()

    pool.submit(job)


def run_sync(
    store: Store,
    client: EventsClient | None,
    options: SyncOptions,
    *,
    reporter: SyncReporter | None = None,
    now: datetime | Callable[[], datetime] | None = None,
) -> SyncSummary:
    """Sync *options.source* to the Events API through *client* (None only for a dry run).

    Returns the summary; ``summary.completed`` is False when the run could not finish (retries
    exhausted, credentials refused …) — a re-run resumes. Problems with the whole source (missing
    table, unusable mapping) raise :class:`~tokops.errors.TokopsError` before anything is sent.
    """
    options.check()
    if client is None and not options.dry_run:
        raise ConfigError("a TikTok client is required unless this is a dry run")
    reporter = reporter or NullReporter()
    now_dt = (now() if callable(now) else now) or datetime.now(UTC)
    started = time.monotonic()
    mapping = (
        load_mapping(options.mapping) if isinstance(options.mapping, Path) else options.mapping
    )

    ledger_mod.ensure_tables(store)
    source = open_source(store, options.source)
    resolved = resolve_mapping(source.table.columns, mapping, options.event_source)
    prepared = _streamed(prepare(store, source.table, resolved, _prepare_options(options, now_dt)))
    total = int(store.fetch(source.table.count()).column(0)[0].as_py()) + len(source.rejected)
    record = _start_run(store, options, source, total, now_dt)
    run = _Run(store, client, options, reporter, record.run_id)
    reporter.started(record.run_id, total, options.dry_run)
    interrupted = False
    store_error: TokopsError | None = None
    try:
        with store.streaming(_stream_memory_mb(store, options)):
            if options.dry_run:
                _dry(run, prepared, source)
            else:
                _live(run, prepared, source)
    except KeyboardInterrupt:
        interrupted = True
        run.fail("interrupted; what was sent is recorded and a re-run resumes")
        raise
    except TokopsError as exc:
        if not isinstance(exc, WarehouseError) and store.usable:
            run.fail(str(exc))
            raise
        store_error = exc  # the engine failed: one line says what the ledger kept
        run.fail(f"the store failed: {exc}")
    except BaseException as exc:
        run.fail(str(exc) if isinstance(exc, TokopsError) else f"{type(exc).__name__}: {exc}")
        raise
    finally:
        marked = _finish_run(run, record, started, interrupted)
    if store_error is not None or not store.usable:
        raise PipelineError(_store_failed(run, store_error, marked)) from None
    if not options.dry_run:  # a dry run records no samples
        try:
            record_samples(store, record.run_id, options.event_source_id, run.samples)
        except TokopsError:
            pass  # samples are a convenience of the read-out: never fail a run for them
    zone = time_zone_note(source.table, resolved, options)
    summary = _summary(run, source, total, started, zone)
    reporter.finished(summary)
    return summary


def _start_run(
    store: Store, options: SyncOptions, source: Source, total: int, now: datetime
) -> RunRecord:
    """Record the run's start (after marking a run of the same source id that a crash left
    open as interrupted)."""
    record = RunRecord(
        run_id=_new_run_id(now),
        source=source.label,
        event_source=options.event_source,
        event_source_id=options.event_source_id,
        dry_run=options.dry_run,
        test_event_code=options.test_event_code,
        started_at=now,
        total=total,
    )
    ledger_mod.close_interrupted(store, options.event_source_id)
    ledger_mod.start_run(store, record)
    return record


def _stream_memory_mb(store: Store, options: SyncOptions) -> int:
    """The stream's memory: :data:`STREAM_MEMORY_MB` plus the "already sent" look-up's."""
    sent_before = ledger_mod.sent_count(store, options.event_source_id, options.test_event_code)
    return STREAM_MEMORY_MB + -(-sent_before * LOOKUP_MB_PER_MILLION // 1_000_000)


def _status(run: _Run) -> Literal["completed", "failed"]:
    return "failed" if run.error else "completed"


def _finish_run(run: _Run, record: RunRecord, started: float, interrupted: bool) -> bool:
    """Mark the run completed or failed in the ledger; whether it could be. A store error here
    is raised only when nothing else went wrong (else the first error is the one to report)."""
    finished = record.started_at + timedelta(seconds=time.monotonic() - started)
    counts = {key: run.counts[key] for key in COUNT_KEYS}
    try:
        if run.store.usable:  # an invalidated instance is never touched again
            ledger_mod.finish_run(run.store, record.run_id, _status(run), counts, finished)
            return True
    except TokopsError:
        if not interrupted and run.error is None:
            raise
    return False


def _prepare_options(options: SyncOptions, now: datetime) -> PrepareOptions:
    return PrepareOptions(
        event_source=options.event_source,
        event_source_id=options.event_source_id,
        now=int(now.timestamp()),
        max_age_days=options.max_age_days or DEFAULT_MAX_AGE_DAYS[options.event_source],
        phone_region=options.phone_region,
        test_event_code=options.test_event_code,
        timezone=options.timezone,
    )


def _summary(
    run: _Run, source: Source, total: int, started: float, time_zone: str | None
) -> SyncSummary:
    """The run's summary. Its counts always add up to the *total*: ``not_processed`` holds the
    rows a run that stopped early did not reach."""
    counts = {"total": total, **{key: run.counts[key] for key in COUNT_KEYS}}
    seconds = time.monotonic() - started
    dry_run = run.options.dry_run
    moved = run.counts["would_send"] if dry_run else run.counts["sent"]
    if dry_run:
        counts["would_send"] = run.counts["would_send"]
    done = sum(n for key, n in counts.items() if key != "total")
    if done < counts["total"]:
        counts["not_processed"] = counts["total"] - done
    return SyncSummary(
        run_id=run.run_id,
        status=_status(run),
        dry_run=dry_run,
        counts=counts,
        top_reasons=run.reasons.most_common(TOP_REASONS),
        seconds=round(seconds, 3),
        events_per_s=round(moved / seconds, 1) if seconds > 0 else 0.0,
        error=run.error,
        rejected_lines=[(r.line, r.problem) for r in source.rejected[:20]],
        sample_event=run.sample,
        reason_samples=_reason_samples(run.samples),
        notes=run.notes.most_common(),
        time_zone=time_zone,
    )


def _reason_samples(samples: dict[tuple[str | None, str], str]) -> dict[str, str]:
    """One sample per reason (of any event)."""
    out: dict[str, str] = {}
    for (_event, reason), sample in sorted(samples.items(), key=lambda kv: str(kv[0])):
        out.setdefault(reason, sample)
    return out


def time_zone_note(table: ir.Table, mapping: FieldMapping, options: SyncOptions) -> str | None:
    """The zone assumed for times without one, when the source's times can lack one (text,
    timestamps without zone, dates); None for unix numbers and zoned timestamps."""
    column = mapping.columns.get("event_time")
    if column is None:
        return None
    dtype = table[column].type()
    if dtype.is_numeric() or (dtype.is_timestamp() and dtype.timezone):
        return None
    if dtype.is_string() and mapping.event_time_format and "%z" in mapping.event_time_format:
        return None  # every time carries its zone
    return mapping.timezone or options.timezone or "UTC"


def _store_failed(run: _Run, error: TokopsError | None, marked: bool) -> str:
    """One line for a run the store stopped: what happened, what the ledger kept, what next."""
    recorded = run.writer.committed_rows if run.writer is not None else 0
    cause = run.store.fatal_error or (str(error) if error is not None else run.error) or ""
    cause = cause.rstrip(". ") + "."
    where = "marked failed" if marked else "recorded as interrupted by the next run"
    return (
        f"the store failed during run {run.run_id}: {cause} The ledger kept {recorded:,} "
        f"outcomes ({run.counts['sent']:,} events sent); the run is {where}. "
        "Run the same command again to resume."
    )


def _dry(run: _Run, prepared: Any, source: Source) -> None:
    run.record_rejected_lines(source)
    with closing(run.store.batches(prepared, READ_ROWS)) as batches:
        for batch in batches:
            table = run.split(batch)
            if table is None:
                continue
            if run.sample is None:
                run.sample = EncodedEvents(table.column("_json").slice(0, 1)).event(0)
            run._count("would_send", table.num_rows)


def _live(run: _Run, prepared: Any, source: Source) -> None:
    opts = run.options
    run.writer = LedgerWriter(run.store.fork(), checkpoint_rows=CHECKPOINT_ROWS)
    slots = threading.Semaphore(opts.concurrency)
    unrecorded = threading.Semaphore(max(opts.unrecorded, opts.concurrency))
    pending = _Pending()
    ended = False
    try:
        with ThreadPoolExecutor(opts.concurrency, thread_name_prefix="tokops-send") as pool:
            try:
                run.record_rejected_lines(source)
                with closing(run.store.batches(prepared, READ_ROWS)) as batches:
                    for batch in batches:
                        if run.stop.is_set():
                            break
                        table = run.split(batch)
                        if table is not None:
                            pending.add(EncodedEvents(table.column("_json")), run._meta(table))
                        while len(pending) >= opts.batch_size and not run.stop.is_set():
                            events, meta = pending.take(opts.batch_size)
                            _dispatch(run, pool, slots, unrecorded, events, meta)
                while len(pending) and not run.stop.is_set():
                    events, meta = pending.take(opts.batch_size)
                    _dispatch(run, pool, slots, unrecorded, events, meta)
            except BaseException:
                run.stop.set()  # no new requests; those in flight finish and are recorded
                raise
        ended = True
    finally:
        try:
            run.writer.close()
        except TokopsError:
            if ended:
                raise  # otherwise the error that ended the stream is the one to report
