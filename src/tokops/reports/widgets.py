"""The widgets a report template is made of: declarations only, no data (KPI-6).

A widget says *what* to show (which catalogue KPIs, at which grain); :mod:`.figures` fetches
its numbers through the KPI engine (:mod:`tokops.metrics`), :mod:`.charts` draws it and
:mod:`.html` lays it out. Every KPI is named by its catalogue name, so its label, unit,
better-when direction and formula come from one place (:mod:`tokops.metrics.catalogue`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Bar",
    "Comment",
    "EventsHealth",
    "Funnel",
    "KpiTiles",
    "Table",
    "TimeSeries",
    "Widget",
]


@dataclass(frozen=True, slots=True)
class KpiTiles:
    """One tile per KPI: the value over the range, the change against the comparison period
    (coloured by the KPI's better-when direction, greyed when within noise), a sparkline of
    the daily values, and the formula and source table."""

    kpis: tuple[str, ...]
    title: str = "Key figures"


@dataclass(frozen=True, slots=True)
class TimeSeries:
    """One line per KPI (and per value of *split*, e.g. ``spark``) over the days of the range."""

    title: str
    kpis: tuple[str, ...]
    split: str | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    """One KPI by an entity (``campaign``, ``spark``, ``post`` …), the *top* highest first."""

    title: str
    kpi: str
    by: str
    top: int = 10


@dataclass(frozen=True, slots=True)
class Table:
    """KPIs by an entity, sorted by *sort* (the first KPI by default), the *top* rows."""

    title: str
    by: str
    kpis: tuple[str, ...]
    sort: str | None = None
    top: int = 20


@dataclass(frozen=True, slots=True)
class Funnel:
    """Count KPIs as successive steps (impressions → clicks → conversions → purchases), each
    with its rate from the step before."""

    title: str
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comment:
    """Free text shown as written (escaped)."""

    title: str
    text: str


@dataclass(frozen=True, slots=True)
class EventsHealth:
    """The Events API health of every event (EVT-6): what ``tokops events health`` reads."""

    title: str = "Events API health"


Widget = KpiTiles | TimeSeries | Bar | Table | Funnel | Comment | EventsHealth
