"""``tokops report``: list the templates, render one to HTML, PDF or PNG, e-mail it, or schedule
it (KPI-6).

The work is in :mod:`tokops.reports`; this module parses, calls and writes the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tokops.cli._common import (
    ADVERTISER,
    DATE_FROM,
    DATE_TO,
    check_output_file,
    open_store,
    parse_date,
    print_table,
)
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.reports import Report
    from tokops.reports.mail import SmtpSettings
    from tokops.reports.schedules import Schedule, SendEntry

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.command("list")
def list_reports(
    fmt: str = typer.Option("table", "--format", help="table | json."),
) -> None:
    """The report templates, their widgets and the ranges a report can cover."""
    from tokops.reports import RANGES, TEMPLATES

    if fmt not in ("table", "json"):
        raise ConfigError(f"--format {fmt!r}: use table or json")
    records = [
        {
            "name": t.name,
            "title": t.title,
            "description": t.description,
            "sources": list(t.sources),
            "widgets": [type(w).__name__ for w in t.widgets],
        }
        for t in TEMPLATES.values()
    ]
    if fmt == "json":
        typer.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    out = Table(title="Reports (tokops report render NAME)")
    for col in ("name", "title", "sources", "what it shows"):
        out.add_column(col)
    for r in records:
        out.add_row(
            Text(str(r["name"])),
            Text(str(r["title"])),
            Text(", ".join(r["sources"])),
            Text(str(r["description"])),
        )
    print_table(Console(), out)
    typer.echo(f"ranges: {', '.join(RANGES)} (or --from/--to)", err=True)


_RANGE = typer.Option(
    None,
    "--range",
    help="last-7-complete-days | last-30-days (default) | month-to-date | previous-month.",
)

_COMMENT = typer.Option(
    [], "--comment", help="A comment shown at the top of the report, as written (repeat)."
)


def _build(
    name: str,
    range_name: str | None,
    date_from: str | None,
    date_to: str | None,
    advertiser: list[str],
    comments: list[str],
) -> Report:
    """The report *name* over the range the flags give, from the workspace's store."""
    from tokops.reports import build_report, get_template, resolve_range

    get_template(name)
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    report_range = resolve_range(range_name, start=start, end=end)
    with open_store() as store:
        report = build_report(
            store, name, report_range, advertiser_ids=advertiser, comments=comments
        )
    for figure in report.figures:
        if figure.error:
            typer.echo(f"note: {figure.widget.title}: {figure.error}", err=True)
    return report


@app.command("render")
def render(
    name: str = typer.Argument(..., help="Report name (see `tokops report list`)."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    fmt: str | None = typer.Option(
        None, "--format", help="html | pdf | png (default: from the --out suffix, else html)."
    ),
    range_name: str | None = _RANGE,
    date_from: str | None = DATE_FROM,
    date_to: str | None = DATE_TO,
    advertiser: list[str] = ADVERTISER,
    comment: list[str] = _COMMENT,
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
) -> None:
    """Render a report to a self-contained HTML file, a PDF or a PNG."""
    from tokops.reports import FORMATS, render_report

    check_output_file(out, force=force)
    chosen = fmt or (out.suffix.lstrip(".").lower() if out.suffix else "html")
    if chosen not in FORMATS:
        raise ConfigError(f"--format {chosen!r}: use {', '.join(FORMATS)}")
    report = _build(name, range_name, date_from, date_to, advertiser, comment)
    data = render_report(report, chosen)
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({chosen}, {report.range.label}, {len(data):,} bytes)")


@app.command("send")
def send(
    name: str = typer.Argument(..., help="Report name (see `tokops report list`)."),
    to: list[str] = typer.Option(..., "--to", help="Recipient address (repeat)."),
    range_name: str | None = _RANGE,
    advertiser: list[str] = ADVERTISER,
    comment: list[str] = _COMMENT,
) -> None:
    """E-mail a report now: the key tiles in the body, the PDF attached (SMTP from \\[smtp] in
    tokops.toml or TOKOPS_SMTP_HOST, _PORT, _TLS, _USER, TOKOPS_MAIL_FROM; the password from
    TOKOPS_SMTP_PASSWORD only).

    --to names recipients here, so the days are a --range (relative to today)."""
    from tokops.reports import render_report
    from tokops.reports.mail import build_message, check_recipients, send_message

    check_recipients(to)
    settings = smtp_settings()
    report = _build(name, range_name, None, None, advertiser, comment)
    pdf = render_report(report, "pdf")
    message = build_message(
        report, pdf, to=to, sender=settings.sender, public_url=settings.public_url
    )
    send_message(message, settings)
    typer.echo(f"sent {name} ({report.range.label}) to {', '.join(to)}")


def smtp_settings() -> SmtpSettings:
    """SMTP from the workspace's ``[smtp]``, overridden by the environment."""
    from tokops.config import load_settings
    from tokops.reports.mail import SmtpSettings

    return SmtpSettings.load(load_settings().smtp)


@app.command("schedule")
def schedule(
    name: str = typer.Argument(..., help="Report name (see `tokops report list`)."),
    every: str = typer.Option(
        ..., "--every", help="daily | weekly | monthly | a cron expression ('0 7 * * 1-5'), UTC."
    ),
    to: list[str] = typer.Option(..., "--to", help="Recipient address (repeat)."),
    range_name: str | None = typer.Option(
        None,
        "--range",
        help="Days each issue covers (default: last-7-complete-days for daily and weekly, "
        "previous-month for monthly, else last-30-days).",
    ),
    advertiser: list[str] = ADVERTISER,
    owner: str | None = typer.Option(
        None, "--owner", help="Who is told when an issue is held (default: the sender address)."
    ),
    review: bool = typer.Option(
        False, "--review", help="Hold each issue until `tokops report approve ID`."
    ),
    max_age_days: int = typer.Option(
        1, "--max-age-days", help="Freshness rule: hold an issue whose data ends earlier."
    ),
) -> None:
    """Mail a report on a schedule (run by `tokops scheduler`)."""
    from tokops.reports.schedules import add_schedule

    with open_store() as store:
        made = add_schedule(
            store,
            name,
            every=every,
            to=to,
            range_name=range_name,
            advertiser_ids=advertiser,
            owner=owner,
            review=review,
            max_age_days=max_age_days,
        )
    typer.echo(
        f"scheduled {made.schedule_id}: {name} {made.every} ({made.cron} UTC, "
        f"{made.range_name}) to {', '.join(made.recipients)}; "
        f"first at {made.next_run_at:%Y-%m-%d %H:%M} UTC"
    )


def _schedule_record(s: Schedule) -> dict[str, object]:
    return {
        "id": s.schedule_id,
        "report": s.report,
        "every": s.every,
        "cron": s.cron,
        "range": s.range_name,
        "to": list(s.recipients),
        "advertisers": list(s.advertiser_ids),
        "owner": s.owner,
        "review": s.review,
        "max_age_days": s.max_age_days,
        "next_run_at": s.next_run_at.isoformat(),
    }


def _send_record(e: SendEntry) -> dict[str, object]:
    return {
        "id": e.send_id,
        "schedule": e.schedule_id,
        "due_at": e.due_at.isoformat(),
        "days": f"{e.range_start} – {e.range_end}",
        "status": e.status,
        "reason": e.reason or "",
    }


def _show(
    records: list[dict[str, object]],
    fmt: str,
    title: str,
    empty: str,
    columns: tuple[str, ...] | None = None,
) -> None:
    """*records* as JSON, or as a table of *columns* (default: every key)."""
    if fmt not in ("table", "json"):
        raise ConfigError(f"--format {fmt!r}: use table or json")
    if fmt == "json":
        typer.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    if not records:
        typer.echo(empty, err=True)
        return
    shown = columns or tuple(records[0])
    out = Table(title=title)
    for col in shown:
        out.add_column(col)
    for r in records:
        values = [r[c] for c in shown]
        cells = (", ".join(map(str, v)) if isinstance(v, list) else str(v or "") for v in values)
        out.add_row(*(Text(c) for c in cells))
    print_table(Console(), out)


@app.command("schedules")
def schedules(fmt: str = typer.Option("table", "--format", help="table | json.")) -> None:
    """The report schedules, the next to fire first."""
    from tokops.reports.schedules import list_schedules

    with open_store() as store:
        records = [_schedule_record(s) for s in list_schedules(store)]
    columns = ("id", "report", "every", "range", "to", "review", "next_run_at")
    _show(records, fmt, "Report schedules", "no schedule (tokops report schedule NAME …)", columns)


@app.command("unschedule")
def unschedule(schedule_id: str = typer.Argument(..., help="Schedule ID.")) -> None:
    """Delete a schedule (its send log stays)."""
    from tokops.reports.schedules import remove_schedule

    with open_store() as store:
        gone = remove_schedule(store, schedule_id)
    typer.echo(f"removed {gone.schedule_id} ({gone.report} {gone.every})")


@app.command("log")
def log(
    schedule_id: str | None = typer.Option(None, "--schedule", help="Only this schedule."),
    fmt: str = typer.Option("table", "--format", help="table | json."),
) -> None:
    """The send log: every firing with its status and, when held or failed, why."""
    from tokops.reports.schedules import list_sends

    with open_store() as store:
        records = [_send_record(e) for e in list_sends(store, schedule_id)]
    _show(records, fmt, "Report send log", "the send log is empty")


@app.command("approve")
def approve(send_id: str = typer.Argument(..., help="Send ID (see `tokops report log`).")) -> None:
    """Approve a held (review, stale), failed or interrupted issue: the scheduler sends it on
    its next pass."""
    from tokops.reports.schedules import approve_send

    with open_store() as store:
        entry = approve_send(store, send_id)
    typer.echo(f"approved {entry.send_id} (was {entry.status}); `tokops scheduler --once` sends it")
