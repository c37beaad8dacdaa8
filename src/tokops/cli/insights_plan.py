"""``tokops insights plan | budget | segments``: goal planning, budget reallocation, segments.

:func:`register` adds the three commands to the ``insights`` Typer app. The work is in
:mod:`tokops.insights.plan`, :mod:`tokops.insights.budget` and :mod:`tokops.insights.segments`;
this module parses options, opens the store from the settings and renders a table or JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from tokops.cli._common import (
    ADVERTISER,
    DATE_FROM,
    DATE_TO,
    FORMAT,
    check_format,
    emit,
    open_store,
    parse_date,
    parse_window,
)

if TYPE_CHECKING:
    from tokops.insights.segments import SegmentKpi

__all__ = ["register"]


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


_RATE_LABELS = {
    "view_rate": ("25 % view rate", True),
    "ctr": ("CTR", True),
    "atc_rate": ("add-to-cart / click", True),
    "cvr": ("CVR (per click)", True),
    "cpm": ("CPM", False),
    "cpa": ("CPA", False),
    "aov": ("AOV", False),
    "roas": ("ROAS", False),
}


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
    """Work a sales or revenue target back to views, clicks and budget, as ranges (KPI-2)."""
    from tokops.insights.plan import plan_goal

    check_format(fmt)
    with open_store() as store:
        result = plan_goal(
            store,
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

    def table() -> Table:
        cur = result.currency or ""
        goal = ", ".join(f"{k} {v:,.2f}".rstrip("0").rstrip(".") for k, v in result.target.items())
        out = Table(
            title=f"Plan for {goal} ({result.level:.0%} ranges, history {result.start} – "
            f"{result.end}, {result.days} days)"
        )
        for col in ("", "low", "expected", "high"):
            out.add_column(col, justify="left" if not col else "right")
        for r in result.rates:
            label, is_pct = _RATE_LABELS.get(r.name, (r.name, False))
            fmt_v: Callable[[float | None], str] = (
                (lambda v: _pct(v, 3)) if is_pct else (lambda v: _num(v, 2))
            )
            out.add_row(label, fmt_v(r.low), fmt_v(r.estimate), fmt_v(r.high))
        out.add_section()
        for q in result.requirements:
            label = {
                "budget": f"budget, linear ({cur})",
                "budget_curve": f"budget on curve ({cur}, "
                f"{result.curve.horizon_days if result.curve else '?'} days)",
            }.get(q.name, f"required {q.name}")
            out.add_row(label, _num(q.low), _num(q.expected), _num(q.high))
        return out

    emit(result.to_dict(), fmt, table)


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
    """Recommended daily budgets on diminishing-returns curves (KPI-5b)."""
    from tokops.insights.budget import budget_reallocation

    check_format(fmt)
    window = parse_window(date_from, date_to, advertiser)
    with open_store() as store:
        result = budget_reallocation(
            store,
            level=level,  # type: ignore[arg-type]
            total_budget=total,
            explore_share=explore_share,
            window=window,
            min_scale=min_scale,
            max_scale=max_scale,
        )

    def table() -> Table:
        ch = result.expected_change
        out = Table(
            title=f"Daily budget by {result.level} ({result.currency or ''} "
            f"{result.total_budget:,.2f}); expected change {ch['expected']:+,.1f} conversions/day "
            f"[{ch['low']:+,.1f}, {ch['high']:+,.1f}]"
        )
        for col in ("unit", "role", "days", "current", "recommended", "b", "marginal CPA"):
            out.add_column(col, justify="left" if col in ("unit", "role") else "right")
        for u in result.units:
            out.add_row(
                u.unit_id,
                u.role if u.reason is None else f"{u.role}: {u.reason}",
                str(u.days),
                _num(u.current_spend, 2),
                _num(u.recommended_spend, 2),
                _num(u.b, 2),
                _num(u.marginal_cpa, 2),
            )
        return out

    emit(result.to_dict(), fmt, table)


def segments(
    dimension: str = typer.Option("age", "--dimension", help="age | gender | country."),
    alpha: float = typer.Option(0.10, "--alpha", help="1 − confidence of the intervals."),
    date_from: str | None = DATE_FROM,
    date_to: str | None = DATE_TO,
    advertiser: list[str] = ADVERTISER,
    fmt: str = FORMAT,
) -> None:
    """CTR, CVR, CPA and ROAS per age, gender or country segment, with intervals (KPI-5c)."""
    from tokops.insights.segments import segment_report

    check_format(fmt)
    window = parse_window(date_from, date_to, advertiser)
    with open_store() as store:
        result = segment_report(store, dimension, window, alpha=alpha)

    def cell(kpis: dict[str, SegmentKpi], name: str, pct: bool) -> str:
        est, ci = kpis[name].estimate, kpis[name].ci
        show: Callable[[float | None], str] = (lambda v: _pct(v)) if pct else (lambda v: _num(v, 2))
        return show(est) if ci is None else f"{show(est)} [{show(ci[0])}, {show(ci[1])}]"

    def table() -> Table:
        out = Table(title=f"By {result.dimension} ({result.confidence:.0%} intervals)")
        for col in ("segment", "spend", "share", "CTR", "CVR", "CPA", "ROAS", "follows"):
            out.add_column(col, justify="left" if col == "segment" else "right")
        for r in result.rows:
            out.add_row(
                r.segment,
                _num(r.totals["spend"], 2),
                _pct(r.share_of_spend, 1),
                cell(r.kpis, "ctr", True),
                cell(r.kpis, "cvr", True),
                cell(r.kpis, "cpa", False),
                cell(r.kpis, "roas", False),
                _num(r.totals["follows"]),
            )
        return out

    emit(result.to_dict(), fmt, table)


def register(app: typer.Typer) -> None:
    """Add ``plan``, ``budget`` and ``segments`` to the ``tokops insights`` app."""
    app.command("plan")(plan)
    app.command("budget")(budget)
    app.command("segments")(segments)
