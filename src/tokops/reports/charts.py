"""Every chart of the reports, defined once as Vega-Lite (Altair) and drawn offline (KPI-6).

The same spec serves both outputs: a browser shows it interactive (vega-embed), and
:func:`to_svg` draws it to a static SVG with vl-convert (an embedded JavaScript engine with
Vega inside, no browser, no network) for the HTML snapshot, the PDF and the e-mail. Chart data
are inlined in the spec; text in them (campaign names) is data, which Vega writes into the SVG
escaped.

Dates are ``YYYY-MM-DD`` strings read as UTC days, so a day never shifts with the time zone of
the machine that draws it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final

import altair as alt

from tokops.metrics.catalogue import CATALOGUE, Kpi
from tokops.reports.figures import BarFigure, Figure, FunnelFigure, SeriesFigure

__all__ = [
    "FONT",
    "bar_chart",
    "chart_spec",
    "funnel_chart",
    "line_chart",
    "sparkline",
    "to_svg",
]

FONT: Final = "DejaVu Sans, Helvetica, Arial, sans-serif"
WIDTH: Final = 520
HEIGHT: Final = 200
ACCENT: Final = "#1f6feb"
SPARK_WIDTH: Final = 150
SPARK_HEIGHT: Final = 30
VALIDATE: bool = False
"""Check every spec against the Vega-Lite schema as it is built (the tests turn it on; it
costs about 20 ms a chart)."""
_UNIT_TITLES: Final = {
    "money": "amount (account currency)",
    "percent": "percent",
    "ratio": "ratio",
    "seconds": "seconds",
    "count": "count",
}
_CONFIG: Final[Mapping[str, Any]] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": True, "gridColor": "#eeeeee"},
    "legend": {"labelFontSize": 11, "orient": "bottom", "title": None, "labelLimit": 260},
    "range": {
        "category": ["#1f6feb", "#e8590c", "#2f9e44", "#862e9c", "#c92a2a", "#0c8599", "#5c940d"]
    },
}


def _chart(data: Sequence[Mapping[str, Any]]) -> alt.Chart:
    return alt.Chart(alt.InlineData(values=list(data)))


Chart = alt.Chart | alt.LayerChart | alt.FacetChart


def _spec(chart: Chart) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=VALIDATE)
    spec["config"] = dict(_CONFIG)
    spec.pop("$schema", None)
    return spec


def _by_currency(chart: alt.Chart | alt.LayerChart, faceted: bool) -> Chart:
    """One panel per currency, each with its own scales (money is never compared across
    currencies), when *faceted*."""
    if not faceted:
        return chart
    header = alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start", labelFontSize=11)
    panels = chart.facet(row=alt.Row("facet:N", title=None, header=header))
    resolved: alt.FacetChart = panels.resolve_scale(x="independent", y="independent")
    return resolved


def _unique(labels: Sequence[str]) -> list[str]:
    """Labels made unique (``name (2)``): two campaigns of the same name stay two bars."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def line_chart(points: Sequence[Mapping[str, Any]], unit: str) -> dict[str, Any]:
    """One line per ``series`` over ``day`` (``{"day": date, "series": str, "value": float,
    "facet": currency or ""}``); one panel per currency when the points carry several."""
    data = [
        {
            "day": p["day"].isoformat(),
            "series": p["series"],
            "value": p["value"],
            "facet": p.get("facet", ""),
        }
        for p in points
    ]
    faceted = len({d["facet"] for d in data}) > 1
    chart = (
        _chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2)
        .encode(
            x=alt.X(
                "day:T", timeUnit="utcyearmonthdate", title=None, axis=alt.Axis(format="%d %b")
            ),
            y=alt.Y("value:Q", title=_UNIT_TITLES.get(unit, unit)),
            color=alt.Color("series:N"),
            tooltip=[
                alt.Tooltip("day:T", timeUnit="utcyearmonthdate", title="day"),
                alt.Tooltip("series:N"),
                alt.Tooltip("value:Q", format=",.2f"),
            ],
        )
        .properties(width=WIDTH, height=HEIGHT // 2 if faceted else HEIGHT)
    )
    return _spec(_by_currency(chart, faceted))


def _labelled_bars(
    data: list[dict[str, Any]], title: str | None, scale: alt.Scale | None = None
) -> dict[str, Any]:
    """Horizontal bars (``label``, ``value``) in the given order, each with its ``text``; one
    panel per ``facet`` (currency) when the data carry several."""
    panels = Counter(d.get("facet", "") for d in data)
    faceted, rows = len(panels) > 1, max(panels.values(), default=1)
    base = _chart(data).encode(
        y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("value:Q", title=title, scale=scale or alt.Scale()),
    )
    chart = alt.LayerChart(
        layer=[
            base.mark_bar(color=ACCENT, opacity=0.85).encode(tooltip=["label:N", "text:N"]),
            base.mark_text(align="left", dx=3, fontSize=10).encode(text="text:N"),
        ]
    ).properties(width=WIDTH - 200, height=max(44, 22 * rows))
    return _spec(_by_currency(chart, faceted))


def bar_chart(bars: Sequence[tuple[str, float | None, str, str]], kpi: Kpi) -> dict[str, Any]:
    """Horizontal bars, highest first (``(label, value, formatted value, currency panel)``)."""
    labels = _unique([b[0] for b in bars])
    data = [
        {"label": label, "value": value, "text": text, "facet": facet}
        for label, (_, value, text, facet) in zip(labels, bars, strict=True)
    ]
    return _labelled_bars(data, kpi.label)


def funnel_chart(steps: Sequence[tuple[str, int | None, Any]]) -> dict[str, Any]:
    """Successive counts as bars (square-root scale, so small steps stay visible), each
    labelled with its count and its rate from the step before (``(label, count, percent of
    the step before)``)."""
    data = []
    for label, count, rate in steps:
        text = "-" if count is None else f"{count:,}"
        if rate is not None:
            text += f"  ({float(rate):.2f}% of previous)"
        data.append({"label": label, "value": count, "text": text})
    return _labelled_bars(data, None, alt.Scale(type="sqrt"))


def sparkline(points: Sequence[tuple[Any, float | None]], color: str) -> str:
    """A KPI tile's trend: the daily values as one SVG polyline, no axes (``""`` with fewer
    than two values).

    Drawn directly rather than through Vega: a page holds dozens of them (one per KPI and
    currency), they need no interaction, and a polyline costs microseconds where a Vega
    render costs tens of milliseconds. *color* is one of the report's own colours.
    """
    values = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    if len(values) < 2:
        return ""
    low, high = min(v for _, v in values), max(v for _, v in values)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 2) / max(len(points) - 1, 1)
    coords = " ".join(
        f"{1 + i * step:.1f},{1 + (SPARK_HEIGHT - 2) * (1 - (v - low) / span):.1f}"
        for i, v in values
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_WIDTH}" '
        f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" '
        f'aria-label="daily trend"><polyline fill="none" stroke="{color}" stroke-width="1.5" '
        f'stroke-linejoin="round" points="{coords}"/></svg>'
    )


def chart_spec(figure: Figure) -> dict[str, Any] | None:
    """The Vega-Lite spec of a chart widget's figure; None for other widgets and for a chart
    with nothing to draw."""
    if figure.error:
        return None
    if isinstance(figure, SeriesFigure) and figure.points:
        return line_chart(figure.points, figure.unit)
    if isinstance(figure, BarFigure) and figure.bars:
        return bar_chart(figure.bars, CATALOGUE[figure.widget.kpi])
    if isinstance(figure, FunnelFigure) and figure.steps:
        return funnel_chart(figure.steps)
    return None


def to_svg(spec: Mapping[str, Any]) -> str:
    """*spec* drawn as a standalone SVG document (offline: vl-convert, no browser)."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(dict(spec))
    return svg
