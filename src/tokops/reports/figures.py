"""The numbers of a report, fetched only through the KPI engine (:mod:`tokops.metrics`; KPI-6).

Every figure is a :func:`~tokops.metrics.compute.compute_kpis` roll-up, the function behind
``tokops kpi``: a tile over a range is ``tokops kpi --from START --to END`` (one row per
currency for paid KPIs, as that command prints), its previous value the same over the
comparison period, and its sparkline the same ``--by day``. So a tile equals the command to the
cent. Each (source, grain, window) is queried once per report, with every KPI of that source
the template shows.

A widget whose source is not in the store (no ``tokops sync organic`` yet) gets a message
instead of numbers; the rest of the report still renders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from tokops.errors import ConfigError
from tokops.metrics.catalogue import CATALOGUE, Kpi, format_value
from tokops.metrics.compare import change_pct
from tokops.metrics.compute import KpiTable, Number, compute_kpis
from tokops.metrics.names import with_names
from tokops.reports import widgets as w
from tokops.reports.noise import within_noise
from tokops.reports.ranges import ReportRange
from tokops.reports.templates import ReportTemplate

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = [
    "BarFigure",
    "CommentFigure",
    "Figure",
    "FunnelFigure",
    "HealthFigure",
    "Tile",
    "TileLine",
    "TableFigure",
    "TilesFigure",
    "SeriesFigure",
    "Fetcher",
    "figure_of",
]

Tone = Literal["good", "bad", "neutral", "noise", "none"]
_SPARK_LABEL = {True: "Spark", False: "Non-Spark"}


@dataclass(frozen=True, slots=True)
class TileLine:
    """A tile's figures for one currency (``None`` for KPIs without money)."""

    currency: str | None
    value: Number | None
    previous: Number | None
    change: Decimal | None
    """Relative change in percent (``tokops kpi --compare previous``'s ``<kpi>_change``)."""
    noise: bool | None
    """True when the change is within day-to-day noise (:mod:`.noise`); None: no verdict."""
    spark: tuple[tuple[dt.date, float | None], ...]

    def tone(self, kpi: Kpi) -> Tone:
        """``good``/``bad`` by the KPI's better-when direction, ``noise`` when within noise."""
        if self.change is None:
            return "none"
        if self.noise:
            return "noise"
        if kpi.better == "neutral" or self.change == 0:
            return "neutral"
        up = self.change > 0
        return "good" if up == (kpi.better == "up") else "bad"


@dataclass(frozen=True, slots=True)
class Tile:
    kpi: Kpi
    table: str
    """The store table the figures were read from (``ad_daily``, ``ad_monthly`` …)."""
    lines: tuple[TileLine, ...]

    @property
    def source(self) -> str:
        return f"{self.table}: {', '.join(self.kpi.source_fields)}"


@dataclass(frozen=True, slots=True)
class TilesFigure:
    widget: w.KpiTiles
    tiles: tuple[Tile, ...]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SeriesFigure:
    """Long-form points: ``{"day": date, "series": label, "value": float | None}``."""

    widget: w.TimeSeries
    points: tuple[Mapping[str, Any], ...]
    unit: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class BarFigure:
    widget: w.Bar
    bars: tuple[tuple[str, float | None, str, str], ...]
    """(label, value, formatted value, panel), highest first in each panel (a currency for
    money across several currencies, else ``""``)."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class TableFigure:
    widget: w.Table
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FunnelFigure:
    widget: w.Funnel
    steps: tuple[tuple[str, int | None, Decimal | None], ...]
    """(label, count summed over currencies, percent of the step before)."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CommentFigure:
    widget: w.Comment
    error: str | None = None


@dataclass(frozen=True, slots=True)
class HealthFigure:
    widget: w.EventsHealth
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    warnings: tuple[str, ...] = ()
    last_run: dt.datetime | None = None
    error: str | None = None


Figure = (
    TilesFigure
    | SeriesFigure
    | BarFigure
    | TableFigure
    | FunnelFigure
    | CommentFigure
    | HealthFigure
)


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class Fetcher:
    """Roll-ups of one report: each (source, grain, window) is computed once, with every KPI
    of that source the template shows."""

    store: Store
    template: ReportTemplate
    range: ReportRange
    advertiser_ids: Sequence[str] = ()
    _memo: dict[tuple[str, str, dt.date, dt.date], KpiTable] = field(default_factory=dict)

    def kpis_of(self, source: str) -> list[str]:
        return [n for n in self.template.kpi_names() if CATALOGUE[n].source == source]

    def table(self, source: str, by: str, start: dt.date, end: dt.date) -> KpiTable:
        key = (source, by, start, end)
        if key not in self._memo:
            ids = self.advertiser_ids if source == "paid" else ()
            table = compute_kpis(
                self.store,
                by or None,
                kpis=self.kpis_of(source),
                start=start,
                end=end,
                advertiser_ids=ids,
            )
            self._memo[key] = with_names(self.store, table) if by and by != "day" else table
        return self._memo[key]

    def current(self, source: str, by: str = "") -> KpiTable:
        return self.table(source, by, self.range.start, self.range.end)


def _currency(row: Mapping[str, Any]) -> str | None:
    value = row.get("currency")
    return value if isinstance(value, str) else None


def _spark(
    kpi: Kpi, per_day: Mapping[dt.date, Number | None], rng: ReportRange
) -> tuple[tuple[dt.date, float | None], ...]:
    """Every day of the range with the KPI's value; a day without rows is 0 for a sum and a
    gap (None) for a ratio, which has no value on such a day."""
    empty = None if kpi.denominator else 0.0
    days = (rng.start + dt.timedelta(days=i) for i in range(rng.days))
    return tuple((d, _float(per_day[d]) if per_day.get(d) is not None else empty) for d in days)


def _tiles(f: Fetcher, widget: w.KpiTiles) -> TilesFigure:
    rng = f.range
    tiles: list[Tile] = []
    for name in widget.kpis:
        kpi = CATALOGUE[name]
        source = kpi.source
        now = f.current(source)
        before = {
            _currency(r): r for r in f.table(source, "", rng.compare_start, rng.compare_end).rows
        }
        daily = f.table(source, "day", rng.compare_start, rng.end).rows
        lines = []
        for row in now.rows:
            cur = _currency(row)
            prev = before.get(cur, {}).get(name)
            per_day = {_as_date(r["day"]): r[name] for r in daily if _currency(r) == cur}
            value = row[name]
            noise = within_noise(
                kpi,
                per_day,
                (rng.start, rng.end),
                (rng.compare_start, rng.compare_end),
                value,
                prev,
            )
            spark = _spark(kpi, per_day, rng)
            change = change_pct(value, prev)
            verdict = None if change is None else noise  # no change, nothing to judge
            lines.append(TileLine(cur, value, prev, change, verdict, spark))
        tiles.append(Tile(kpi, now.table, tuple(lines)))
    return TilesFigure(widget, tuple(tiles))


def _label(row: Mapping[str, Any], table: KpiTable, with_currency: bool) -> str:
    parts: list[str] = []
    named = dict(table.names)
    for key in table.keys:
        if key in ("currency", "day"):
            continue
        if key == "is_spark":
            parts.append(_SPARK_LABEL[bool(row[key])])
        elif key == "business_id" and "item_id" in table.keys:
            continue
        else:
            name = row.get(named.get(key, ""))
            parts.append(str(name) if name else str(row[key]))
    if with_currency and _currency(row):
        parts.append(str(_currency(row)))
    return " · ".join(parts) or "All"


def _n_currencies(rows: Sequence[Mapping[str, Any]]) -> int:
    return len({_currency(r) for r in rows})


def _panel(kpi: Kpi, row: Mapping[str, Any], several: bool) -> str:
    """The chart panel of *row*: its currency for money in a selection of several currencies
    (amounts are never drawn on one axis across currencies), else one panel (``""``)."""
    return (_currency(row) or "") if several and kpi.unit == "money" else ""


def _series(f: Fetcher, widget: w.TimeSeries) -> SeriesFigure:
    kpis = [CATALOGUE[n] for n in widget.kpis]
    by = "day" if widget.split is None else f"{widget.split},day"
    table = f.current(kpis[0].source, by)
    several = _n_currencies(table.rows) > 1
    points = []
    for row in table.rows:
        for kpi in kpis:
            panel = _panel(kpi, row, several)
            parts = [kpi.label] if len(kpis) > 1 else []
            if widget.split is not None or (several and not panel):
                parts.append(_label(row, table, several and not panel))
            points.append(
                {
                    "day": _as_date(row["day"]),
                    "series": " · ".join(p for p in parts if p) or kpi.label,
                    "value": _float(row[kpi.name]),
                    "facet": panel,
                }
            )
    return SeriesFigure(widget, tuple(points), kpis[0].unit)


def _top(rows: Sequence[dict[str, Any]], kpi: str, top: int) -> list[dict[str, Any]]:
    """The *top* rows by *kpi*, highest first (rows without a value last)."""
    return sorted(rows, key=lambda r: (r[kpi] is None, -(r[kpi] or 0)))[:top]


def _bar(f: Fetcher, widget: w.Bar) -> BarFigure:
    kpi = CATALOGUE[widget.kpi]
    table = f.current(kpi.source, widget.by)
    several = _n_currencies(table.rows) > 1
    bars = []
    panels = sorted({_panel(kpi, r, several) for r in table.rows})
    for panel in panels:  # the top bars of each panel (currency), highest first
        rows = [r for r in table.rows if _panel(kpi, r, several) == panel]
        bars += [
            (
                _label(r, table, several and not panel),
                _float(r[kpi.name]),
                kpi.format(r[kpi.name], _currency(r)),
                panel,
            )
            for r in _top(rows, kpi.name, widget.top)
        ]
    return BarFigure(widget, tuple(bars))


def _table(f: Fetcher, widget: w.Table) -> TableFigure:
    kpis = [CATALOGUE[n] for n in widget.kpis]
    table = f.current(kpis[0].source, widget.by)
    several = _n_currencies(table.rows) > 1
    header = (widget.by.capitalize(), *(k.label for k in kpis))
    rows = tuple(
        (
            _label(r, table, several),
            *(k.format(r[k.name], _currency(r)) for k in kpis),
        )
        for r in _top(table.rows, widget.sort or kpis[0].name, widget.top)
    )
    return TableFigure(widget, header, rows, (False, *(True for _ in kpis)))


def _funnel(f: Fetcher, widget: w.Funnel) -> FunnelFigure:
    kpis = [CATALOGUE[n] for n in widget.steps]
    rows = f.current(kpis[0].source).rows
    steps: list[tuple[str, int | None, Decimal | None]] = []
    before: int | None = None
    for kpi in kpis:
        values = [r[kpi.name] for r in rows]
        total = None if not values or None in values else int(sum(values))
        rate = None
        if total is not None and before:
            rate = Decimal(total) * 100 / before
        steps.append((kpi.label, total, rate))
        before = total
    return FunnelFigure(widget, tuple(steps))


def _health(f: Fetcher, widget: w.EventsHealth, now: dt.datetime) -> HealthFigure:
    from tokops.activate.health import compute_health

    since = max(1, (now.date() - f.range.start).days + 1)
    report = compute_health(f.store, since_days=since, now=now)
    header = ("Source", "Event", "Sent", "Invalid", "Rejected", "Failed", "Score", "Dedup ready")
    rows = tuple(
        (
            e.event_source,
            e.event,
            f"{e.sent:,}",
            f"{e.invalid:,}",
            f"{e.rejected:,}",
            f"{e.failed:,}",
            "-" if e.score is None else f"{e.score:.1f} ({e.band})",
            format_value("percent", None if e.dedup_readiness is None else e.dedup_readiness * 100),
        )
        for e in report.events
    )
    reasons = (f"{status} {n:,}×: {reason}" for status, reason, n in report.top_reasons)
    warnings = (
        *report.warnings,
        *(msg for e in report.events for msg in e.warnings),
        *reasons,
    )
    last = report.last_run.finished_at if report.last_run else None
    numeric = (False, False, *(True for _ in header[2:]))
    return HealthFigure(widget, header, rows, numeric, tuple(warnings), last)


def figure_of(f: Fetcher, widget: w.Widget, now: dt.datetime) -> Figure:
    """The figure of *widget*; a widget whose data is missing carries the reason instead."""
    try:
        if isinstance(widget, w.KpiTiles):
            return _tiles(f, widget)
        if isinstance(widget, w.TimeSeries):
            return _series(f, widget)
        if isinstance(widget, w.Bar):
            return _bar(f, widget)
        if isinstance(widget, w.Table):
            return _table(f, widget)
        if isinstance(widget, w.Funnel):
            return _funnel(f, widget)
        if isinstance(widget, w.EventsHealth):
            return _health(f, widget, now)
        return CommentFigure(widget)
    except ConfigError as exc:
        return _missing(widget, str(exc))


def _missing(widget: w.Widget, reason: str) -> Figure:
    if isinstance(widget, w.KpiTiles):
        return TilesFigure(widget, (), reason)
    if isinstance(widget, w.TimeSeries):
        return SeriesFigure(widget, (), "count", reason)
    if isinstance(widget, w.Bar):
        return BarFigure(widget, (), reason)
    if isinstance(widget, w.Table):
        return TableFigure(widget, (), (), (), reason)
    if isinstance(widget, w.Funnel):
        return FunnelFigure(widget, (), reason)
    if isinstance(widget, w.EventsHealth):
        return HealthFigure(widget, (), (), error=reason)
    return CommentFigure(widget, reason)
