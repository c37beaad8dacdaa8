"""`tokops events …` commands: a thin adapter over :mod:`tokops.activate` (parse, call, render)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tokops.cli._client import INSECURE, with_insecure
from tokops.cli._common import open_store
from tokops.cli._progress import progress_bar, reporting
from tokops.cli._tables import print_table
from tokops.cli.health import register as register_health
from tokops.errors import PipelineError

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn

    from tokops.activate import MappingProposal, SyncOptions, SyncReporter, SyncSummary
    from tokops.config import Settings
    from tokops.tiktok.events import EventsClient

app = typer.Typer(no_args_is_help=True)
register_health(app)

_out = Console()
_err = Console(stderr=True)


class EventSourceChoice(StrEnum):
    web = "web"
    offline = "offline"
    crm = "crm"


# -- sync -------------------------------------------------------------------------------------


@app.command("sync")
def sync(
    source: str = typer.Option(
        ..., "--source", help="Table, SQL query, or CSV/Parquet file with one row per event."
    ),
    event_source: EventSourceChoice = typer.Option(..., "--event-source", help="web|offline|crm"),
    event_source_id: str = typer.Option(
        ..., "--event-source-id", help="Pixel code (web) or offline / CRM event set id."
    ),
    api_base: str | None = typer.Option(
        None, "--api-base", help="TikTok API base URL (default: tokops.toml [tiktok].api_base)."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help="Mapping file (TOML)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; send nothing."),
    test_event_code: str | None = typer.Option(
        None, "--test-event-code", help="Send to Events Manager's Test Events tab."
    ),
    max_age_days: int | None = typer.Option(
        None, "--max-age-days", help="Oldest web/crm event accepted (offline: 28 days)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    insecure: bool = INSECURE,
) -> None:
    """Send conversions from the warehouse to the TikTok Events API (resumable)."""
    from tokops.activate import run_sync
    from tokops.config import load_settings

    settings = with_insecure(load_settings(), insecure)
    options = _sync_options(
        settings, source, event_source.value, event_source_id, mapping, dry_run,
        test_event_code, max_age_days,
    )  # fmt: skip
    client = None if dry_run else _events_client(settings, api_base)
    try:
        with open_store(settings) as store, _progress(enabled=not json_out) as reporter:
            summary = run_sync(store, client, options, reporter=reporter)
    finally:
        if client is not None:
            client.api.close()
    render_summary(summary, json_out)
    if not summary.completed:  # one red line on stderr and a non-zero exit
        raise PipelineError(summary.error or "the sync did not complete")


def _sync_options(
    settings: Settings,
    source: str,
    event_source: str,
    event_source_id: str,
    mapping: Path | None,
    dry_run: bool,
    test_event_code: str | None,
    max_age_days: int | None,
) -> SyncOptions:
    from tokops.activate import SyncOptions, load_mapping

    ev = settings.events
    if max_age_days is None:
        max_age_days = ev.max_age_days(event_source)
    return SyncOptions(
        source=source,
        event_source=event_source,  # type: ignore[arg-type]  # checked by the Enum
        event_source_id=event_source_id,
        mapping=load_mapping(mapping) if mapping is not None else None,
        dry_run=dry_run,
        test_event_code=test_event_code,
        batch_size=ev.batch_size,
        concurrency=ev.concurrency,
        unrecorded=ev.unrecorded,
        phone_region=ev.phone_region,
        max_age_days=max_age_days,
        timezone=ev.timezone,
    )


def _events_client(settings: Settings, api_base: str | None) -> EventsClient:
    from tokops.cli._client import api_client
    from tokops.tiktok.events import EventsClient

    # /event/track/ has its own limit (1,000 QPS), far above the Marketing API's: the
    # workspace's [tiktok] qps capped a sync at qps × 1,000 events/s (issue 9)
    return EventsClient(api_client(settings, api_base, qps=settings.events.qps))


class ProgressReporter:
    """The sync's progress on a bar on stderr (stdout stays clean for --json)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def started(self, run_id: str, total: int, dry_run: bool) -> None:
        self._progress.start()
        label = "validating" if dry_run else "sending"
        self._task = self._progress.add_task(label, total=total, detail="")

    def progressed(self, done: int, counts: Mapping[str, int]) -> None:
        detail = " ".join(f"{k}={v}" for k, v in counts.items() if v)
        self._progress.update(self._task, completed=done, detail=detail)

    def finished(self, summary: SyncSummary) -> None:
        self._progress.stop()


def _elapsed() -> tuple[ProgressColumn, ...]:
    from rich.progress import TimeElapsedColumn

    return (TimeElapsedColumn(),)


def progress_reporter() -> ProgressReporter:
    """A live bar for one events sync (its task, done of total, outcomes, time elapsed)."""
    return ProgressReporter(progress_bar(*_elapsed()))


def _progress(*, enabled: bool) -> AbstractContextManager[SyncReporter]:
    from tokops.activate import NullReporter

    return reporting(NullReporter, ProgressReporter, enabled=enabled, extra=_elapsed())


def _quoted(sample: str) -> str:
    """A sample between double quotes, control characters shown as ``?``."""
    return '"' + "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in sample) + '"'


def render_summary(summary: SyncSummary, json_out: bool) -> None:
    if json_out:
        sys.stdout.write(summary.to_json() + "\n")
    else:
        kind = "dry run" if summary.dry_run else "sync"
        table = Table(title=f"Events {kind}: {summary.status}")
        table.add_column("outcome")
        table.add_column("events", justify="right")
        hidden = {"sent", "rejected", "failed"} if summary.dry_run else set()
        for key, value in summary.counts.items():
            if key not in hidden:
                table.add_row(key.replace("_", " "), f"{value:,}")
        print_table(_out, table)
        if summary.top_reasons:
            reasons = Table(title="Top reasons (not sent)")
            reasons.add_column("reason")
            reasons.add_column("rows", justify="right")
            reasons.add_column("e.g.")
            for reason, count in summary.top_reasons:
                sample = summary.reason_samples.get(reason)
                shown = _quoted(sample) if sample is not None else ""
                reasons.add_row(escape(reason), f"{count:,}", escape(shown))
            print_table(_out, reasons)
        for note, count in summary.notes:
            plural = "event" if count == 1 else "events"
            _out.print(f"{count:,} {plural} kept with a note: {note}", markup=False)
        if summary.time_zone is not None:
            _out.print(f"times without a zone were read as {summary.time_zone}", markup=False)
        for line, problem in summary.rejected_lines[:5]:
            _out.print(f"CSV line {line}: {problem}", highlight=False, markup=False)
        rate = "validated" if summary.dry_run else "sent"
        _out.print(
            f"run {summary.run_id}: {summary.events_per_s:,.0f} events/s {rate} "
            f"in {summary.seconds:.1f}s",
            highlight=False,
        )


# -- map --------------------------------------------------------------------------------------


@app.command("map")
def map_columns(
    source: str = typer.Argument(..., help="Table, SQL query, or CSV/Parquet file."),
    event_source: EventSourceChoice = typer.Option(
        EventSourceChoice.web, "--event-source", help="web|offline|crm"
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the mapping file here (default: print it)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
) -> None:
    """Propose a mapping file for a source whose columns are not named like the fields."""
    from tokops.activate import propose_for_source, to_toml

    if out is not None:
        from tokops.cli._common import check_output_file

        check_output_file(out, force=force)
    with open_store() as store:
        proposal = propose_for_source(store, source, event_source.value)
    header = f"Proposed by `tokops events map` for {source!r} ({event_source.value}): review it."
    text = to_toml(proposal.mapping, missing=proposal.missing, header=header)
    if out is None:
        sys.stdout.write(text)
        _render_proposal(proposal, _err)
    else:
        out.write_text(text, encoding="utf-8")
        _render_proposal(proposal, _out)
        _out.print(f"wrote {out}; use it with: tokops events sync --mapping {out} …")


def _render_proposal(proposal: MappingProposal, console: Console) -> None:
    table = Table(title="Matched columns")
    table.add_column("field")
    table.add_column("column")
    table.add_column("matched by")
    for match in proposal.matches:
        table.add_row(match.field, escape(match.column), match.how)
    for name, value in proposal.mapping.constants.items():
        table.add_row(name, escape(repr(value)), "constant")
    print_table(console, table)
    for note in proposal.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    for miss in proposal.missing:
        console.print(f"[red]missing[/] {miss.field}: {escape(miss.hint)}", highlight=False)
    if proposal.unused:
        unused = "unused columns: " + ", ".join(proposal.unused)
        console.print(unused, highlight=False, markup=False)
