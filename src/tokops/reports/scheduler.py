"""The scheduler: sends the reports whose schedule is due, once each (KPI-6).

One pass (:meth:`Scheduler.run_once`):

1. **Start** (once per scheduler): a send-log row still ``sending`` was left by a scheduler
   that stopped between recording a firing and hearing back from the SMTP server. Whether
   that mail left is unknown, so the row becomes ``interrupted``, the owner is told, and it is
   not sent again unless someone runs ``tokops report approve ID``.
2. **Due schedules**: for each, the firing is recorded and the schedule moved to its next time
   in one transaction, *before* any mail goes, so a restart never sends an issue twice. The
   issue is then
   - *held* (``held-stale``) when a source of the report has data older than the schedule's
     rule: its last day is more than ``max_age_days`` before the firing's day (or it was never
     synced); the owner is told why;
   - *held* (``held-review``) when the schedule asks for a review; the owner is told how to
     approve it;
   - else rendered and mailed (``sent``, or ``failed`` with the reason).
3. **Approved issues** are rendered and mailed, recorded ``sending`` first like a firing.

The owner is the schedule's ``--owner``, else the sender address (``mail_from``). Run one
scheduler per store: two at once could both take the same firing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokops.errors import TokopsError
from tokops.reports.build import build_report
from tokops.reports.freshness import source_freshness
from tokops.reports.mail import SmtpSettings, build_message, plain_message, send_message
from tokops.reports.output import render_report
from tokops.reports.schedules import (
    Schedule,
    SendEntry,
    declare_schedule_tables,
    due_firing,
    list_schedules,
    list_sends,
    new_send_id,
    record_firing,
    set_status,
)
from tokops.reports.templates import get_template

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = ["Outcome", "Scheduler"]

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the scheduler did with one issue."""

    send_id: str
    schedule_id: str
    report: str
    status: str
    reason: str | None = None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Scheduler:
    """Runs the store's schedules through one SMTP server (see the module doc)."""

    def __init__(self, store: Store, smtp: SmtpSettings, *, now: Clock = _utc_now) -> None:
        self.store = store
        self.smtp = smtp
        self.now = now
        self._started = False

    def start(self) -> list[Outcome]:
        """Resolve the issues a stopped scheduler left ``sending`` (once per scheduler)."""
        self._started = True
        declare_schedule_tables(self.store)
        schedules = {s.schedule_id: s for s in list_schedules(self.store)}
        out = []
        for entry in list_sends(self.store):
            if entry.status != "sending":
                continue
            reason = (
                "the scheduler stopped while this issue was being sent; whether the mail left "
                f"is not known, so it is not sent again (tokops report approve {entry.send_id} "
                "sends it)"
            )
            set_status(self.store, entry.send_id, "interrupted", reason, self.now())
            schedule = schedules.get(entry.schedule_id)
            report = schedule.report if schedule else "?"
            if schedule is not None:
                reason = self._tell_owner(schedule, entry, "interrupted", reason)
            out.append(Outcome(entry.send_id, entry.schedule_id, report, "interrupted", reason))
        return out

    def run_once(self) -> list[Outcome]:
        """One pass: start (the first time), the due schedules, then the approved issues."""
        out = [] if self._started else self.start()
        now = self.now()
        schedules = list_schedules(self.store)
        for schedule in schedules:
            firing = due_firing(schedule, now)
            if firing is not None:
                out.append(self._fire(schedule, *firing))
        by_id = {s.schedule_id: s for s in schedules}
        for entry in list_sends(self.store):
            if entry.status == "approved":
                out.append(self._send_approved(entry, by_id.get(entry.schedule_id)))
        return out

    # -- one issue ------------------------------------------------------------------------
    def _stale(self, schedule: Schedule, due_at: dt.datetime, send_id: str) -> str | None:
        """Why the data is too old for the schedule's rule, or None when it is fresh."""
        oldest = due_at.date() - dt.timedelta(days=schedule.max_age_days)
        sources = get_template(schedule.report).sources
        old = [
            f"{f.label}: never synced"
            if f.through is None
            else f"{f.label}: data through {f.through.isoformat()}"
            for f in source_freshness(self.store, sources)
            if f.through is None or f.through < oldest
        ]
        if not old:
            return None
        return (
            f"{'; '.join(old)}; the rule asks for data through {oldest.isoformat()} "
            f"(at most {schedule.max_age_days} day(s) old): run tokops sync, then "
            f"tokops report approve {send_id} to send it"
        )

    def _fire(self, schedule: Schedule, due_at: dt.datetime, next_run: dt.datetime) -> Outcome:
        send_id = new_send_id()
        stale = self._stale(schedule, due_at, send_id)
        hold: tuple[str, str] | None = None
        if stale is not None:
            hold = ("held-stale", stale)
        elif schedule.review:
            hold = ("held-review", f"waits for review: tokops report approve {send_id}")
        status, reason = hold or ("sending", None)
        entry = record_firing(
            self.store, schedule, due_at, next_run, status, reason, self.now(), send_id
        )
        if hold is None:
            return self._deliver(schedule, entry)
        told = self._tell_owner(schedule, entry, *hold)
        return Outcome(entry.send_id, schedule.schedule_id, schedule.report, hold[0], told)

    def _send_approved(self, entry: SendEntry, schedule: Schedule | None) -> Outcome:
        if schedule is None:
            reason = "its schedule was removed"
            set_status(self.store, entry.send_id, "failed", reason, self.now())
            return Outcome(entry.send_id, entry.schedule_id, "?", "failed", reason)
        set_status(self.store, entry.send_id, "sending", None, self.now())
        return self._deliver(schedule, entry)

    def _deliver(self, schedule: Schedule, entry: SendEntry) -> Outcome:
        """Render and mail an issue already recorded ``sending``; record the result."""
        try:
            report = build_report(
                self.store,
                schedule.report,
                schedule.range_at(entry.due_at),
                advertiser_ids=schedule.advertiser_ids,
            )
            pdf = render_report(report, "pdf")
            message = build_message(
                report,
                pdf,
                to=schedule.recipients,
                sender=self.smtp.sender,
                public_url=self.smtp.public_url,
            )
            send_message(message, self.smtp)
        except TokopsError as exc:
            set_status(self.store, entry.send_id, "failed", str(exc), self.now())
            return Outcome(entry.send_id, schedule.schedule_id, schedule.report, "failed", str(exc))
        set_status(self.store, entry.send_id, "sent", None, self.now())
        return Outcome(entry.send_id, schedule.schedule_id, schedule.report, "sent")

    def _tell_owner(self, schedule: Schedule, entry: SendEntry, status: str, reason: str) -> str:
        """Mail the owner why an issue is held; *reason*, plus a note when that failed too."""
        owner = schedule.owner or self.smtp.sender
        text = (
            f"The {schedule.report} report for {', '.join(schedule.recipients)} "
            f"({entry.range_start} to {entry.range_end}, schedule {schedule.schedule_id}) "
            f"was not sent: {status}.\n\n{reason}\n"
        )
        subject = f"tokops: {schedule.report} report held ({status})"
        try:
            notice = plain_message(subject, text, to=[owner], sender=self.smtp.sender)
            send_message(notice, self.smtp)
        except TokopsError as exc:
            return f"{reason} (the owner could not be told: {exc})"
        return reason
