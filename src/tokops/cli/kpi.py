"""``tokops kpi``: KPI roll-ups from the store at any grain (parse, call, render).

:func:`register` adds the command to a Typer app; the work is in :mod:`tokops.metrics`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tokops.cli._common import open_store, parse_date
from tokops.cli._errors import flag_of
from tokops.cli._tables import print_table
from tokops.errors import ConfigError
from tokops.metrics.compute import KpiTable
from tokops.metrics.errors import PaidOnlyFilter, UnknownKpi

__all__ = ["kpi", "kpi_words", "register", "render_catalogue", "render_table"]

Fmt = Literal["table", "json", "csv"]
#: KPIs shown by ``--format table`` when ``--kpi`` is not given (json/csv show every KPI).
TABLE_DEFAULT = {
    "paid": "spend,impressions,clicks,ctr,cpc,cpm,conversions,cvr,cpa,roas",
    "organic": "organic_video_views,organic_engagement_rate,new_followers,net_followers",
    "organic_video": "post_views,post_avg_watch_time,post_full_watch_rate",
    "followers": "followers_start,followers_end,follower_growth,follower_growth_rate",
}


@contextmanager
def kpi_words(sep: str = ";") -> Iterator[None]:
    """The KPI library's plain-word errors in the command's words (flags, ``tokops kpi --list``)."""
    try:
        yield
    except PaidOnlyFilter as exc:
        raise ConfigError(exc.worded(flag_of)) from exc
    except UnknownKpi as exc:
        raise ConfigError(f"{exc}{sep} see `tokops kpi --list`") from exc


_SOURCES = {
    "paid": "paid",
    "organic": "organic",
    "posts": "organic_video",
    "followers": "followers",
}


def kpi(
    by: str = typer.Option(
        "",
        "--by",
        help="Grain, e.g. campaign,day (day|week|month, advertiser|campaign|adgroup|ad, "
        "spark, currency, one audience segment age|gender|country, account, post).",
    ),
    date_from: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Last day, inclusive (YYYY-MM-DD)."),
    compare: str | None = typer.Option(
        None,
        "--compare",
        help="'previous': beside each row, the bucket before it (with day/week/month) or the "
        "previous period of equal length.",
    ),
    fmt: str = typer.Option("table", "--format", help="table | json | csv."),
    kpis: str | None = typer.Option(None, "--kpi", help="Catalogue names, comma-separated."),
    source: str = typer.Option(
        "paid", "--source", help="paid | organic | posts | followers (growth per period)."
    ),
    target: list[str] = typer.Option([], "--target", help="KPI=VALUE, e.g. roas=3 (repeat)."),
    advertiser: list[str] = typer.Option([], "--advertiser", help="Only this ad account."),
    list_kpis: bool = typer.Option(False, "--list", help="Show the KPI catalogue and exit."),
) -> None:
    """KPIs as Σ/Σ at the grain asked for (rates in percent, money in account currency)."""
    from tokops.metrics.compare import apply_targets, compare_previous, parse_targets
    from tokops.metrics.compute import compute_kpis, select_kpis
    from tokops.metrics.export import to_csv, to_records
    from tokops.metrics.names import with_names

    if fmt not in ("table", "json", "csv"):
        raise ConfigError(f"--format {fmt!r}: use table, json or csv")
    if source not in _SOURCES:
        raise ConfigError(f"--source {source!r}: use paid, organic, posts or followers")
    if compare not in (None, "previous"):
        raise ConfigError(f"--compare {compare!r}: only 'previous' is supported")
    if list_kpis:
        render_catalogue(Console(), fmt)
        return
    src = _SOURCES[source]
    names = kpis or (TABLE_DEFAULT[src] if fmt == "table" else None)
    with kpi_words():
        chosen = [k.name for k in select_kpis(names, src)]  # type: ignore[arg-type]
        start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
        if start is not None and end is not None and end < start:
            raise ConfigError(f"--to {end} is before --from {start}")
        targets = parse_targets(target)
        with open_store() as store:
            opts = {"kpis": chosen, "advertiser_ids": advertiser}
            if compare:
                if start is None or end is None:
                    raise ConfigError("--compare previous needs --from and --to")
                table = compare_previous(store, by, start=start, end=end, **opts)
            else:
                table = compute_kpis(store, by, start=start, end=end, **opts)  # type: ignore[arg-type]
            table = with_names(store, table)
    table = apply_targets(table, targets) if targets else table
    for note in table.notes:
        typer.echo(f"note: {note}", err=True)
    if fmt == "json":
        typer.echo(orjson.dumps(to_records(table), option=orjson.OPT_INDENT_2).decode())
    elif fmt == "csv":
        sys.stdout.write(to_csv(table))  # as is: click.echo would strip escape codes from names
    else:
        render_table(table, Console())


def render_table(table: KpiTable, console: Console) -> None:
    """A rich table: group columns (names beside their IDs), then each KPI with its own added
    columns (previous value, change, target) beside it.

    Cells are :class:`~rich.text.Text`, never markup: a name such as ``[red]x`` prints as
    typed, and its control characters are escaped (:func:`~tokops.metrics.export.printable`).
    """
    from tokops.metrics.export import display_value

    units = table.units
    order = _display_order(table)
    out = Table(title=f"KPIs from {table.table}", show_lines=False)
    for col in order:
        text = units[col] in ("key", "name")
        out.add_column(col, justify="left" if text else "right")
    for row in table.rows:
        currency = row.get("currency")
        cur = currency if isinstance(currency, str) else None
        out.add_row(*(Text(display_value(row.get(c), units[c], cur)) for c in order))
    print_table(console, out, keys=sum(1 for u in units.values() if u in ("key", "name")))


def _display_order(table: KpiTable) -> list[str]:
    """Group columns, then each KPI followed by its own added columns (``spend_previous``,
    ``spend_change``, ``spend_target`` …), so a narrow terminal keeps them together."""
    units = table.units
    kpis = [k.name for k in table.kpis]
    order = [c for c, u in units.items() if u in ("key", "name")]
    extra = [c for c, _ in table.extra]
    for name in kpis:
        order.append(name)
        order += [c for c in extra if c.startswith(f"{name}_") and c not in order]
    return order + [c for c in units if c not in order]


def render_catalogue(console: Console, fmt: str) -> None:
    """The catalogue: name, unit, better-when, formula, source fields, description."""
    from tokops.metrics.catalogue import CATALOGUE

    fields = ("name", "label", "unit", "better", "formula", "source_fields", "description")
    records = [
        {
            "name": k.name,
            "label": k.label,
            "unit": k.unit,
            "better": k.better,
            "formula": k.formula,
            "source_fields": list(k.source_fields),
            "description": k.description,
            "spark_only": k.spark_only,
        }
        for k in CATALOGUE.values()
    ]
    if fmt == "json":
        typer.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        return
    out = Table(title="KPI catalogue")
    for name in fields:
        out.add_column(name)
    for r in records:
        out.add_row(
            *(", ".join(v) if isinstance(v, list) else str(v) for v in (r[f] for f in fields))
        )
    print_table(console, out)


def register(app: typer.Typer) -> None:
    """Add ``kpi`` to *app* (wired as ``tokops kpi``)."""
    app.command("kpi")(kpi)
