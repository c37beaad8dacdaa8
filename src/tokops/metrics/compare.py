"""Period-over-period comparison and targets on top of a KPI roll-up.

The previous period has the same length and ends the day before the current one starts
(1–7 May compares with 24–30 April). Rows are matched on the group columns; a grain with a
time dimension cannot be matched across periods, so it is refused. ``<kpi>_change`` is the
relative change in percent (``None`` when the previous value is ``None`` or 0).

A target is a value per KPI; ``<kpi>_vs_target`` is 100 × value / target and
``<kpi>_on_target`` tells, by the KPI's better-when direction, whether it is met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from tokops.errors import ConfigError
from tokops.metrics.catalogue import CATALOGUE
from tokops.metrics.compute import KpiTable, Number, compute_kpis, select_kpis
from tokops.metrics.grain import parse_grain

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = ["apply_targets", "change_pct", "compare_previous", "parse_targets", "previous_period"]

_HUNDRED = Decimal(100)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length that ends the day before *start*."""
    if end < start:
        raise ConfigError(f"--to {end} is before --from {start}")
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def change_pct(current: Number | None, previous: Number | None) -> Decimal | None:
    """100 × (current − previous) / |previous|; ``None`` without a non-zero previous value."""
    if current is None or previous is None or previous == 0:
        return None
    return (Decimal(current) - Decimal(previous)) * _HUNDRED / abs(Decimal(previous))


def compare_previous(
    store: Store,
    by: Sequence[str] | str | None,
    *,
    start: dt.date,
    end: dt.date,
    **kwargs: Any,
) -> KpiTable:
    """The roll-up of ``start..end`` with ``<kpi>_previous`` and ``<kpi>_change`` columns."""
    chosen = select_kpis(kwargs.get("kpis"))
    if parse_grain(by, chosen[0].source if chosen else "paid").time is not None:
        raise ConfigError("--compare previous needs a grain without day/week/month")
    p_start, p_end = previous_period(start, end)
    current = compute_kpis(store, by, start=start, end=end, **kwargs)
    before = compute_kpis(store, by, start=p_start, end=p_end, **kwargs)
    index = {tuple(r[k] for k in before.keys): r for r in before.rows}
    rows = []
    for row in current.rows:
        old = index.get(tuple(row[k] for k in current.keys), {})
        new = dict(row)
        for kpi in current.kpis:
            new[f"{kpi.name}_previous"] = old.get(kpi.name)
            new[f"{kpi.name}_change"] = change_pct(row[kpi.name], old.get(kpi.name))
        rows.append(new)
    extra = tuple(
        col
        for k in current.kpis
        for col in ((f"{k.name}_previous", k.unit), (f"{k.name}_change", "percent"))
    )
    note = f"previous period: {p_start} to {p_end}"
    return replace(current, rows=rows, extra=current.extra + extra, notes=(*current.notes, note))


def parse_targets(items: Sequence[str]) -> dict[str, Decimal]:
    """``["roas=3.5", "cpa=12"]`` → ``{"roas": Decimal("3.5"), "cpa": Decimal("12")}``."""
    targets: dict[str, Decimal] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in CATALOGUE:
            raise ConfigError(f"bad target {item!r}: use KPI=VALUE with a catalogue KPI name")
        try:
            targets[name] = Decimal(value.strip())
        except InvalidOperation:
            raise ConfigError(f"bad target {item!r}: {value.strip()!r} is not a number") from None
    return targets


def apply_targets(table: KpiTable, targets: Mapping[str, Decimal]) -> KpiTable:
    """Add ``<kpi>_target``, ``<kpi>_vs_target`` (percent) and ``<kpi>_on_target``."""
    names = {k.name: k for k in table.kpis}
    missing = [n for n in targets if n not in names]
    if missing:
        raise ConfigError(f"targets for KPIs not in the report: {', '.join(missing)}")
    rows = []
    for row in table.rows:
        new = dict(row)
        for name, target in targets.items():
            value, better = row[name], names[name].better
            new[f"{name}_target"] = target
            new[f"{name}_vs_target"] = (
                None if value is None or target == 0 else Decimal(value) * _HUNDRED / target
            )
            met: bool | None = None
            if value is not None and better != "neutral":
                met = value >= target if better == "up" else value <= target
            new[f"{name}_on_target"] = met
        rows.append(new)
    extra = tuple(
        col
        for n in targets
        for col in (
            (f"{n}_target", names[n].unit),
            (f"{n}_vs_target", "percent"),
            (f"{n}_on_target", "bool"),
        )
    )
    return replace(table, rows=rows, extra=table.extra + extra)
