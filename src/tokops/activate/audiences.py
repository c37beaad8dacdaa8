"""Suppression audiences: hashed customer lists from the store to TikTok custom audiences (EVT-8).

Typical use: the buyers of the last 30 days, so ads stop spending on people who already bought
(about 10 % of acquisition cost goes to them, per the seed document). One sync:

1. reads the source (a table, a SQL query, a CSV or Parquet file) and keeps the rows of the last
   ``since_days`` by ``time_column`` when asked;
2. normalises and SHA-256-hashes the key column **in the engine**, with the same rules as the
   events sync (:mod:`tokops.activate.normalize`): email trimmed and lower-cased, phone in E.164
   with the workspace's default region, a 64-hex value passed through;
3. counts blank and invalid rows by reason (never showing a value), drops duplicates, and builds
   the customer file: the distinct hashes, sorted, one per line — sorting makes the file's MD5 a
   fingerprint of the audience's content;
4. uploads it and creates the audience the first time, or replaces its content (``REPLACE``)
   afterwards; when the MD5 equals the last upload's, nothing is uploaded;
5. records the run in the store's ``audience_syncs`` table (append-only; the latest row of an
   (advertiser, name) pair is its current state). Hashes are never stored there.

TikTok needs at least 1,000 entries for a customer-file audience (and refuses a ``REPLACE`` that
leaves fewer); smaller lists are warned about, dry run included. Match rate follows Census:
matched / original segment size, invalid rows kept in the denominator
(``analytics_and_reverse_etl.md`` §4a); TikTok reports the matched size (``cover_num``) 24–48 h
after an upload.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

from tokops.activate.mapping import detect_mapping
from tokops.activate.normalize import hash_email, hash_phone
from tokops.activate.source import open_source
from tokops.errors import ConfigError, NotFoundError, PipelineError, SourceError
from tokops.tiktok.audiences import (
    MAX_NAME_LENGTH,
    MIN_AUDIENCE_SIZE,
    AudiencesClient,
    CustomAudience,
    file_signature,
)
from tokops.warehouse.merge import declare_table
from tokops.warehouse.schema import AUDIENCE_SYNCS

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = [
    "CALCULATE_TYPE_BY_KEY",
    "RECORD_TABLE",
    "AudienceKey",
    "AudienceRecord",
    "AudienceStatus",
    "AudienceSyncOptions",
    "AudienceSyncResult",
    "audience_status",
    "last_record",
    "run_audience_sync",
]

AudienceKey = Literal["email", "phone"]
SyncAction = Literal["create", "replace", "recreate", "unchanged"]

CALCULATE_TYPE_BY_KEY: Final[dict[str, str]] = {"email": "EMAIL_SHA256", "phone": "PHONE_SHA256"}
RECORD_TABLE: Final = AUDIENCE_SYNCS.name
_HASH_BATCH: Final = 100_000

_REASONS: Final[dict[str, tuple[str, str]]] = {
    "email": ("email: empty", "email: not an email address"),
    "phone": ("phone: empty", "phone: not a phone number (no valid E.164 form)"),
}


@dataclass(frozen=True)
class AudienceSyncOptions:
    """What to sync. *source* is a table name, a SQL query, or a ``.csv`` / ``.parquet`` path."""

    source: str
    name: str
    key: AudienceKey = "email"
    column: str | None = None
    """Column holding the key; default: the one named like the key (case and punctuation aside)."""
    advertiser_id: str | None = None
    since_days: int | None = None
    time_column: str | None = None
    dry_run: bool = False
    phone_region: str = "US"
    retention_in_days: int | None = None
    """Only used when the audience is created (TikTok: 1–365; none = 365 days after last use)."""
    force: bool = False
    """Upload even when the content did not change since the last sync."""


class OptionError(ConfigError):
    """An unusable :class:`AudienceSyncOptions`. The message names options by their field
    (``since_days needs time_column``); a front end words them its own way with :meth:`worded`
    (the command line names its flags)."""

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        """The message with ``{field}`` where an option is named and ``{value}`` slots."""
        self.values = values
        super().__init__(self.worded(lambda name: name))

    def worded(self, option_name: Callable[[str], str]) -> str:
        """The message with each option named by *option_name* (field name → its wording)."""
        names = {f.name: option_name(f.name) for f in fields(AudienceSyncOptions)}
        return self.template.format_map({**names, **self.values})


@dataclass(frozen=True)
class AudienceRecord:
    """One row of ``audience_syncs``."""

    run_id: str
    synced_at: datetime
    name: str
    advertiser_id: str
    custom_audience_id: str | None
    calculate_type: str
    action: str
    rows: int
    invalid: int
    entries: int
    file_md5: str


@dataclass(frozen=True)
class AudienceSyncResult:
    """What a sync found and did (or, in a dry run, would do)."""

    run_id: str
    name: str
    key: AudienceKey
    calculate_type: str
    advertiser_id: str | None
    rows_read: int
    """Source rows before the time window."""
    rows: int
    """Rows in the window: the segment's original size (Census's denominator)."""
    invalid: int
    """Blank or unusable values (counted per reason in *invalid_reasons*)."""
    invalid_reasons: list[tuple[str, int]]
    duplicates: int
    entries: int
    """Distinct hashes: the lines of the customer file."""
    rejected_lines: int
    """File lines the reader could not parse (skipped, not in *rows_read*)."""
    untimed: int
    """Rows left out of the window because their time was missing or unreadable."""
    file_md5: str | None
    file_bytes: int
    action: SyncAction | None
    """Done (or planned, in a dry run); None when a dry run cannot tell (no advertiser)."""
    custom_audience_id: str | None
    dry_run: bool
    seconds: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "name": self.name,
            "key": self.key,
            "calculate_type": self.calculate_type,
            "advertiser_id": self.advertiser_id,
            "rows_read": self.rows_read,
            "rows": self.rows,
            "invalid": self.invalid,
            "invalid_reasons": [{"reason": r, "count": n} for r, n in self.invalid_reasons],
            "duplicates": self.duplicates,
            "entries": self.entries,
            "min_entries": MIN_AUDIENCE_SIZE,
            "rejected_lines": self.rejected_lines,
            "untimed": self.untimed,
            "file_md5": self.file_md5,
            "file_bytes": self.file_bytes,
            "action": self.action,
            "custom_audience_id": self.custom_audience_id,
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }


# -- source ---------------------------------------------------------------------------------------
def _column(t: ir.Table, name: str, what: str) -> ir.Column:
    if name not in t.columns:
        raise SourceError(
            f"the source has no column {name!r} for the {what} (columns: {', '.join(t.columns)})"
        )
    return t[name]


def _window(
    t: ir.Table, time_column: str, since: datetime
) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(row is in the window, row's time is missing or unreadable) for *time_column*.

    Accepted: timestamps (naive ones read as UTC), dates, integers (unix seconds) and text that
    the engine can cast to a timestamp (ISO 8601).
    """
    col = _column(t, time_column, "time window")
    kind = col.type()
    if kind.is_timestamp():
        return col >= (since if kind.timezone else since.replace(tzinfo=None)), col.isnull()
    if kind.is_date():
        return col >= since.date(), col.isnull()
    if kind.is_integer():
        return col >= int(since.timestamp()), col.isnull()
    if kind.is_string():
        parsed = col.try_cast("timestamp")
        return parsed >= since.replace(tzinfo=None), parsed.isnull()
    raise SourceError(
        f"column {time_column!r} is {kind}: use a timestamp, date, unix seconds or ISO text"
    )


# -- records --------------------------------------------------------------------------------------
def _write_record(store: Store, record: AudienceRecord) -> None:
    import pyarrow as pa

    declare_table(store, AUDIENCE_SYNCS.spec())
    schema = AUDIENCE_SYNCS.arrow_schema()
    row = {name: getattr(record, name) for name in schema.names}
    store.insert(RECORD_TABLE, pa.Table.from_pylist([row], schema=schema))


def _to_record(row: dict[str, Any]) -> AudienceRecord:
    synced = row["synced_at"]
    if isinstance(synced, datetime) and synced.tzinfo is None:
        synced = synced.replace(tzinfo=UTC)
    return AudienceRecord(
        run_id=row["run_id"],
        synced_at=synced,
        name=row["name"],
        advertiser_id=row["advertiser_id"],
        custom_audience_id=row["custom_audience_id"],
        calculate_type=row["calculate_type"],
        action=row["action"],
        rows=int(row["rows"]),
        invalid=int(row["invalid"]),
        entries=int(row["entries"]),
        file_md5=row["file_md5"],
    )


def last_record(store: Store, advertiser_id: str, name: str) -> AudienceRecord | None:
    """The current state of audience *name* of *advertiser_id* (None if never synced)."""
    if not store.exists(RECORD_TABLE):
        return None
    t = store.table(RECORD_TABLE)
    t = t.filter((t.advertiser_id == advertiser_id) & (t.name == name))
    rows = store.fetch(t.order_by(t.synced_at.desc()).limit(1)).to_pylist()
    return _to_record(rows[0]) if rows else None


# -- the sync -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    rows_read: int
    rows: int
    invalid_reasons: list[tuple[str, int]]
    duplicates: int
    content: bytes
    rejected_lines: int
    untimed: int
    calculate_type: str

    @property
    def md5(self) -> str | None:
        """The customer file's fingerprint (None when it is empty)."""
        return file_signature(self.content) if self.content else None

    @property
    def invalid(self) -> int:
        return sum(n for _, n in self.invalid_reasons)

    @property
    def entries(self) -> int:
        return self.content.count(b"\n")


def _plan(store: Store, options: AudienceSyncOptions, now: datetime) -> _Plan:
    """Read, hash and count the source's keys and build the customer file."""
    source = open_source(store, options.source)
    prepared = _hashed_rows(store, source.table, options, now)
    # Normalising and hashing is the heavy part: do it once, into a temporary table, and let
    # the three small queries below read that.
    scratch = store.temp_name("tokops_audience")
    store.con.create_table(scratch, prepared, temp=True)
    try:
        rows = store.table(scratch)
        counts = rows.aggregate(
            read=rows.count(),
            untimed=rows._untimed.sum(),
            kept=rows._in.sum(),
            valid=(rows._in & rows._h.notnull()).sum(),
            unique=rows._h.nunique(where=rows._in),
        )
        totals = store.fetch(counts).to_pylist()[0]
        bad = rows.filter(rows._in & rows._why.notnull())
        reasons = store.fetch(bad.group_by("_why").aggregate(n=bad.count())).to_pylist()
        content = _customer_file(store, rows.filter(rows._in & rows._h.notnull()))
    finally:
        store.drop(scratch)
    valid = int(totals["valid"] or 0)
    return _Plan(
        rows_read=int(totals["read"] or 0),
        rows=int(totals["kept"] or 0),
        invalid_reasons=sorted(
            ((r["_why"], int(r["n"])) for r in reasons), key=lambda x: (-x[1], x[0])
        ),
        duplicates=valid - int(totals["unique"] or 0),
        content=content,
        rejected_lines=len(source.rejected),
        untimed=int(totals["untimed"] or 0),
        calculate_type=CALCULATE_TYPE_BY_KEY[options.key],
    )


def _hashed_rows(
    store: Store, t: ir.Table, options: AudienceSyncOptions, now: datetime
) -> ir.Table:
    """Each source row as ``_h`` (the hashed key), ``_why`` (why it has none), ``_in`` (in
    the time window) and ``_untimed`` (left out for a missing or unreadable time)."""
    import ibis

    # Like the events sync: a column named like the key (case and punctuation aside) maps itself.
    column = options.column or detect_mapping(t.columns).columns.get(options.key, options.key)
    raw = _column(t, column, options.key).cast("string")
    key = (
        hash_email(store, raw)
        if options.key == "email"
        else hash_phone(store, raw, options.phone_region)
    )
    in_window: ir.BooleanValue = ibis.literal(True)
    untimed: ir.BooleanValue = ibis.literal(False)
    if options.since_days is not None:
        if not options.time_column:
            raise OptionError("{since_days} needs {time_column} (the column holding the date)")
        since = now - timedelta(days=options.since_days)
        in_window, untimed = _window(t, options.time_column, since)
    blank_reason, bad_reason = _REASONS[options.key]
    why = ibis.cases(
        (key.invalid, bad_reason),
        (key.hashed.isnull(), blank_reason),  # null, empty or whitespace only
        else_=ibis.null("string"),
    )
    return t.select(_h=key.hashed, _why=why, _in=in_window.fill_null(False), _untimed=untimed)


def _customer_file(store: Store, good: ir.Table) -> bytes:
    """The distinct hashes of *good*, sorted, one per line (joined by Arrow, not Python)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    hashes = good.select(h=good._h).distinct().order_by("h")
    newline = pa.scalar("\n", pa.large_string())
    parts: list[bytes] = []
    for batch in store.batches(hashes, _HASH_BATCH):
        column = batch.column(0).cast(pa.large_string())
        lists = pa.LargeListArray.from_arrays(pa.array([0, len(column)], pa.int64()), column)
        parts.append(pc.binary_join(lists, newline)[0].as_buffer().to_pybytes() + b"\n")
    return b"".join(parts)


def _check_options(options: AudienceSyncOptions, client: AudiencesClient | None) -> None:
    if options.key not in CALCULATE_TYPE_BY_KEY:
        raise OptionError("{key} must be email or phone, not {value}", value=repr(options.key))
    if not options.name.strip() or len(options.name) > MAX_NAME_LENGTH:
        raise OptionError("{name} must have 1 to {most} characters", most=MAX_NAME_LENGTH)
    if options.since_days is not None and options.since_days < 1:
        raise OptionError("{since_days} must be at least 1")
    if options.retention_in_days is not None and not 1 <= options.retention_in_days <= 365:
        raise OptionError("{retention_in_days} must be within 1..365")
    if not options.dry_run and not options.advertiser_id:
        raise OptionError("an advertiser id is needed: {advertiser_id} or TIKTOK_ADVERTISER_ID")
    if client is None and not options.dry_run:
        raise OptionError("a TikTok client is needed unless {dry_run}")


def run_audience_sync(
    store: Store,
    client: AudiencesClient | None,
    options: AudienceSyncOptions,
    *,
    now: datetime | None = None,
) -> AudienceSyncResult:
    """Sync one audience (see the module docstring). *client* may be None for a dry run."""
    _check_options(options, client)
    started = time.perf_counter()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    plan = _plan(store, options, moment)
    state = _state(store, options, plan)
    warnings = _plan_warnings(plan, options)
    run_id = uuid.uuid4().hex
    if options.dry_run:
        if plan.entries == 0:
            warnings.append(f"no usable {options.key}: nothing would be uploaded")
        outcome = _Outcome(state.planned, state.existing_id)
        return _result(options, plan, outcome, run_id, started, warnings)
    if plan.entries == 0:
        top = f" (most common: {plan.invalid_reasons[0][0]})" if plan.invalid_reasons else ""
        raise PipelineError(
            f"no usable {options.key} among {plan.rows} rows{top}: nothing to upload"
        )
    assert client is not None and options.advertiser_id is not None  # checked above
    if state.unchanged:
        outcome = _Outcome("unchanged", state.existing_id)
    else:
        outcome = _upload(client, options, plan, state.existing_id, warnings)
    result = _result(options, plan, outcome, run_id, started, warnings)
    _write_record(store, _record_of(result, moment))
    return result


def _record_of(result: AudienceSyncResult, synced_at: datetime) -> AudienceRecord:
    """The ``audience_syncs`` row of a sync that reached TikTok: the result's fields of the
    same names (all set on that path), plus the time."""
    assert result.action is not None and result.file_md5 is not None
    same = {f.name for f in fields(AudienceRecord)} - {"synced_at"}
    return AudienceRecord(synced_at=synced_at, **{name: getattr(result, name) for name in same})


def _plan_warnings(plan: _Plan, options: AudienceSyncOptions) -> list[str]:
    """What a user should know about the list before it is uploaded (dry run included)."""
    warnings: list[str] = []
    if 0 < plan.entries < MIN_AUDIENCE_SIZE:
        warnings.append(
            f"only {plan.entries} entries: TikTok needs at least {MIN_AUDIENCE_SIZE:,} for a "
            "customer-file audience (and refuses to replace one with fewer)"
        )
    if plan.rows and plan.invalid / plan.rows > 0.25:
        warnings.append(f"{plan.invalid / plan.rows:.0%} of the rows have no usable {options.key}")
    if plan.rejected_lines:
        warnings.append(
            f"{plan.rejected_lines} lines of the file could not be read and were skipped"
        )
    if plan.untimed:
        warnings.append(
            f"{plan.untimed} rows have no readable {options.time_column}: left out of the window"
        )
    return warnings


@dataclass(frozen=True)
class _State:
    """The audience as the last sync left it, and what this sync would do with it."""

    existing_id: str | None
    """TikTok's id of the audience, when one was created before."""
    unchanged: bool
    """The content equals the last upload's (and no upload is forced)."""
    planned: SyncAction | None
    """``create``, ``replace`` or ``unchanged``; None without an advertiser id."""


def _state(store: Store, options: AudienceSyncOptions, plan: _Plan) -> _State:
    previous = (
        last_record(store, options.advertiser_id, options.name) if options.advertiser_id else None
    )
    if previous is not None and previous.calculate_type != plan.calculate_type:
        raise OptionError(
            "audience {value} holds {held} entries; TikTok cannot replace them with "
            "{calculate_type}: choose another {name}",
            value=repr(options.name),
            held=previous.calculate_type,
            calculate_type=plan.calculate_type,
        )
    existing_id = previous.custom_audience_id if previous else None
    unchanged = (
        previous is not None
        and existing_id is not None
        and previous.file_md5 == plan.md5
        and not options.force
    )
    planned: SyncAction | None = None
    if options.advertiser_id:
        planned = "unchanged" if unchanged else ("replace" if previous else "create")
    return _State(existing_id, unchanged, planned)


@dataclass(frozen=True)
class _Outcome:
    action: SyncAction | None
    audience_id: str | None


def _upload(
    client: AudiencesClient,
    options: AudienceSyncOptions,
    plan: _Plan,
    existing_id: str | None,
    warnings: list[str],
) -> _Outcome:
    """Upload the file, then replace the audience's content, or create it (again when TikTok
    no longer has it: a warning says so)."""
    assert options.advertiser_id is not None
    advertiser_id = options.advertiser_id
    file_path = client.upload_file(advertiser_id, plan.content, plan.calculate_type)
    if existing_id is not None:
        try:
            client.update(advertiser_id, existing_id, file_paths=[file_path], action="REPLACE")
            return _Outcome("replace", existing_id)
        except NotFoundError:
            warnings.append(f"audience {existing_id} no longer exists on TikTok: created anew")
    audience_id = client.create(
        advertiser_id,
        options.name,
        [file_path],
        plan.calculate_type,
        retention_in_days=options.retention_in_days,
    )
    return _Outcome("recreate" if existing_id is not None else "create", audience_id)


def _result(
    options: AudienceSyncOptions,
    plan: _Plan,
    outcome: _Outcome,
    run_id: str,
    started: float,
    warnings: list[str],
) -> AudienceSyncResult:
    return AudienceSyncResult(
        run_id=run_id,
        name=options.name,
        key=options.key,
        calculate_type=plan.calculate_type,
        advertiser_id=options.advertiser_id,
        rows_read=plan.rows_read,
        rows=plan.rows,
        invalid=plan.invalid,
        invalid_reasons=plan.invalid_reasons,
        duplicates=plan.duplicates,
        entries=plan.entries,
        rejected_lines=plan.rejected_lines,
        untimed=plan.untimed,
        file_md5=plan.md5,
        file_bytes=len(plan.content),
        action=outcome.action,
        custom_audience_id=outcome.audience_id,
        dry_run=options.dry_run,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )


# -- status ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AudienceStatus:
    """A synced audience as we recorded it, with TikTok's matched size when known."""

    record: AudienceRecord
    cover_num: int | None
    is_valid: bool | None
    message: str | None

    @property
    def match_rate(self) -> float | None:
        """Census-style: matched / original segment size (invalid rows stay in the denominator)."""
        if self.cover_num is None or not self.record.rows:
            return None
        return self.cover_num / self.record.rows

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "name": r.name,
            "advertiser_id": r.advertiser_id,
            "custom_audience_id": r.custom_audience_id,
            "calculate_type": r.calculate_type,
            "last_sync": r.synced_at.isoformat(),
            "last_action": r.action,
            "rows": r.rows,
            "invalid": r.invalid,
            "entries": r.entries,
            "cover_num": self.cover_num,
            "match_rate": None if self.match_rate is None else round(self.match_rate, 4),
            "is_valid": self.is_valid,
            "message": self.message,
        }


def audience_status(
    store: Store, client: AudiencesClient | None, advertiser_id: str
) -> list[AudienceStatus]:
    """Every audience synced for *advertiser_id* (latest record each), with TikTok's figures."""
    if not store.exists(RECORD_TABLE):
        return []
    t = store.table(RECORD_TABLE)
    t = t.filter(t.advertiser_id == advertiser_id)
    import ibis

    latest = t.mutate(_n=ibis.row_number().over(group_by="name", order_by=t.synced_at.desc()))
    rows = store.fetch(latest.filter(latest._n == 0).drop("_n").order_by("name")).to_pylist()
    records = [_to_record(r) for r in rows]
    details: dict[str, CustomAudience] = {}
    if client is not None and any(r.custom_audience_id for r in records):
        # ``list`` rather than ``get``: an audience deleted on TikTok is simply absent there.
        details = {a.audience_id: a for a in client.list(advertiser_id)}
    out: list[AudienceStatus] = []
    for r in records:
        a = details.get(r.custom_audience_id or "")
        out.append(
            AudienceStatus(
                record=r,
                cover_num=a.cover_num if a is not None else None,
                is_valid=a.is_valid if a is not None else None,
                message=(a.error_msg or a.msg or None) if a is not None else None,
            )
        )
    return out
