"""Reports: templates of KPI tiles, charts, tables and comments over the KPI engine (KPI-6, KPI-7).

A report is a template (:mod:`.templates`, made of :mod:`.widgets`) over a range
(:mod:`.ranges`). Its numbers come only from :mod:`tokops.metrics` (:mod:`.figures`), so a tile
equals ``tokops kpi`` for the same days; its charts are defined once (:mod:`.charts`) and drawn
offline; it is written as a self-contained HTML file (:mod:`.html`), a PDF or a PNG
(:mod:`.pdf`). :func:`render_report` does all of it.
"""

from __future__ import annotations

from tokops.reports.build import Report, build_report
from tokops.reports.output import FORMATS, render_report
from tokops.reports.ranges import DEFAULT_RANGE, RANGES, ReportRange, resolve_range
from tokops.reports.templates import TEMPLATES, ReportTemplate, get_template

__all__ = [
    "DEFAULT_RANGE",
    "FORMATS",
    "RANGES",
    "TEMPLATES",
    "Report",
    "ReportRange",
    "ReportTemplate",
    "build_report",
    "get_template",
    "render_report",
    "resolve_range",
]
