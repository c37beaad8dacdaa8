"""``tokops audiences …``: suppression audiences from the store (EVT-8).

Commands parse, call :mod:`tokops.activate.audiences` and render; nothing here knows TikTok's
wire format. The advertiser id comes from ``--advertiser-id`` or ``TIKTOK_ADVERTISER_ID``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING

import orjson
import typer
from rich.console import Console
from rich.table import Table

from tokops.cli._client import INSECURE, api_client, with_insecure
from tokops.cli._common import open_store
from tokops.cli._tables import print_table
from tokops.config import load_settings
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.activate.audiences import AudienceStatus, AudienceSyncResult
    from tokops.config import Settings
    from tokops.tiktok.audiences import AudiencesClient
    from tokops.warehouse import Store

__all__ = ["app", "render_status", "render_sync"]

ADVERTISER_ENV = "TIKTOK_ADVERTISER_ID"

app = typer.Typer(no_args_is_help=True, help="Hashed customer lists as TikTok custom audiences.")


class Key(StrEnum):
    email = "email"
    phone = "phone"


#: Options whose flag is not the field's name with dashes.
_FLAGS = {"retention_in_days": "--retention-days"}


def _flag(option: str) -> str:
    """The flag of an :class:`~tokops.activate.audiences.AudienceSyncOptions` field."""
    return _FLAGS.get(option, "--" + option.replace("_", "-"))


def _json(data: object) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


@app.command()
def sync(
    source: str = typer.Option(..., "--source", help="Table name, SQL query, or .csv/.parquet."),
    name: str = typer.Option(..., "--name", help="Audience name on TikTok (1-128 characters)."),
    key: Key = typer.Option(Key.email, "--key", help="Which identifier the list holds."),
    column: str | None = typer.Option(None, "--column", help="Column of the key (default: key)."),
    advertiser_id: str | None = typer.Option(
        None, "--advertiser-id", envvar=ADVERTISER_ENV, help="Advertiser (ad account) id."
    ),
    api_base: str | None = typer.Option(None, "--api-base", help="API base (or a sandbox URL)."),
    since_days: int | None = typer.Option(
        None, "--since-days", min=1, help="Only rows of the last N days (needs --time-column)."
    ),
    time_column: str | None = typer.Option(None, "--time-column", help="Column with the date."),
    retention_days: int | None = typer.Option(
        None, "--retention-days", min=1, max=365, help="Retention when the audience is created."
    ),
    force: bool = typer.Option(False, "--force", help="Upload even if nothing changed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count and check; send nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    insecure: bool = INSECURE,
) -> None:
    """Normalise, hash and dedupe a customer list, then create or replace the audience."""
    from tokops.activate.audiences import AudienceSyncOptions, OptionError, run_audience_sync

    settings = with_insecure(load_settings(), insecure)
    options = AudienceSyncOptions(
        source=source,
        name=name,
        key=key.value,
        column=column,
        advertiser_id=advertiser_id or settings.tiktok.advertiser_id,
        since_days=since_days,
        time_column=time_column,
        dry_run=dry_run,
        phone_region=settings.events.phone_region,
        retention_in_days=retention_days,
        force=force,
    )
    with _clients(settings, api_base, with_api=not dry_run) as (store, client):
        try:
            result = run_audience_sync(store, client, options)
        except OptionError as exc:
            raise ConfigError(exc.worded(_flag)) from None
    if as_json:
        _json(result.to_dict())
    else:
        render_sync(result, Console())


@app.command("list")
def list_(
    advertiser_id: str = typer.Option(
        ..., "--advertiser-id", envvar=ADVERTISER_ENV, help="Advertiser (ad account) id."
    ),
    api_base: str | None = typer.Option(None, "--api-base", help="API base (or a sandbox URL)."),
    no_api: bool = typer.Option(False, "--no-api", help="Local records only (no match counts)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    insecure: bool = INSECURE,
) -> None:
    """Audiences synced from this workspace, with TikTok's matched size and match rate."""
    from tokops.activate.audiences import audience_status

    settings = with_insecure(load_settings(), insecure)
    with _clients(settings, api_base, with_api=not no_api) as (store, client):
        rows = audience_status(store, client, advertiser_id)
    if as_json:
        _json([r.to_dict() for r in rows])
    else:
        render_status(rows, Console())


@contextmanager
def _clients(
    settings: Settings, api_base: str | None, *, with_api: bool
) -> Iterator[tuple[Store, AudiencesClient | None]]:
    """The workspace's store and, when *with_api*, an audiences client; both closed after."""
    from tokops.tiktok.audiences import AudiencesClient

    with ExitStack() as stack:
        client = None
        if with_api:
            client = AudiencesClient(stack.enter_context(api_client(settings, api_base)))
        yield stack.enter_context(open_store(settings)), client


# -- rendering ----------------------------------------------------------------------------------
def render_sync(result: AudienceSyncResult, console: Console) -> None:
    from tokops.tiktok.audiences import MIN_AUDIENCE_SIZE

    dry = " — dry run, nothing sent" if result.dry_run else ""
    console.print(
        f"[bold]Audience {result.name!r}[/] ({result.calculate_type}){dry}", highlight=False
    )
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("rows", justify="right")
    table.add_row("rows read", f"{result.rows_read:,}")
    if result.rows != result.rows_read or result.untimed:
        table.add_row("rows in the time window", f"{result.rows:,}")
    table.add_row("invalid or empty", f"{result.invalid:,}")
    for reason, count in result.invalid_reasons:
        table.add_row(f"  {reason}", f"{count:,}")
    table.add_row("duplicates removed", f"{result.duplicates:,}")
    size = f"{result.entries:,}"
    if result.entries < MIN_AUDIENCE_SIZE:
        size = f"[yellow]{size}[/] (< {MIN_AUDIENCE_SIZE:,})"
    table.add_row("entries in the file", size)
    print_table(console, table)
    verbs = {
        "create": "created",
        "replace": "replaced the content of",
        "recreate": "created anew",
        "unchanged": "nothing uploaded: same content as the last sync for",
    }
    if result.action is None:
        console.print("give --advertiser-id to see whether it would be created or replaced")
    else:
        verb = verbs[result.action]
        if result.dry_run:
            verb = {"create": "would create", "replace": "would replace the content of"}.get(
                result.action, verb
            )
        ident = f" {result.custom_audience_id}" if result.custom_audience_id else ""
        console.print(
            f"{verb} audience{ident} of advertiser {result.advertiser_id}", highlight=False
        )
    for text in result.warnings:
        console.print(f"[yellow]warning:[/] {text}", highlight=False)


def render_status(rows: list[AudienceStatus], console: Console) -> None:
    if not rows:
        console.print("no audience synced from this workspace for that advertiser")
        return
    table = Table(title="Synced audiences", title_justify="left")
    for name in ("Name", "Audience id", "Type", "Last sync", "Action"):
        table.add_column(name)
    for name in ("Rows", "Entries", "Matched", "Match rate"):
        table.add_column(name, justify="right")
    table.add_column("Valid")
    for s in rows:
        r = s.record
        table.add_row(
            r.name,
            r.custom_audience_id or "-",
            r.calculate_type,
            f"{r.synced_at:%Y-%m-%d %H:%M}",
            r.action,
            f"{r.rows:,}",
            f"{r.entries:,}",
            "-" if s.cover_num is None else f"{s.cover_num:,}",
            "-" if s.match_rate is None else f"{s.match_rate:.0%}",
            "-" if s.is_valid is None else ("yes" if s.is_valid else "no"),
        )
    print_table(console, table)
    console.print(
        "[dim]match rate = matched / rows of the segment (invalid rows included); TikTok takes "
        "24-48 h to match an upload[/]",
        highlight=False,
    )
