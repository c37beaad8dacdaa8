"""``tokops demo run``: the whole flow on a generated shop, the sandbox and the embedded DuckDB.

The command parses, calls :func:`tokops.demo.run.run_demo` and renders what it reports, with the
same renderers as ``tokops events health`` and ``tokops audiences sync``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tokops.cli._tables import print_table

if TYPE_CHECKING:
    from tokops.activate.audiences import AudienceSyncResult
    from tokops.activate.health import HealthReport
    from tokops.activate.summary import SyncReporter
    from tokops.demo.report import DemoResult, PixelPosting, SourceRun
    from tokops.demo.shop import Shop
    from tokops.ingest.summary import SyncResult as IngestResult

__all__ = ["ConsoleDemoReporter", "app", "render_result"]

app = typer.Typer(no_args_is_help=True)


@app.command("run")
def run(
    folder: Path = typer.Option(Path("demo-out"), "--folder", help="Where the demo writes."),
    orders: int = typer.Option(5000, "--orders", min=10, help="Web orders to generate."),
    seed: int = typer.Option(7, "--seed", help="Seed of the generated shop."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON only."),
) -> None:
    """Generate a shop, start the sandbox, sync its conversions and show the read-outs."""
    from tokops.cli._common import check_output_folder
    from tokops.demo.run import DemoOptions, run_demo

    check_output_folder(folder)
    console = Console()
    options = DemoOptions(folder=folder, orders=orders, seed=seed)
    if as_json:
        result = run_demo(options)
        typer.echo(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        console.print(
            "[bold]tokops demo[/] — send a shop's conversions to TikTok from the warehouse, "
            "end to end, on this machine: a local TikTok sandbox, the embedded DuckDB store, "
            "no account and no network.",
            highlight=False,
        )
        result = run_demo(options, ConsoleDemoReporter(console))
        render_result(result, console)
    if not result.completed:
        raise typer.Exit(1)


class ConsoleDemoReporter:
    """Prints each step as the demo reaches it."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def step(self, number: int, title: str, explanation: str) -> None:
        self.console.print()
        self.console.rule(f"[bold]{number}. {title}", align="left")
        self.console.print(f"[dim]{explanation}[/]", highlight=False)

    def shop_ready(self, shop: Shop) -> None:
        table = Table(title=f"Generated in {shop.folder}", title_justify="left")
        for name in ("File", "Rows", "Valid", "Invalid", "Duplicates", "Broken lines"):
            table.add_column(name, justify="left" if name == "File" else "right")
        for t in shop.files:
            table.add_row(
                t.file,
                f"{t.rows:,}",
                f"{t.sent:,}",
                f"{t.invalid:,}",
                f"{t.duplicate:,}",
                f"{t.unreadable:,}",
            )
        p = shop.pixel
        table.add_row("pixel_events.jsonl", f"{p.events:,}", f"{p.events:,}", "0", "0", "0")
        print_table(self.console, table)
        self.console.print(
            f"[dim]Expected outcome of every row: {shop.folder / 'ground_truth.json'}[/]",
            highlight=False,
        )

    def sandbox_ready(self, url: str, workspace: Path) -> None:
        self.console.print(f"sandbox listening on {url}; workspace {workspace}", highlight=False)

    def pixel_done(self, posting: PixelPosting) -> None:
        self.console.print(
            f"{posting.events:,} browser events posted in {posting.requests:,} requests "
            f"(sandbox verdicts: {_counts(posting.outcomes)})",
            highlight=False,
        )

    def sync_reporter(self) -> SyncReporter | None:
        from tokops.cli.events import progress_reporter

        return progress_reporter()

    def sync_done(self, run: SourceRun) -> None:
        render_source_run(run, self.console)

    def health_done(self, report: HealthReport) -> None:
        from tokops.cli.health import render_health

        render_health(report, self.console)

    def audience_done(self, result: AudienceSyncResult | None, note: str) -> None:
        from tokops.cli.audiences import render_sync

        if result is not None:
            render_sync(result, self.console)
        if note:
            self.console.print(f"[yellow]{note}[/]", highlight=False)

    def ingest_done(self, results: list[IngestResult]) -> None:
        from tokops.cli.sync import render_sync

        for result in results:
            render_sync(result)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items()) or "none"


def render_source_run(run: SourceRun, console: Console) -> None:
    """One sync's summary (as ``tokops events sync`` prints it) against the ground truth."""
    from tokops.cli.events import render_summary

    render_summary(run.summary, json_out=False)
    wanted = ", ".join(f"{k} {v:,}" for k, v in run.expected_counts().items())
    if run.matches_truth:
        console.print(f"[green]✓ matches the shop's ground truth[/] ({wanted})", highlight=False)
    else:
        console.print(
            f"[red]✗ differs from the shop's ground truth[/]: expected {wanted}", highlight=False
        )
    console.print(f"[dim]{run.mapping_note}[/]", highlight=False)


def render_result(result: DemoResult, console: Console) -> None:
    """The closing lines: did everything add up, where to look, and what to try next."""
    from tokops.demo.run import STORE_TABLES, next_steps

    console.print()
    console.rule("[bold]Done", align="left")
    verdict = (
        "[green]every sync count matches the generated shop's ground truth[/]"
        if result.matches_truth
        else "[red]some counts differ from the ground truth (see above)[/]"
    )
    console.print(
        f"{result.sent:,} events sent in {result.seconds:.1f} s; {verdict}.", highlight=False
    )
    console.print(
        f"Look around: {result.folder} holds the files, the mappings, tokops.toml and the store "
        f"(tokops.duckdb: tables {', '.join(STORE_TABLES)}).",
        highlight=False,
    )
    console.print(
        f"Run it again: tokops demo run --folder {result.folder} "
        f"--orders {result.shop.orders.sent} --seed {result.shop.seed}",
        highlight=False,
    )
    console.print("\n[bold]Try next[/] (on the demo's store; no sandbox needed):")
    for line in next_steps(result.folder):
        console.print(Text(f"  {line}"), soft_wrap=True)
