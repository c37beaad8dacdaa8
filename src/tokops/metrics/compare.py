"""Period-over-period comparison and targets on top of a KPI roll-up (KPI-1).

``compare_previous`` adds ``<kpi>_previous`` and ``<kpi>_change`` to every row; which period is
"previous" depends on the grain:

- **without a time dimension**, the previous period has the same length and ends the day
  before the current one starts (1–7 May compares with 24–30 April); rows are matched on the
  group columns;
- **with a time dimension** (``day``, ``week``, ``month``), each bucket is compared with the
  bucket before it for the same entity (same other group columns): the day before, the week
  before, the month before, even when that bucket lies before the window. Where the window
  cuts a bucket (a window starting on a Thursday, or ending on the 10th), the previous bucket
  is cut the same way: the same weekdays of the week before, the same days of the month before
  (up to that month's last day), so partial buckets are compared like for like.

``<kpi>_change`` is the relative change in percent (``None`` when the previous value is ``None``
or 0).

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
from tokops.metrics.grain import DIMENSIONS, parse_grain

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = [
    "apply_targets",
    "change_pct",
    "compare_previous",
    "parse_targets",
    "previous_bucket",
    "previous_period",
    "previous_window",
]

_HUNDRED = Decimal(100)
_DAY = dt.timedelta(days=1)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length that ends the day before *start*."""
    if end < start:
        raise ConfigError(f"the period ends ({end}) before it starts ({start})")
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - _DAY


def _bucket(day: dt.date, time: str) -> dt.date:
    """The first day of the *time* bucket holding *day* (weeks start on Monday)."""
    if time == "week":
        return day - dt.timedelta(days=day.weekday())
    if time == "month":
        return day.replace(day=1)
    return day


def _bucket_end(bucket: dt.date, time: str) -> dt.date:
    """The last day of the bucket starting on *bucket*."""
    if time == "week":
        return bucket + dt.timedelta(days=6)
    if time == "month":
        return (bucket + dt.timedelta(days=31)).replace(day=1) - _DAY
    return bucket


def previous_bucket(bucket: dt.date, time: str) -> dt.date:
    """The first day of the bucket before the one starting on *bucket* (day, week, month)."""
    return _bucket(bucket - _DAY, time)


def previous_window(
    start: dt.date, end: dt.date, time: str | None
) -> tuple[dt.date, dt.date] | None:
    """The days the previous period covers; ``None`` when it has none.

    Without a time dimension: :func:`previous_period`. With one: the buckets before each
    bucket of ``start..end``, cut like their successors (the first from the same offset in
    the bucket, the last up to the same offset, within the bucket's own length).
    """
    if time is None:
        return previous_period(start, end)
    if end < start:
        raise ConfigError(f"the period ends ({end}) before it starts ({start})")
    first, last = _bucket(start, time), _bucket(end, time)
    p_first, p_last = previous_bucket(first, time), previous_bucket(last, time)
    low = p_first + (start - first)
    if low > _bucket_end(p_first, time):  # e.g. from 30 March: February has no such day
        low = first
    high = min(p_last + (end - last), _bucket_end(p_last, time))
    return (low, high) if low <= high else None


def change_pct(current: Number | None, previous: Number | None) -> Decimal | None:
    """100 × (current − previous) / |previous|; ``None`` without a non-zero previous value."""
    if current is None or previous is None or previous == 0:
        return None
    return (Decimal(current) - Decimal(previous)) * _HUNDRED / abs(Decimal(previous))


def _as_date(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def compare_previous(
    store: Store,
    by: Sequence[str] | str | None,
    *,
    start: dt.date,
    end: dt.date,
    **kwargs: Any,
) -> KpiTable:
    """The roll-up of ``start..end`` with ``<kpi>_previous`` and ``<kpi>_change`` columns.

    The previous values come from the previous period (no time dimension) or from the bucket
    before each row's bucket for the same group (a time dimension); see the module docstring.
    """
    chosen = select_kpis(kwargs.get("kpis"))
    time = parse_grain(by, chosen[0].source if chosen else "paid").time
    window = previous_window(start, end, time)
    current = compute_kpis(store, by, start=start, end=end, **kwargs)
    before = [] if window is None else compute_kpis(store, by, start=window[0], end=window[1],
                                                    **kwargs).rows  # fmt: skip
    keys = current.keys
    tcol = DIMENSIONS[time].output if time else None

    def previous_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            previous_bucket(_as_date(row[k]), time) if k == tcol and time else _as_date(row[k])
            for k in keys
        )

    index = {tuple(_as_date(r[k]) for k in keys): r for r in before}
    rows = []
    for row in current.rows:
        old = index.get(previous_key(row), {})
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
    read = "no earlier days" if window is None else f"{window[0]} to {window[1]}"
    if time:
        note = (
            f"previous: each {time} beside the {time} before it for the same group (read "
            f"{read}; a {time} the period cuts is compared with the same days of the one before)"
        )
    else:
        note = f"previous period: {read}"
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
