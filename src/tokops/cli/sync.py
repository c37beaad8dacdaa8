"""`tokops sync …` commands: pull TikTok ads and organic data into the store (parse, call, render).

Register with ``app.add_typer(sync_app, name="sync", help=...)`` where ``sync_app`` is
``tokops.cli.sync.app``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from tokops.cli._client import INSECURE, marketing_client, shop_client, with_insecure
from tokops.cli._common import open_store
from tokops.cli._progress import reporting
from tokops.cli._tables import print_table
from tokops.errors import ConfigError, PipelineError

if TYPE_CHECKING:
    from rich.progress import Progress

    from tokops.config import Settings
    from tokops.ingest import IngestReporter, StreamResult, SyncResult
    from tokops.tiktok.marketing import DateWindow, MarketingClient
    from tokops.tiktok.shop import ShopClient
    from tokops.warehouse import Store

app = typer.Typer(no_args_is_help=True)

_out = Console()


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@app.command("ads")
def ads(
    advertiser: list[str] = typer.Option(
        None, "--advertiser", help="Advertiser ID (repeat for several; default: all the token's)."
    ),
    since: datetime | None = typer.Option(
        None, "--since", formats=["%Y-%m-%d"], help="First day to pull (advertiser's time zone)."
    ),
    lookback_days: int = typer.Option(
        7, "--lookback-days", help="Days re-pulled on every run for restated conversions."
    ),
    hourly_days: int = typer.Option(
        7,
        "--hourly-days",
        help="Last local days of the hourly ad report (ad_hourly; one request per day); 0: off.",
    ),
    stream: list[str] = typer.Option(
        None, "--stream", help="Only these streams (repeat); default: all. See --list-streams."
    ),
    list_streams: bool = typer.Option(False, "--list-streams", help="List the streams and exit."),
    api_base: str | None = typer.Option(
        None, "--api-base", help="TikTok API base URL (default: tokops.toml [tiktok].api_base)."
    ),
    qps: float | None = typer.Option(
        None, "--qps", help="Your app's QPS tier (default 10, the basic tier)."
    ),
    concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight at most."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    insecure: bool = INSECURE,
) -> None:
    """Pull ads objects, daily and hourly reports, audience breakdowns and Shop data."""
    from tokops.config import app_credentials, load_settings
    from tokops.ingest import AdsSyncOptions, ads_streams, sync_ads

    if list_streams:
        sys.stdout.write("\n".join(ads_streams()) + "\n")
        return
    settings = with_insecure(load_settings(), insecure)
    app_id, app_secret = app_credentials()
    options = AdsSyncOptions(
        advertiser_ids=tuple(advertiser or ()),
        since=_day(since),
        lookback_days=lookback_days,
        hourly_days=hourly_days,
        streams=tuple(stream or ()),
        concurrency=concurrency,
        app_id=app_id,
        app_secret=app_secret,
    )
    options.check()
    _sync(
        settings,
        api_base,
        qps,
        json_out,
        lambda store, client, shop, reporter: sync_ads(
            store, client, options, reporter=reporter, shop=shop
        ),
        with_shop=True,  # TIKTOK_SHOP_* env vars; without them shop_orders is skipped
    )


@app.command("organic")
def organic(
    business_id: list[str] = typer.Option(
        None, "--business-id", help="TikTok business account ID (repeat for several)."
    ),
    since: datetime | None = typer.Option(
        None, "--since", formats=["%Y-%m-%d"], help="First day of account metrics (≤ 60 days)."
    ),
    api_base: str | None = typer.Option(None, "--api-base", help="TikTok API base URL."),
    qps: float | None = typer.Option(None, "--qps", help="Your app's QPS tier (default 10)."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    insecure: bool = INSECURE,
) -> None:
    """Pull organic accounts (follower snapshot, daily metrics) and every post's metrics."""
    from tokops.config import load_settings
    from tokops.ingest import OrganicSyncOptions, sync_organic

    if not business_id:
        raise ConfigError("pass --business-id ID (the TikTok business account to sync)")
    settings = with_insecure(load_settings(), insecure)
    options = OrganicSyncOptions(since=_day(since))
    _sync(
        settings,
        api_base,
        qps,
        json_out,
        lambda store, client, _shop, reporter: sync_organic(
            store, client, business_id, options, reporter=reporter
        ),
    )


def _sync(
    settings: Settings,
    api_base: str | None,
    qps: float | None,
    json_out: bool,
    run: Callable[[Store, MarketingClient, ShopClient | None, IngestReporter], SyncResult],
    *,
    with_shop: bool = False,
) -> None:
    """Open the clients and the store, run one sync under a progress bar, close, report."""
    with ExitStack() as stack:
        client = stack.enter_context(marketing_client(settings, api_base, qps))
        shop = shop_client(settings, client) if with_shop else None
        if shop is not None:
            stack.enter_context(shop)
        store = stack.enter_context(open_store(settings))
        reporter = stack.enter_context(_progress(enabled=not json_out))
        result = run(store, client, shop, reporter)
    _finish(result, json_out)


# -- rendering ------------------------------------------------------------------------------
class _ProgressReporter:
    """One progress bar per advertiser or account (tasks done), on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self._bars: dict[str, Any] = {}
        self._rows: dict[str, int] = defaultdict(int)

    def started(self, run_id: str, tasks: Sequence[StreamResult]) -> None:
        self.progress.start()
        totals: dict[str, int] = defaultdict(int)
        for task in tasks:
            totals[task.scope_id] += 1
        for scope, total in totals.items():
            self._bars[scope] = self.progress.add_task(scope, total=total, detail="")

    def merged(self, result: StreamResult, window: DateWindow | None, rows: int) -> None:
        self._rows[result.scope_id] += rows
        where = f" {window.start}..{window.end}" if window else ""
        detail = f"{self._rows[result.scope_id]:,} rows · {result.stream}{where}"
        self.progress.update(self._bars[result.scope_id], detail=detail)

    def task_finished(self, result: StreamResult) -> None:
        bar = self._bars.get(result.scope_id)
        if bar is not None:
            self.progress.advance(bar)

    def finished(self, result: SyncResult) -> None:
        self.progress.stop()


def _progress(*, enabled: bool) -> AbstractContextManager[IngestReporter]:
    from tokops.ingest import NullIngestReporter

    return reporting(NullIngestReporter, _ProgressReporter, enabled=enabled)


def _finish(result: SyncResult, json_out: bool) -> None:
    if json_out:
        sys.stdout.write(result.to_json() + "\n")
    else:
        render_sync(result)
    failed = result.failed()
    errors = {s.error for s in failed if s.error}
    if failed and len(errors) == 1 and not any(s.status == "ok" for s in result.streams):
        raise PipelineError(  # one cause for everything (an unreachable API …): say it once
            f"{errors.pop()} — nothing was synced; run the same command again once it is fixed"
        )
    if failed:
        names = ", ".join(s.label for s in failed[:5]) + (" …" if len(failed) > 5 else "")
        raise PipelineError(
            f"{len(failed)} stream(s) failed ({names}); the others completed. "
            "Run the same command again to retry them."
        )


def render_sync(result: SyncResult) -> None:
    """The summary table of an ingestion run (also used by ``tokops demo``)."""
    table = Table(title=f"tokops sync {result.command}: {result.status}")
    for name, justify in (
        ("stream", "left"),
        ("ok", "right"),
        ("skipped", "right"),
        ("failed", "right"),
        ("rows", "right"),
        ("days", "left"),
        ("API calls", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in result.by_stream():
        # the days column wraps when the terminal is narrow
        days = f"{t.first_day} .. {t.last_day}" if t.first_day and t.last_day else ""
        table.add_row(
            t.stream,
            str(t.ok),
            str(t.skipped),
            str(t.failed),
            f"{t.rows:,}",
            days,
            f"{t.calls:,}",
        )
    print_table(_out, table)
    for res in result.streams:
        if res.status in ("failed", "cancelled") or (res.status == "skipped" and res.error):
            colour = "yellow" if res.status == "skipped" else "red"
            _out.print(f"[{colour}]{res.status}[/] {res.label}: {res.error}", highlight=False)
    refused: dict[str, list[str]] = defaultdict(list)
    for stream, names in result.dropped_metrics.items():
        for name in names:
            refused[name].append(stream)
    for name, streams in refused.items():
        _out.print(f"note: the API refused {name} in {', '.join(streams)} (left empty)")
    _out.print(
        f"run {result.run_id}: {result.rows:,} rows, {result.api_calls:,} API calls in "
        f"{result.seconds:.1f}s ({result.api_share:.0%} of it waiting on the API)",
        highlight=False,
    )
