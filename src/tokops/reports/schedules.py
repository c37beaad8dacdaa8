"""Report schedules and their send log, kept in the store (KPI-6).

A schedule mails one report to its recipients on a cron rule (UTC). ``daily``, ``weekly`` and
``monthly`` are presets; any five-field cron expression works too (parsed by ``croniter``).
Every firing writes one row of the send log (``report_sends``) in the same transaction that
moves the schedule to its next firing, **before** any mail goes: a restart finds the firing
done and never sends it again (:mod:`.scheduler`).

Send-log statuses:

==================  ===========================================================================
``sending``         recorded, the mail is going (left behind only by a scheduler that stopped)
``sent``            the mail was accepted by the SMTP server
``failed``          rendering or SMTP failed (``reason`` says why)
``held-stale``      the data was older than the schedule's freshness rule
``held-review``     waits for ``tokops report approve ID``
``approved``        approved; the scheduler sends it on its next run
``interrupted``     a ``sending`` row found at start: it is not known whether the mail left,
                    so it is not sent again unless someone approves it
==================  ===========================================================================
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import orjson

from tokops.errors import ConfigError
from tokops.reports.mail import check_recipients
from tokops.reports.ranges import RANGES, ReportRange, resolve_range
from tokops.reports.templates import get_template
from tokops.warehouse import quote_ident
from tokops.warehouse.merge import declare_table, run_transaction
from tokops.warehouse.schema.reports import REPORT_SCHEDULES, REPORT_SENDS

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = [
    "HOLD_STATUSES",
    "PRESETS",
    "Schedule",
    "SendEntry",
    "add_schedule",
    "approve_send",
    "cron_of",
    "declare_schedule_tables",
    "due_firing",
    "list_schedules",
    "list_sends",
    "new_send_id",
    "record_firing",
    "remove_schedule",
    "set_status",
]

#: The named rules: cron (UTC) and the range an issue covers by default.
PRESETS: Final[dict[str, tuple[str, str]]] = {
    "daily": ("0 7 * * *", "last-7-complete-days"),
    "weekly": ("0 7 * * 1", "last-7-complete-days"),
    "monthly": ("0 7 1 * *", "previous-month"),
}
#: Statuses ``tokops report approve`` turns into ``approved`` (a person decides to send).
HOLD_STATUSES: Final = ("held-stale", "held-review", "interrupted", "failed")


@dataclass(frozen=True, slots=True)
class Schedule:
    schedule_id: str
    report: str
    every: str
    cron: str
    range_name: str
    recipients: tuple[str, ...]
    advertiser_ids: tuple[str, ...]
    owner: str | None
    review: bool
    max_age_days: int
    next_run_at: dt.datetime
    created_at: dt.datetime

    def range_at(self, due_at: dt.datetime) -> ReportRange:
        """The days the issue fired at *due_at* covers (counted back from that day)."""
        return resolve_range(self.range_name, today=due_at.date())


@dataclass(frozen=True, slots=True)
class SendEntry:
    send_id: str
    schedule_id: str
    due_at: dt.datetime
    range_start: dt.date
    range_end: dt.date
    status: str
    reason: str | None
    updated_at: dt.datetime


def cron_of(every: str) -> str:
    """The cron expression of *every*: a preset or five cron fields (a clear error otherwise)."""
    from croniter import croniter

    text = " ".join(every.split())
    if text.lower() in PRESETS:
        return PRESETS[text.lower()][0]
    if len(text.split(" ")) != 5 or not croniter.is_valid(text):
        raise ConfigError(
            f"--every {every!r}: use daily, weekly, monthly or a cron expression of five "
            "fields (minute hour day-of-month month day-of-week, UTC), e.g. '0 7 * * 1-5'"
        )
    return text


def _next(cron: str, after: dt.datetime) -> dt.datetime:
    from croniter import croniter

    found: dt.datetime = croniter(cron, after.astimezone(dt.UTC)).get_next(dt.datetime)
    return found.astimezone(dt.UTC)


def due_firing(schedule: Schedule, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """``(due_at, next_run_at)`` when *schedule* is due at *now*, else None. Firings missed
    while no scheduler ran collapse into the latest one (one issue, not a burst)."""
    if schedule.next_run_at > now:
        return None
    from croniter import croniter

    latest: dt.datetime = croniter(schedule.cron, now + dt.timedelta(seconds=1)).get_prev(
        dt.datetime
    )
    due = max(latest.astimezone(dt.UTC), schedule.next_run_at)
    return due, _next(schedule.cron, now)


def declare_schedule_tables(store: Store) -> None:
    """Create the schedule and send-log tables when missing."""
    declare_table(store, REPORT_SCHEDULES.spec())
    declare_table(store, REPORT_SENDS.spec())


def _insert(store: Store, table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
    cols = ", ".join(quote_ident(c) for c in row)
    marks = ", ".join([store.param_mark] * len(row))
    return f"INSERT INTO {quote_ident(table)} ({cols}) VALUES ({marks})", list(row.values())


def add_schedule(
    store: Store,
    report: str,
    *,
    every: str,
    to: Sequence[str],
    range_name: str | None = None,
    advertiser_ids: Sequence[str] = (),
    owner: str | None = None,
    review: bool = False,
    max_age_days: int = 1,
    now: dt.datetime | None = None,
) -> Schedule:
    """Store a new schedule; it first fires at the rule's next time after *now*."""
    get_template(report)
    check_recipients(to)
    if owner is not None:
        check_recipients([owner])
    if max_age_days < 0:
        raise ConfigError("--max-age-days must be 0 or more")
    cron = cron_of(every)
    chosen = range_name or PRESETS.get(every.strip().lower(), ("", "last-30-days"))[1]
    if chosen not in RANGES:
        raise ConfigError(f"unknown range {chosen!r}; use one of: {', '.join(RANGES)}")
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    schedule = Schedule(
        f"sch-{secrets.token_hex(3)}",
        report,
        every.strip(),
        cron,
        chosen,
        tuple(to),
        tuple(advertiser_ids),
        owner,
        review,
        max_age_days,
        _next(cron, moment),
        moment,
    )
    declare_schedule_tables(store)
    row = {
        **{k: getattr(schedule, k) for k in REPORT_SCHEDULES.names},
        "recipients": orjson.dumps(list(schedule.recipients)).decode(),
        "advertiser_ids": orjson.dumps(list(schedule.advertiser_ids)).decode(),
    }
    run_transaction(store, [_insert(store, REPORT_SCHEDULES.name, row)])
    return schedule


def _rows(store: Store, table: str) -> list[dict[str, Any]]:
    if not store.exists(table):
        return []
    rows: list[dict[str, Any]] = store.fetch(store.table(table)).to_pylist()
    return rows


def list_schedules(store: Store) -> list[Schedule]:
    """Every schedule, the next to fire first."""
    out = []
    for r in _rows(store, REPORT_SCHEDULES.name):
        r["recipients"] = tuple(orjson.loads(r["recipients"]))
        r["advertiser_ids"] = tuple(orjson.loads(r["advertiser_ids"]))
        r["max_age_days"] = int(r["max_age_days"])
        r["review"] = bool(r["review"])
        out.append(Schedule(**r))
    return sorted(out, key=lambda s: (s.next_run_at, s.schedule_id))


def list_sends(store: Store, schedule_id: str | None = None) -> list[SendEntry]:
    """The send log (of one schedule when given), oldest firing first."""
    entries = [SendEntry(**r) for r in _rows(store, REPORT_SENDS.name)]
    if schedule_id is not None:
        entries = [e for e in entries if e.schedule_id == schedule_id]
    return sorted(entries, key=lambda e: (e.due_at, e.send_id))


def remove_schedule(store: Store, schedule_id: str) -> Schedule:
    """Delete a schedule (its send log stays); a clear error for an unknown ID."""
    found = [s for s in list_schedules(store) if s.schedule_id == schedule_id]
    if not found:
        raise ConfigError(f"no schedule {schedule_id!r} (see tokops report schedules)")
    name = quote_ident(REPORT_SCHEDULES.name)
    sql = f"DELETE FROM {name} WHERE schedule_id = {store.param_mark}"
    run_transaction(store, [(sql, [schedule_id])])
    return found[0]


def new_send_id() -> str:
    """A fresh send-log ID."""
    return f"snd-{secrets.token_hex(4)}"


def record_firing(
    store: Store,
    schedule: Schedule,
    due_at: dt.datetime,
    next_run_at: dt.datetime,
    status: str,
    reason: str | None,
    now: dt.datetime,
    send_id: str | None = None,
) -> SendEntry:
    """One send-log row for the firing *due_at*, and the schedule moved to *next_run_at*, in
    one transaction (committed before any mail goes)."""
    rng = schedule.range_at(due_at)
    entry = SendEntry(
        send_id or new_send_id(), schedule.schedule_id, due_at, rng.start, rng.end,
        status, reason, now,
    )  # fmt: skip
    mark = store.param_mark
    move = (
        f"UPDATE {quote_ident(REPORT_SCHEDULES.name)} SET next_run_at = {mark} "
        f"WHERE schedule_id = {mark}",
        [next_run_at, schedule.schedule_id],
    )
    row = {k: getattr(entry, k) for k in REPORT_SENDS.names}
    run_transaction(store, [_insert(store, REPORT_SENDS.name, row), move])
    return entry


def set_status(
    store: Store, send_id: str, status: str, reason: str | None, now: dt.datetime
) -> None:
    """Move a send-log row to *status* (committed when this returns)."""
    mark = store.param_mark
    sql = (
        f"UPDATE {quote_ident(REPORT_SENDS.name)} SET status = {mark}, reason = {mark}, "
        f"updated_at = {mark} WHERE send_id = {mark}"
    )
    run_transaction(store, [(sql, [status, reason, now, send_id])])


def approve_send(store: Store, send_id: str, now: dt.datetime | None = None) -> SendEntry:
    """Mark a held (or failed, or interrupted) issue approved: the scheduler sends it next."""
    found = [e for e in list_sends(store) if e.send_id == send_id]
    if not found:
        raise ConfigError(f"no send {send_id!r} in the send log (see tokops report log)")
    entry = found[0]
    if entry.status not in HOLD_STATUSES:
        raise ConfigError(
            f"send {send_id} is {entry.status}: only a held, failed or interrupted issue "
            "can be approved"
        )
    set_status(store, send_id, "approved", None, now or dt.datetime.now(dt.UTC))
    return entry
