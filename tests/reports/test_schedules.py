"""Report schedules and the scheduler against a real SMTP server on loopback (KPI-6).

Each test works on its own copy of the synced store, with the scheduler's clock fixed. A
schedule fires once: the firing is recorded before the mail goes, so a new scheduler (a
restart) finds nothing to send, and one that stopped mid-send is not repeated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import io
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from rich.console import Console

from tokops.cli import _errors
from tokops.cli.main import app
from tokops.config import load_settings, write_workspace
from tokops.errors import ConfigError
from tokops.reports.mail import SmtpSettings, send_message
from tokops.reports.scheduler import Scheduler
from tokops.reports.schedules import (
    add_schedule,
    approve_send,
    cron_of,
    due_firing,
    list_schedules,
    list_sends,
    record_firing,
    remove_schedule,
)
from tokops.warehouse import Store, connect

from .conftest import NOW, Inbox, Workspace, smtp_env

OWNER = "owner@agency.example"
CLIENT = "client@shop.example"
CREATED = NOW - dt.timedelta(days=1)  # the schedule existed before today's 07:00 firing


@dataclass(frozen=True)
class Rig:
    """A workspace of its own (a copy of the synced store) and the loopback SMTP server."""

    folder: Path
    store: Store
    inbox: Inbox
    smtp: SmtpSettings

    def scheduler(self, at: dt.datetime = NOW) -> Scheduler:
        return Scheduler(self.store, self.smtp, now=lambda: at)

    def to(self, address: str) -> list[EmailMessage]:
        return [_parse(raw) for _, rcpts, raw in self.inbox.messages if address in rcpts]


@pytest.fixture
def folder(workspace: Workspace, tmp_path: Path) -> Path:
    """A workspace of its own with a copy of the synced store."""
    db = tmp_path / "store.duckdb"
    shutil.copy(workspace.root / "store.duckdb", db)
    write_workspace(tmp_path, store_url=f"duckdb://{db}", api_base="http://127.0.0.1:1")
    return tmp_path


@pytest.fixture
def rig(folder: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    inbox, port = smtp
    smtp_env(monkeypatch, port)
    store = connect(f"duckdb://{folder / 'store.duckdb'}")
    try:
        yield Rig(folder, store, inbox, SmtpSettings.from_env())
    finally:
        store.close()


def _parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_a_schedule_sends_once_and_a_restart_does_not_resend(rig: Rig) -> None:
    store = rig.store
    made = add_schedule(store, "tiktok-ads", every="daily", to=[CLIENT], owner=OWNER, now=CREATED)
    assert made.next_run_at == dt.datetime(2024, 6, 1, 7, 0, tzinfo=dt.UTC)
    [outcome] = rig.scheduler().run_once()
    assert (outcome.status, outcome.reason) == ("sent", None)
    [message] = rig.to(CLIENT)
    assert message["Subject"] == "TikTok Ads · 25 May 2024 – 31 May 2024"
    [attachment] = list(message.iter_attachments())
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    assert "Cost per conversion" in " ".join(p.extract_text() or "" for p in pdf.pages)
    # a restart: a new connection and a new scheduler at the same moment, then an hour later,
    # then the next day (the next issue)
    store.close()
    again = replace(rig, store=connect(store.url))
    try:
        assert again.scheduler().run_once() == []
        assert again.scheduler(NOW + dt.timedelta(hours=1)).run_once() == []
        [entry] = list_sends(again.store)
        assert (entry.status, entry.due_at) == ("sent", made.next_run_at)
        assert (entry.range_start, entry.range_end) == (dt.date(2024, 5, 25), dt.date(2024, 5, 31))
        assert len(rig.inbox.messages) == 1
        [nxt] = again.scheduler(NOW + dt.timedelta(days=1)).run_once()
        assert nxt.status == "sent" and len(rig.to(CLIENT)) == 2
    finally:
        again.store.close()


def test_a_scheduler_stopped_mid_send_does_not_send_again(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = rig.store
    add_schedule(store, "social", every="0 7 * * *", to=[CLIENT], owner=OWNER, now=CREATED)

    def killed(*args: Any) -> None:
        raise KeyboardInterrupt  # the process dies between the record and the mail

    monkeypatch.setattr("tokops.reports.scheduler.send_message", killed)
    with pytest.raises(KeyboardInterrupt):
        rig.scheduler().run_once()
    [entry] = list_sends(store)
    assert entry.status == "sending"  # the firing was committed before the mail
    monkeypatch.setattr("tokops.reports.scheduler.send_message", send_message)
    [outcome] = rig.scheduler().run_once()
    assert outcome.status == "interrupted" and "not sent again" in (outcome.reason or "")
    assert rig.to(CLIENT) == []  # not resent
    [notice] = rig.to(OWNER)
    assert "interrupted" in notice["Subject"]
    assert f"tokops report approve {entry.send_id}" in notice.get_content()
    # a person decides to send it after all
    approve_send(store, entry.send_id, now=NOW)
    [sent] = rig.scheduler().run_once()
    assert (sent.send_id, sent.status) == (entry.send_id, "sent")
    assert len(rig.to(CLIENT)) == 1
    assert rig.scheduler().run_once() == []


def test_the_freshness_gate_holds_a_stale_report_and_tells_the_owner(rig: Rig) -> None:
    store = rig.store
    later = NOW + dt.timedelta(days=20)  # no sync for 20 days
    add_schedule(
        store, "tiktok-ads", every="daily", to=[CLIENT], owner=OWNER, now=later - dt.timedelta(1)
    )
    [outcome] = rig.scheduler(later).run_once()
    assert outcome.status == "held-stale"
    [entry] = list_sends(store)
    assert entry.status == "held-stale"
    assert entry.reason is not None and "TikTok Ads: data through 2024-0" in entry.reason
    assert "the rule asks for data through 2024-06-20" in entry.reason
    assert f"tokops report approve {entry.send_id} to send it" in entry.reason
    assert rig.to(CLIENT) == []
    [notice] = rig.to(OWNER)
    assert "held (held-stale)" in notice["Subject"] and "data through" in notice.get_content()
    # a schedule with a looser rule sends the same data
    add_schedule(
        store, "tiktok-ads", every="daily", to=[CLIENT], max_age_days=60,
        now=later - dt.timedelta(1),
    )  # fmt: skip
    [sent] = rig.scheduler(later).run_once()
    assert sent.status == "sent" and len(rig.to(CLIENT)) == 1


def test_review_holds_an_issue_until_it_is_approved(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = rig.store
    add_schedule(
        store, "tiktok-ads", every="weekly", to=[CLIENT], review=True, now=NOW - dt.timedelta(7)
    )
    [held] = rig.scheduler().run_once()
    assert held.status == "held-review"
    assert held.reason == f"waits for review: tokops report approve {held.send_id}"
    [notice] = rig.to(rig.smtp.sender)  # no --owner: the sender is told
    assert f"tokops report approve {held.send_id}" in notice.get_content()
    assert rig.scheduler().run_once() == []  # still held
    assert rig.to(CLIENT) == []
    monkeypatch.chdir(rig.folder)
    code, _, _ = _run(monkeypatch, ["report", "approve", held.send_id])
    assert code == 0
    [sent] = rig.scheduler().run_once()
    assert (sent.send_id, sent.status) == (held.send_id, "sent")
    [message] = rig.to(CLIENT)
    assert message["Subject"].startswith("TikTok Ads · ")
    assert [e.status for e in list_sends(store)] == ["sent"]


def _run(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[int, str, str]:
    """``tokops ARGS`` in process as the console script runs it (errors become one line)."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "argv", ["tokops", *args])
    monkeypatch.setattr(_errors, "_err", Console(file=err, soft_wrap=True))
    with contextlib.redirect_stdout(out):
        code = _errors.run(app)
    return code, out.getvalue(), err.getvalue()


def test_schedule_commands_and_their_usage_errors(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    code, out, err = _run(
        monkeypatch,
        ["report", "schedule", "shop", "--every", "monthly", "--to", CLIENT, "--review"],
    )
    assert code == 0, err
    assert "shop monthly (0 7 1 * * UTC, previous-month)" in out
    schedule_id = out.split()[1].rstrip(":")
    code, out, _ = _run(monkeypatch, ["report", "schedules", "--format", "json"])
    assert code == 0 and f'"id": "{schedule_id}"' in out and '"review": true' in out
    bad = [
        (["report", "schedule", "shop", "--every", "hourly", "--to", CLIENT], "cron expression"),
        (["report", "schedule", "shop", "--every", "* * * * * *", "--to", CLIENT], "five"),
        (["report", "schedule", "nope", "--every", "daily", "--to", CLIENT], "nope"),
        (["report", "schedule", "shop", "--every", "daily", "--to", "x"], "not an e-mail"),
        (["report", "schedule", "shop", "--every", "daily"], "--to"),
        (["report", "unschedule", "sch-000000"], "no schedule"),
        (["report", "approve", "snd-0"], "no send"),
    ]
    for args, expect in bad:
        code, _, err = _run(monkeypatch, args)
        assert code in (1, 2), args
        assert expect in err and "Traceback" not in err, (args, err)
    code, out, _ = _run(monkeypatch, ["report", "unschedule", schedule_id])
    assert code == 0 and f"removed {schedule_id}" in out
    code, out, _ = _run(monkeypatch, ["report", "schedules", "--format", "json"])
    assert out.strip() == "[]"


def test_cron_rules() -> None:
    assert cron_of("Weekly") == "0 7 * * 1"
    assert cron_of(" 30  6 * * 1-5 ") == "30 6 * * 1-5"
    with pytest.raises(ConfigError, match="five fields"):
        cron_of("61 * * * *")


def test_smtp_from_the_workspace_file_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "tokops.toml").write_text(
        '[smtp]\nhost = "mail.example"\nport = 2525\ntls = "none"\nuser = "bot"\n'
        'mail_from = "r@example.com"\n'
    )
    section = load_settings(tmp_path, environ={}).smtp
    env = {"TOKOPS_SMTP_PASSWORD": "pw", "TOKOPS_SMTP_PORT": "2600"}
    got = SmtpSettings.load(section, env)
    assert (got.host, got.port, got.tls, got.user, got.password, got.sender) == (
        "mail.example", 2600, "none", "bot", "pw", "r@example.com",
    )  # fmt: skip
    with pytest.raises(ConfigError, match="TOKOPS_SMTP_PASSWORD is not"):
        SmtpSettings.load(section, {})


def test_a_password_in_the_workspace_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tokops.toml").write_text('[smtp]\nhost = "h"\npassword = "hunter2"\n')
    with pytest.raises(ConfigError, match="export TOKOPS_SMTP_PASSWORD") as caught:
        load_settings(tmp_path, environ={})
    assert "hunter2" not in str(caught.value)


def test_schedules_and_the_send_log_on_both_engines(any_store: Store) -> None:
    """The store side alone (BYD-2): a firing row and the schedule's move land together."""
    made = add_schedule(
        any_store, "shop", every="0 6 * * *", to=[CLIENT, OWNER], advertiser_ids=["a1"],
        review=True, max_age_days=3, now=CREATED,
    )  # fmt: skip
    [listed] = list_schedules(any_store)
    assert listed == made
    due = due_firing(made, NOW + dt.timedelta(days=2))  # two missed firings: one issue
    assert due == (
        dt.datetime(2024, 6, 3, 6, 0, tzinfo=dt.UTC),
        dt.datetime(2024, 6, 4, 6, 0, tzinfo=dt.UTC),
    )
    entry = record_firing(any_store, made, *due, "held-review", "waits", NOW)
    [again] = list_schedules(any_store)
    assert again.next_run_at == due[1] and due_firing(again, NOW + dt.timedelta(days=2)) is None
    assert list_sends(any_store) == [entry]
    # a cron rule covers the last 30 days by default, counted back from the firing's day
    assert (entry.range_start, entry.range_end) == (dt.date(2024, 5, 4), dt.date(2024, 6, 2))
    approve_send(any_store, entry.send_id, now=NOW)
    with pytest.raises(ConfigError, match="is approved"):
        approve_send(any_store, entry.send_id, now=NOW)
    assert [e.status for e in list_sends(any_store, made.schedule_id)] == ["approved"]
    remove_schedule(any_store, made.schedule_id)
    assert list_schedules(any_store) == [] and len(list_sends(any_store)) == 1
