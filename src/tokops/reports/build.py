"""A report: a template's figures over a range, with the freshness of its sources (KPI-6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokops.reports.figures import Fetcher, Figure, figure_of
from tokops.reports.freshness import Freshness, source_freshness
from tokops.reports.ranges import ReportRange
from tokops.reports.templates import ReportTemplate, get_template
from tokops.reports.widgets import Comment

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = ["Report", "build_report"]


@dataclass(frozen=True, slots=True)
class Report:
    template: ReportTemplate
    range: ReportRange
    figures: tuple[Figure, ...]
    freshness: tuple[Freshness, ...]
    generated_at: dt.datetime
    advertiser_ids: tuple[str, ...] = ()


def build_report(
    store: Store,
    name: str,
    report_range: ReportRange,
    *,
    advertiser_ids: Sequence[str] = (),
    comments: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Report:
    """Every figure of the template *name* over *report_range*, read through the KPI engine;
    *comments* (text someone wrote for this issue of the report) come first, shown as text."""
    template = get_template(name)
    moment = now or dt.datetime.now(dt.UTC)
    fetcher = Fetcher(store, template, report_range, tuple(advertiser_ids))
    notes = tuple(Comment("Comment", text) for text in comments if text.strip())
    figures = tuple(figure_of(fetcher, w, moment) for w in (*notes, *template.widgets))
    fresh = tuple(source_freshness(store, template.sources))
    return Report(template, report_range, figures, fresh, moment, tuple(advertiser_ids))
