"""A dashboard page: a report template built by :mod:`tokops.reports`, with its charts live (KPI-6).

The figures are the report's (:func:`tokops.reports.build_report`, so a tile equals ``tokops
kpi`` for the same days) and so are the chart definitions: the Vega-Lite spec a snapshot draws
to SVG is handed to vega-embed in the browser instead. Notes pinned to a day and a KPI are
listed under every widget that shows that KPI, and drawn as a marked day on its time series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

from tokops.errors import ConfigError
from tokops.reports import Report, ReportRange, build_report, resolve_range
from tokops.reports.html import freshness_view, widget_view
from tokops.reports.widgets import Bar, Funnel, KpiTiles, Table, TimeSeries, Widget
from tokops.web.records import Note

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = ["PageParams", "build_page", "widget_kpis", "with_notes"]


@dataclass(frozen=True, slots=True)
class PageParams:
    """A page's range (a named range, or ``from``/``to``) and advertiser filter, as in the
    URL's query string."""

    range_name: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    advertisers: tuple[str, ...] = ()

    @classmethod
    def parse(cls, query: Mapping[str, Sequence[str]]) -> PageParams:
        def one(key: str) -> str | None:
            values = [v for v in query.get(key, ()) if v.strip()]
            return values[0].strip() if values else None

        def day(key: str) -> dt.date | None:
            text = one(key)
            if text is None:
                return None
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise ConfigError(f"{key}={text!r}: expected a day as YYYY-MM-DD") from None

        ids = tuple(dict.fromkeys(v.strip() for v in query.get("advertiser", ()) if v.strip()))
        return cls(one("range"), day("from"), day("to"), ids)

    def resolve(self, today: dt.date) -> ReportRange:
        return resolve_range(self.range_name, start=self.start, end=self.end, today=today)

    def query(self) -> str:
        """The query string that gives these parameters back."""
        pairs: list[tuple[str, str]] = []
        if self.range_name:
            pairs.append(("range", self.range_name))
        if self.start and self.end:
            pairs += [("from", self.start.isoformat()), ("to", self.end.isoformat())]
        pairs += [("advertiser", a) for a in self.advertisers]
        return urlencode(pairs)


def widget_kpis(widget: Widget) -> tuple[str, ...]:
    """The catalogue KPIs a widget shows."""
    if isinstance(widget, KpiTiles | TimeSeries | Table):
        return widget.kpis
    if isinstance(widget, Bar):
        return (widget.kpi,)
    if isinstance(widget, Funnel):
        return widget.steps
    return ()


def with_notes(spec: Mapping[str, Any], notes: Sequence[Note]) -> dict[str, Any]:
    """A time series *spec* with each note as a dashed rule on its day (the note on hover);
    other specs (and faceted ones, one panel per currency) are returned as they are."""
    out = dict(spec)
    if not notes or "facet" in out or "encoding" not in out:
        return out
    x = out["encoding"].get("x", {})
    if x.get("field") != "day":
        return out
    frame: dict[str, Any] = {k: out.pop(k) for k in ("width", "height", "config") if k in out}
    rule = {
        "data": {"values": [{"day": n.day.isoformat(), "note": n.text} for n in notes]},
        "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#862e9c", "strokeWidth": 2},
        "encoding": {
            "x": {"field": "day", "type": "temporal", "timeUnit": "utcyearmonthdate"},
            "tooltip": [{"field": "note", "type": "nominal", "title": "note"}],
        },
    }
    return {**frame, "layer": [out, rule]}


def _view(widget: Widget, figure_view: dict[str, Any], notes: Sequence[Note]) -> dict[str, Any]:
    kpis = set(widget_kpis(widget))
    mine = [n for n in notes if n.kpi in kpis]
    spec = figure_view.pop("spec", None)
    if spec is not None:
        figure_view["spec_json"] = orjson.dumps(with_notes(spec, mine)).decode()
    figure_view["notes"] = mine
    figure_view["kpis"] = sorted(kpis)
    return figure_view


def _embed(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {"spec": spec}


def build_page(
    store: Store,
    name: str,
    rng: ReportRange,
    params: PageParams,
    *,
    notes: Sequence[Note],
    comments: Sequence[str],
    now: dt.datetime,
) -> tuple[Report, dict[str, Any]]:
    """The report *name* over *rng* and what its page shows (see the module doc)."""
    report = build_report(
        store, name, rng, advertiser_ids=params.advertisers, comments=comments, now=now
    )
    widgets = [_view(f.widget, widget_view(f, _embed), notes) for f in report.figures]
    view = {
        "title": report.template.title,
        "description": report.template.description,
        "range_label": rng.label,
        "range_name": rng.name,
        "compare_label": rng.compare_label,
        "advertisers": ", ".join(report.advertiser_ids),
        "freshness": freshness_view(report),
        "widgets": widgets,
        "generated": f"{report.generated_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
    }
    return report, view
