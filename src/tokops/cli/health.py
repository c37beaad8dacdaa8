"""``tokops events health``: event quality read-out from the ledger (EVT-6).

:func:`register` adds the ``health`` command to a Typer app (``tokops events``). The command
only parses, calls :func:`tokops.activate.health.compute_health` and renders.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tokops.cli._client import INSECURE, diagnostics_fetcher, with_insecure
from tokops.cli._common import open_store
from tokops.cli._tables import print_table
from tokops.config import load_settings

if TYPE_CHECKING:
    from tokops.activate.health import EventHealth, HealthReport

__all__ = ["health", "register", "render_health"]


def health(
    event_source_id: str | None = typer.Option(
        None, "--event-source-id", help="Only this pixel code / event set id."
    ),
    since: int | None = typer.Option(
        None, "--since", min=1, help="Only ledger rows recorded in the last N days."
    ),
    api_base: str | None = typer.Option(
        None, "--api-base", help="API base for server-vs-pixel counts (default: the workspace's)."
    ),
    no_api: bool = typer.Option(
        False, "--no-api", help="Read the ledger only; do not ask the API for diagnostics."
    ),
    include_test: bool = typer.Option(
        False, "--include-test", help="Count events sent with a test_event_code too."
    ),
    top: int = typer.Option(5, "--top", min=1, help="How many rejection reasons to show."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    insecure: bool = INSECURE,
) -> None:
    """Event health: match keys, match quality, dedup readiness, rejections, server vs pixel."""
    from tokops.activate.health import compute_health

    settings = with_insecure(load_settings(), insecure)
    with ExitStack() as stack:
        store = stack.enter_context(open_store(settings))
        report = compute_health(
            store,
            event_source_id=event_source_id,
            since_days=since,
            include_test=include_test,
            top=top,
            diagnostics=None if no_api else diagnostics_fetcher(settings, api_base, stack),
        )
    if as_json:
        typer.echo(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        render_health(report, Console())


def register(app: typer.Typer) -> None:
    """Add ``health`` to *app* (wired as ``tokops events health``)."""
    app.command("health")(health)


# -- rendering ----------------------------------------------------------------------------------
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _score(e: EventHealth) -> str:
    if e.score is None:
        return "-"
    color = {"great": "green", "good": "green", "fair": "yellow"}.get(e.band or "", "red")
    return f"[{color}]{e.score:.1f} {e.band}[/]"


def _printable(text: str) -> str:
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text)


def render_health(report: HealthReport, console: Console) -> None:
    """Rich tables of a :class:`HealthReport` (no raw PII exists in it to show)."""
    from tokops.activate.health import MATCH_KEYS, SCORE_DOC

    window = f"last {report.since_days} days" if report.since_days else "all time"
    console.print(
        f"[bold]Event health[/] — {window}, generated {report.generated_at:%Y-%m-%d %H:%M} UTC"
    )
    run = report.last_run
    if run is not None:
        counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in run.counts.items() if v)
        if run.total is not None and not run.dry_run:
            counts += f" of {run.total:,} rows"
        when = f"{run.started_at:%Y-%m-%d %H:%M} UTC" if run.started_at else "?"
        dry = " (dry run)" if run.dry_run else ""
        color = {"completed": "green", "running": "yellow"}.get(run.status, "red")
        console.print(
            f"last run [{color}]{run.status}[/]{dry} {when} — {counts or 'nothing sent'}",
            highlight=False,
        )
    if not report.events:
        console.print("no events in the ledger for this selection")
    else:
        keys = Table(title="Delivery and match keys (share of sent events)", title_justify="left")
        for name in ("Source id", "Event", "Sent", "Invalid", "Rejected", "Failed"):
            keys.add_column(name, justify="left" if name in ("Source id", "Event") else "right")
        labels = {"external_id": "Ext id", "ip_ua": "IP+UA"}
        for k in MATCH_KEYS:
            keys.add_column(
                labels.get(k, k.capitalize() if k in ("email", "phone") else k), justify="right"
            )
        keys.add_column("Match quality", justify="right")
        for e in report.events:
            keys.add_row(
                e.event_source_id,
                e.event,
                _int(e.sent),
                _int(e.invalid),
                _int(e.rejected),
                _int(e.failed),
                *[_pct(e.coverage.get(k)) if e.sent else "-" for k in MATCH_KEYS],
                _score(e),
            )
        print_table(console, keys, keys=2)
        console.print(f"[dim]{SCORE_DOC}[/]", highlight=False)

        dedup = Table(
            title="Deduplication and connection method (Server/Pixel/Merged/Dropped: the API's "
            "own counts, all time)",
            title_justify="left",
        )
        for name in ("Source id", "Event", "Dedup ready", "Server", "Pixel", "Merged", "Dropped"):
            dedup.add_column(name, justify="left" if name in ("Source id", "Event") else "right")
        dedup.add_column("Last sent")
        dedup.add_column("Status")
        for e in report.events:
            pixel = e.pixel
            dedup.add_row(
                e.event_source_id,
                e.event,
                _pct(e.dedup_readiness)
                + ("" if report.dedup_origin_known or e.dedup_readiness is None else "*"),
                _int(e.server_events),
                _int(e.pixel_events),
                _int(pixel.deduplication.merged if pixel else None),
                _int(pixel.deduplication.dropped if pixel else None),
                f"{e.last_sent_at:%Y-%m-%d %H:%M}" if e.last_sent_at else "-",
                "[green]Active[/]" if e.active else "No recent activity",
            )
        print_table(console, dedup)
        if not report.dedup_origin_known:
            console.print(
                "[dim]* estimated: the ledger does not say which event_ids tokops derived, so "
                "64-hex ids are counted as derived[/]",
                highlight=False,
            )
    for sid, outcome in report.diagnostics.items():
        if outcome.state != "ok":
            console.print(f"{sid}: {outcome.note}", highlight=False)
    if report.top_reasons:
        reasons = Table(title="Top rejection reasons", title_justify="left")
        reasons.add_column("Status")
        reasons.add_column("Reason")
        reasons.add_column("Rows", justify="right")
        reasons.add_column("e.g.")
        for status, reason, count in report.top_reasons:
            found = report.sample(reason)
            shown = '"' + _printable(found) + '"' if found is not None else ""
            reasons.add_row(status, escape(reason), f"{count:,}", escape(shown))
        print_table(console, reasons)
    for e in report.events:
        for note, count in e.notes:
            console.print(
                f"{e.event_source_id} {e.event}: {count:,} sent with a note: {note}",
                markup=False,
                highlight=False,
            )
    warnings = [*report.warnings]
    warnings += [f"{e.event_source_id} {e.event}: {w}" for e in report.events for w in e.warnings]
    for text in warnings:
        console.print(f"[yellow]warning:[/] {text}", highlight=False)
