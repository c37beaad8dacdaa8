"""A report as one self-contained HTML file: inline CSS, charts as inline SVG (KPI-6).

Nothing is fetched when the file is opened (no script, no font, no image by URL), so it reads
the same offline, attached to an e-mail, or turned into a PDF (:mod:`.pdf`). Every text that
comes from data or from a person (campaign names, comments) goes through Jinja's autoescape;
only the SVG that vl-convert drew is inserted as markup, and Vega escapes the text inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any, Final

from markupsafe import Markup

from tokops.metrics.catalogue import CATALOGUE
from tokops.reports import charts
from tokops.reports.build import Report
from tokops.reports.figures import (
    BarFigure,
    CommentFigure,
    Figure,
    FunnelFigure,
    HealthFigure,
    SeriesFigure,
    TableFigure,
    Tile,
    TilesFigure,
)

__all__ = ["render_html"]

_TONE_COLOURS: Final = {
    "good": "#2b8a3e",
    "bad": "#c92a2a",
    "neutral": "#495057",
    "noise": "#868e96",
    "none": "#495057",
}


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("tokops.reports", "assets"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> str:
    return files("tokops.reports").joinpath("assets/report.css").read_text(encoding="utf-8")


def _svg(spec: Mapping[str, Any]) -> Markup:
    return Markup(charts.to_svg(spec))  # noqa: S704 - drawn by vl-convert, text escaped by Vega


def _delta(change: Decimal | None, previous: str) -> str:
    if change is None:
        return f"no comparison (before: {previous})"
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    return f"{arrow} {abs(change):,.1f}% vs {previous}"


def _tile(tile: Tile) -> dict[str, Any]:
    kpi = tile.kpi
    lines = []
    for line in tile.lines:
        tone = line.tone(kpi)
        spark = [p for p in line.spark if p[1] is not None]
        lines.append(
            {
                "currency": line.currency or "",
                "value": kpi.format(line.value, line.currency),
                "delta": _delta(line.change, kpi.format(line.previous, line.currency)),
                "tone": tone,
                "noise": bool(line.noise),
                "spark": _svg(charts.sparkline(line.spark, _TONE_COLOURS[tone]))
                if len(spark) > 1
                else "",
            }
        )
    return {
        "name": kpi.name,
        "label": kpi.label,
        "formula": kpi.formula,
        "source": tile.source,
        "hover": f"{kpi.label} = {kpi.formula} (source {tile.source}). {kpi.description}",
        "lines": lines,
    }


def _widget(figure: Figure) -> dict[str, Any]:
    w = figure.widget
    view: dict[str, Any] = {"title": w.title, "error": figure.error, "kind": "chart"}
    if figure.error:
        return view
    if isinstance(figure, TilesFigure):
        view.update(kind="tiles", tiles=[_tile(t) for t in figure.tiles])
    elif isinstance(figure, SeriesFigure):
        if not figure.points:
            view.update(kind="table", rows=(), warnings=())
        else:
            view["svg"] = _svg(charts.line_chart(figure.points, figure.unit))
    elif isinstance(figure, BarFigure):
        if not figure.bars:
            view.update(kind="table", rows=(), warnings=())
        else:
            view["svg"] = _svg(charts.bar_chart(figure.bars, CATALOGUE[figure.widget.kpi]))
    elif isinstance(figure, FunnelFigure):
        view["svg"] = _svg(charts.funnel_chart(figure.steps))
    elif isinstance(figure, TableFigure | HealthFigure):
        warnings = figure.warnings if isinstance(figure, HealthFigure) else ()
        numeric = (
            figure.numeric
            if isinstance(figure, TableFigure)
            else ((False, False, *([True] * (len(figure.header) - 2))))
        )
        view.update(
            kind="table",
            header=figure.header,
            rows=figure.rows,
            numeric=numeric,
            warnings=warnings,
        )
    elif isinstance(figure, CommentFigure):
        view.update(kind="comment", text=figure.widget.text)
    return view


def _freshness(report: Report) -> list[dict[str, Any]]:
    out = []
    for f in report.freshness:
        if f.through is None:
            text = f"{f.label}: never synced"
        else:
            text = f"{f.label}: data through {f.through:%d %b %Y}"
        synced = "never" if f.synced_at is None else f"{f.synced_at:%Y-%m-%d %H:%M} UTC"
        title = f"last sync {synced}; {f.scopes} account(s)"
        out.append({"text": text, "title": title, "stale": f.stale(report.range.end)})
    for fig in report.figures:
        if isinstance(fig, HealthFigure) and not fig.error:
            when = "never" if fig.last_run is None else f"{fig.last_run:%d %b %Y %H:%M} UTC"
            out.append({"text": f"Events API: last run {when}", "title": "", "stale": False})
    return out


def render_html(report: Report) -> str:
    """The report as a standalone HTML document (see the module doc)."""
    from tokops import __version__

    rng = report.range
    page = _environment().get_template("report.html.j2")
    return str(
        page.render(
            version=__version__,
            css=Markup(_css()),  # noqa: S704 - the package's own stylesheet
            title=report.template.title,
            description=report.template.description,
            range_label=rng.label,
            range_name=rng.name,
            compare_label=rng.compare_label,
            advertisers=", ".join(report.advertiser_ids),
            freshness=_freshness(report),
            widgets=[_widget(f) for f in report.figures],
            generated=f"{report.generated_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
        )
    )
