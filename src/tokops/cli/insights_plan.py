"""``tokops insights plan | budget | segments``: goal planning, budget reallocation, segments.

:func:`register` adds the three commands to the ``insights`` Typer app. The work is in
:mod:`tokops.insights.plan`, :mod:`tokops.insights.budget` and :mod:`tokops.insights.segments`;
this module parses options, opens the store from the settings and renders a table or JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from tokops.cli._common import (
    ADVERTISER,
    DATE_FROM,
    DATE_TO,
    FORMAT,
    check_format,
    open_store,
    parse_date,
    parse_window,
)
from tokops.cli._tables import Col, table_of
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.insights.budget import BudgetPlan
    from tokops.insights.plan import GoalPlan
    from tokops.insights.segments import SegmentKpi, SegmentReport

__all__ = ["register"]


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def _show(data: dict[str, Any], fmt: str, tables: list[Table], notes: list[str]) -> None:
    """JSON on stdout, or the tables (one per currency) with the notes on stderr."""
    if fmt == "json":
        typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
        return
    console = Console()
    for table in tables:
        console.print(table)
    for line in dict.fromkeys(notes):
        typer.echo(f"note: {line}", err=True)


def _group_notes(groups: list[tuple[str | None, list[str]]]) -> list[str]:
    """Each table's notes, prefixed with its currency when there are several tables."""
    if len(groups) == 1:
        return list(groups[0][1])
    everywhere = set.intersection(*(set(n) for _, n in groups))
    out = [n for _, notes in groups[:1] for n in notes if n in everywhere]
    out += [f"{cur}: {n}" for cur, notes in groups for n in notes if n not in everywhere]
    return out


@contextmanager
def _one_currency_hint() -> Iterator[None]:
    """A mixed-currency refusal from the library, with the flag that picks one account."""
    from tokops.insights.data import MixedCurrencies

    try:
        yield
    except MixedCurrencies as exc:
        raise ConfigError(f"{exc} (--advertiser ID)") from None


def _legend(names: tuple[str, ...] | list[str]) -> str:
    """What the catalogue names of the columns mean (as `tokops kpi --list` says)."""
    from tokops.metrics.catalogue import CATALOGUE

    return "columns: " + "; ".join(
        f"{n} = {CATALOGUE[n].label}, {CATALOGUE[n].formula}" for n in names
    )


def _accounts(ids: tuple[str, ...] | list[str]) -> str:
    if not ids:
        return ""
    more = f" +{len(ids) - 2}" if len(ids) > 2 else ""
    return f"account{'s' if len(ids) > 1 else ''} {', '.join(ids[:2])}{more}"


def plan(
    sales: float | None = typer.Option(None, "--sales", help="Target sales (conversions)."),
    revenue: float | None = typer.Option(None, "--revenue", help="Target revenue."),
    roas: float | None = typer.Option(None, "--roas", help="Target ROAS (with --revenue)."),
    window_days: int = typer.Option(28, "--window-days", help="Days of history to learn from."),
    date_to: str | None = typer.Option(None, "--to", help="Last day of history (YYYY-MM-DD)."),
    event: str = typer.Option("conversions", "--event", help="conversions | purchases."),
    level: float = typer.Option(0.90, "--level", help="Interval level of the ranges."),
    horizon_days: int | None = typer.Option(
        None, "--horizon-days", help="Days to reach the target in (response-curve budget)."
    ),
    advertiser: list[str] = ADVERTISER,
    fmt: str = FORMAT,
) -> None:
    """Work a sales or revenue target back to views, clicks and budget, as ranges (KPI-2).

    Several currencies in the history: one plan per currency, the sales target shared by
    each one's conversions.
    """
    from tokops.insights.plan import GoalParams, plan_goals

    check_format(fmt)
    with open_store() as store, _one_currency_hint():
        params = GoalParams(
            sales=sales,
            revenue=revenue,
            roas=roas,
            window_days=window_days,
            end=parse_date(date_to, "--to"),
            advertiser_ids=tuple(advertiser),
            event=event,  # type: ignore[arg-type]
            level=level,
            horizon_days=horizon_days,
        )
        report = plan_goals(store, params)
    tables = [_plan_table(p) for p in report.plans] if fmt == "table" else []
    notes = [*report.notes, *_group_notes([(p.currency, p.notes) for p in report.plans])]
    _show(report.to_dict(), fmt, tables, notes)


def _plan_table(result: GoalPlan) -> Table:
    from tokops.metrics.catalogue import CATALOGUE, format_money, format_value

    cur = result.currency
    goal = ", ".join(f"{k} {v:,.2f}".rstrip("0").rstrip(".") for k, v in result.target.items())
    where = ", ".join(
        x
        for x in (
            cur or "",
            _accounts(result.advertiser_ids),
            "" if result.share is None else f"{result.share:.0%} of the target",
        )
        if x
    )
    out = Table(
        title=f"Plan for {goal} ({where}; {result.level:.0%} ranges, history {result.start} – "
        f"{result.end}, {result.days} days)"
    )
    out.add_column("", justify="left")
    for col in ("low", "expected", "high"):
        out.add_column(col, justify="right", no_wrap=True)
    for r in result.rates:
        kpi = CATALOGUE[r.name]
        out.add_row(kpi.label, *(kpi.format(v, cur) for v in (r.low, r.estimate, r.high)))
    out.add_section()
    for q in result.requirements:
        if q.name in ("budget", "budget_curve"):
            days = result.curve.horizon_days if result.curve else "?"
            label = (
                f"budget, linear ({cur or ''})"
                if q.name == "budget"
                else f"budget on curve ({cur or ''}, {days} days)"
            )
            out.add_row(label, *(format_money(v, cur) for v in (q.low, q.expected, q.high)))
        else:
            label = f"required {q.name.replace('_', ' ')}"
            out.add_row(label, *(format_value("count", v) for v in (q.low, q.expected, q.high)))
    return out


def budget(
    level: str = typer.Option("campaign", "--level", help="campaign | adgroup."),
    total: float | None = typer.Option(
        None, "--total", help="Daily budget to share (default: current daily spend)."
    ),
    explore_share: float = typer.Option(
        0.10, "--explore-share", help="Share kept for units too new or uncertain for a curve."
    ),
    max_scale: float = typer.Option(2.0, "--max-scale", help="Never above this × current."),
    min_scale: float = typer.Option(0.5, "--min-scale", help="Never below this × current."),
    date_from: str | None = DATE_FROM,
    date_to: str | None = DATE_TO,
    advertiser: list[str] = ADVERTISER,
    fmt: str = FORMAT,
) -> None:
    """Recommended daily budgets on diminishing-returns curves (KPI-5b).

    Several currencies: one table per currency; each shares its own current spend.
    """
    from tokops.insights.budget import BudgetParams, budget_plans

    check_format(fmt)
    window = parse_window(date_from, date_to, advertiser)
    with open_store() as store, _one_currency_hint():
        params = BudgetParams(
            level=level,  # type: ignore[arg-type]
            total_budget=total,
            explore_share=explore_share,
            window=window,
            min_scale=min_scale,
            max_scale=max_scale,
        )
        report = budget_plans(store, params)
    tables = [_budget_table(p) for p in report.plans] if fmt == "table" else []
    notes = _group_notes([(p.currency, p.notes) for p in report.plans])
    notes += [f"{s['currency']} not reallocated: {s['reason']}" for s in report.skipped]
    _show(report.to_dict(), fmt, tables, notes)


def _budget_table(result: BudgetPlan) -> Table:
    from tokops.metrics.catalogue import format_money

    cur = result.currency
    ch = result.expected_change
    title = (
        f"Daily budget by {result.level}, {cur or ''} {format_money(result.total_budget, cur)} "
        f"({_accounts(result.advertiser_ids)}); expected change {ch['expected']:+,.1f} "
        f"conversions/day [{ch['low']:+,.1f}, {ch['high']:+,.1f}]"
    )
    cols = [
        Col(result.level, "left", wrap=True),
        Col("role", "left", wrap=True),
        Col("days", drop=2),
        Col("current"),
        Col("recommended"),
        Col("b", drop=1),
        Col("marginal CPA", drop=3),
    ]
    rows = [
        [
            u.unit_id if not u.name else f"{u.name}\n{u.unit_id}",
            u.role if u.reason is None else f"{u.role}: {u.reason}",
            str(u.days),
            format_money(u.current_spend, cur),
            format_money(u.recommended_spend, cur),
            _num(u.b, 2),
            format_money(u.marginal_cpa, cur),
        ]
        for u in result.units
    ]
    return table_of(title, cols, rows)


def segments(
    dimension: str = typer.Option("age", "--dimension", help="age | gender | country."),
    alpha: float = typer.Option(0.10, "--alpha", help="1 − confidence of the intervals."),
    date_from: str | None = DATE_FROM,
    date_to: str | None = DATE_TO,
    advertiser: list[str] = ADVERTISER,
    fmt: str = FORMAT,
) -> None:
    """CTR, CVR per click, CPA and ROAS per age, gender or country segment (KPI-5c).

    The KPIs are the catalogue's (as ``tokops kpi --by age``); one table per currency.
    """
    from tokops.insights.segments import SEGMENT_KPIS, segment_reports

    check_format(fmt)
    window = parse_window(date_from, date_to, advertiser)
    with open_store() as store:
        reports = segment_reports(store, dimension, window, alpha=alpha)
    tables = [_segment_table(r) for r in reports] if fmt == "table" else []
    notes = _group_notes([(r.currency, r.notes) for r in reports])
    notes.append(_legend(SEGMENT_KPIS))
    _show({"reports": [r.to_dict() for r in reports]}, fmt, tables, notes)


def _segment_table(result: SegmentReport) -> Table:
    from tokops.insights.segments import SEGMENT_KPIS
    from tokops.metrics.catalogue import CATALOGUE, format_money

    cur = result.currency

    def cell(kpis: dict[str, SegmentKpi], name: str) -> str:
        kpi = CATALOGUE[name]
        est, ci = kpis[name].estimate, kpis[name].ci
        shown = kpi.format(est, cur)
        if ci is None or est is None:
            return shown
        return f"{shown}\n±{kpi.format((ci[1] - ci[0]) / 2, cur)}"

    where = ", ".join(x for x in (cur or "", _accounts(result.advertiser_ids)) if x)
    title = f"By {result.dimension} ({where}; ± {result.confidence:.0%} interval)"
    cols = [
        Col("segment", "left"),
        Col(f"spend\n({cur})" if cur else "spend"),
        Col("share", drop=2),
        *(Col(name) for name in SEGMENT_KPIS),
        Col("follows", drop=1),
    ]
    rows = [
        [
            r.segment,
            format_money(r.totals["spend"], cur),
            _pct(r.share_of_spend, 1),
            *(cell(r.kpis, name) for name in SEGMENT_KPIS),
            _num(r.totals["follows"]),
        ]
        for r in result.rows
    ]
    return table_of(title, cols, rows)


def register(app: typer.Typer) -> None:
    """Add ``plan``, ``budget`` and ``segments`` to the ``tokops insights`` app."""
    app.command("plan")(plan)
    app.command("budget")(budget)
    app.command("segments")(segments)
