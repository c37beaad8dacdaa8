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

from tokops.metrics.catalogue import Kpi
from tokops.reports import charts
from tokops.reports.build import Report
from tokops.reports.figures import (
    CommentFigure,
    Figure,
    HealthFigure,
    TableFigure,
    Tile,
    TileLine,
    TilesFigure,
)

__all__ = ["render_html", "tile_summary"]

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


def _line(kpi: Kpi, line: TileLine) -> dict[str, Any]:
    """A tile line as text: value, currency, delta, tone and its colour, the noise mark."""
    tone = line.tone(kpi)
    return {
        "currency": line.currency or "",
        "value": kpi.format(line.value, line.currency),
        "delta": _delta(line.change, kpi.format(line.previous, line.currency)),
        "tone": tone,
        "colour": _TONE_COLOURS[tone],
        "noise": bool(line.noise),
    }


def _spark(line: TileLine, colour: str) -> Markup:
    return Markup(charts.sparkline(line.spark, colour))  # noqa: S704 - numbers and our colour


def _tile(tile: Tile) -> dict[str, Any]:
    kpi = tile.kpi
    lines = []
    for line in tile.lines:
        view = _line(kpi, line)
        lines.append({**view, "spark": _spark(line, view["colour"])})
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
    spec = charts.chart_spec(figure)
    if spec is not None:
        view["svg"] = _svg(spec)
    elif isinstance(figure, TilesFigure):
        view.update(kind="tiles", tiles=[_tile(t) for t in figure.tiles])
    elif isinstance(figure, TableFigure | HealthFigure):
        view.update(
            kind="table",
            header=figure.header,
            rows=figure.rows,
            numeric=figure.numeric,
            warnings=figure.warnings if isinstance(figure, HealthFigure) else (),
        )
    elif isinstance(figure, CommentFigure):
        view.update(kind="comment", text=figure.widget.text)
    else:  # a chart with nothing to draw
        view.update(kind="table", rows=(), warnings=())
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


def _summary_rows(report: Report) -> list[dict[str, Any]]:
    """One row per tile line of the report's KPI tiles (every tiles widget, in order)."""
    return [
        {"label": tile.kpi.label, **_line(tile.kpi, line)}
        for figure in report.figures
        if isinstance(figure, TilesFigure)
        for tile in figure.tiles
        for line in tile.lines
    ]


def tile_summary(report: Report, link: str | None = None) -> tuple[str, str]:
    """The key tiles as plain text and as a small HTML page for an e-mail body (inline styles,
    no SVG: mail programs drop both style sheets and SVG)."""
    rng = report.range
    rows = _summary_rows(report)
    text = [f"{report.template.title}: {rng.label}, compared with {rng.compare_label}", ""]
    for r in rows:
        noise = " (within noise)" if r["noise"] else ""
        cur = f" {r['currency']}" if r["currency"] else ""
        text.append(f"{r['label']}: {r['value']}{cur}, {r['delta']}{noise}")
    if link:
        text += ["", f"Live report: {link}"]
    text += ["", "The PDF attached holds every chart and table."]
    page = _environment().get_template("mail.html.j2")
    html = page.render(
        title=report.template.title,
        range_label=rng.label,
        compare_label=rng.compare_label,
        tiles=rows,
        link=link,
        generated=f"{report.generated_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}",
    )
    return "\n".join(text) + "\n", str(html)
