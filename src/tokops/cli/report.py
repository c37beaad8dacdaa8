"""``tokops report``: list the templates, render one to HTML, PDF or PNG, or e-mail it (KPI-6).

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
    """E-mail a report now: the key tiles in the body, the PDF attached (SMTP from the
    environment: TOKOPS_SMTP_HOST, _PORT, _TLS, _USER, _PASSWORD, TOKOPS_MAIL_FROM).

    --to names recipients here, so the days are a --range (relative to today)."""
    from tokops.reports import render_report
    from tokops.reports.mail import SmtpSettings, build_message, check_recipients, send_message

    check_recipients(to)
    settings = SmtpSettings.from_env()
    report = _build(name, range_name, None, None, advertiser, comment)
    pdf = render_report(report, "pdf")
    message = build_message(
        report, pdf, to=to, sender=settings.sender, public_url=settings.public_url
    )
    send_message(message, settings)
    typer.echo(f"sent {name} ({report.range.label}) to {', '.join(to)}")
