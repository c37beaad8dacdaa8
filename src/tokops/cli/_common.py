"""Small pieces every reporting command shares: date flags, the store, output formats."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from tokops.cli._tables import print_table
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.config import Settings
    from tokops.metrics.window import Window
    from tokops.warehouse import Store

__all__ = [
    "ADVERTISER",
    "DATE_FROM",
    "DATE_TO",
    "FORMAT",
    "check_date",
    "check_format",
    "check_output_file",
    "check_output_folder",
    "emit",
    "open_store",
    "parse_date",
    "parse_window",
    "print_table",
]


def check_date(value: str | None) -> str | None:
    """Option callback: a ``YYYY-MM-DD`` value is checked while the command line is parsed (a
    usage error naming the flag, before any work); the command still receives the text."""
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD") from None
    return value


DATE_FROM = typer.Option(None, "--from", callback=check_date, help="First day (YYYY-MM-DD).")
DATE_TO = typer.Option(None, "--to", callback=check_date, help="Last day, inclusive (YYYY-MM-DD).")
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
    from tokops.metrics.window import Window

    return Window(parse_date(date_from, "--from"), parse_date(date_to, "--to"), tuple(advertiser))


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        raise ConfigError(f"--format {fmt!r}: use {' or '.join(allowed)}")


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()  # pragma: no cover - a relative path always has the cwd above it


def check_output_folder(folder: Path) -> None:
    """A clear error, before any work, when *folder* cannot be created or written."""
    there = _nearest_existing(folder.absolute())
    if not there.is_dir():
        what = "is a file" if there == folder.absolute() else f"is under the file {there}"
        raise ConfigError(f"cannot use {folder} as a folder: it {what}")
    if not os.access(there, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot write in {there}: permission denied")


def check_output_file(path: Path, *, force: bool) -> None:
    """A clear error, before any work, when *path* cannot be written (or exists, without
    ``--force``)."""
    if path.is_dir():
        raise ConfigError(f"cannot write {path}: it is a folder")
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists (use --force to overwrite it)")
    parent = path.absolute().parent
    if not parent.exists():
        raise ConfigError(f"cannot write {path}: the folder {path.parent} does not exist")
    check_output_folder(parent)
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(f"cannot write {path}: permission denied")


@contextmanager
def open_store(settings: Settings | None = None) -> Iterator[Store]:
    """The workspace's store (that of *settings*, default the working folder's), closed on the
    way out."""
    from tokops.config import load_settings
    from tokops.warehouse import connect

    store = connect((settings or load_settings()).store.url)
    try:
        yield store
    finally:
        store.close()


def emit(data: dict[str, Any], fmt: str, table: Callable[[], Table]) -> None:
    """JSON on stdout, or the rich table with notes and warnings on stderr."""
    if fmt == "json":
        typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
        return
    print_table(Console(), table())
    for line in (*data.get("notes", ()), *data.get("warnings", ())):
        typer.echo(f"note: {line}", err=True)
