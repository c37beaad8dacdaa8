"""Small pieces every reporting command shares: date flags, the store, output formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.insights.data import Window
    from tokops.warehouse import Store

__all__ = [
    "ADVERTISER",
    "DATE_FROM",
    "DATE_TO",
    "FORMAT",
    "check_format",
    "emit",
    "open_store",
    "parse_date",
    "parse_window",
]

DATE_FROM = typer.Option(None, "--from", help="First day (YYYY-MM-DD).")
DATE_TO = typer.Option(None, "--to", help="Last day, inclusive (YYYY-MM-DD).")
FORMAT = typer.Option("table", "--format", help="table | json.")
ADVERTISER = typer.Option([], "--advertiser", help="Only this ad account (repeat).")


def parse_date(value: str | None, flag: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` flag value (None when absent); a clear error naming the flag."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag} {value!r}: use YYYY-MM-DD") from None


def parse_window(date_from: str | None, date_to: str | None, advertiser: list[str]) -> Window:
    """The ``--from``/``--to``/``--advertiser`` selection of the insights commands."""
    from tokops.insights.data import Window

    return Window(parse_date(date_from, "--from"), parse_date(date_to, "--to"), tuple(advertiser))


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        raise ConfigError(f"--format {fmt!r}: use {' or '.join(allowed)}")


@contextmanager
def open_store() -> Iterator[Store]:
    """The workspace's store, closed on the way out."""
    from tokops.config import load_settings
    from tokops.warehouse import connect

    store = connect(load_settings().store.url)
    try:
        yield store
    finally:
        store.close()


def emit(data: dict[str, Any], fmt: str, table: Callable[[], Table]) -> None:
    """JSON on stdout, or the rich table with notes and warnings on stderr."""
    if fmt == "json":
        typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
        return
    Console().print(table())
    for line in (*data.get("notes", ()), *data.get("warnings", ())):
        typer.echo(f"note: {line}", err=True)
