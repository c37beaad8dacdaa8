"""The chart definitions: valid Vega-Lite for every template, money split by currency (KPI-6)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tokops.metrics.catalogue import CATALOGUE
from tokops.reports import TEMPLATES, build_report, charts, resolve_range
from tokops.reports.figures import BarFigure, FunnelFigure, SeriesFigure

from .conftest import TODAY, Workspace


@pytest.fixture
def validating(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "VALIDATE", True)  # Altair checks each spec against the schema


def _values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    data = spec["data"]  # inline, or named in the top-level datasets (faceted charts)
    values: list[dict[str, Any]] = (
        data["values"] if "values" in data else spec["datasets"][data["name"]]
    )
    return values


@pytest.mark.usefixtures("validating")
def test_every_chart_of_every_template_is_valid_vega_lite(workspace: Workspace) -> None:
    store = workspace.store()
    drawn = 0
    try:
        for name in TEMPLATES:
            report = build_report(store, name, resolve_range("last-30-days", today=TODAY))
            for figure in report.figures:
                spec = charts.chart_spec(figure)
                kinds = SeriesFigure | BarFigure | FunnelFigure
                assert (spec is not None) == isinstance(figure, kinds), figure.widget.title
                if spec is None:
                    continue
                drawn += 1
                assert spec["config"]["font"] == charts.FONT
                assert _values(spec), figure.widget.title
    finally:
        store.close()
    assert drawn >= 12


@pytest.mark.usefixtures("validating")
def test_money_across_currencies_gets_one_panel_each_and_counts_share_one(
    workspace: Workspace,
) -> None:
    store = workspace.store()
    try:
        report = build_report(store, "tiktok-ads", resolve_range("last-30-days", today=TODAY))
    finally:
        store.close()
    by_title = {f.widget.title: charts.chart_spec(f) for f in report.figures}
    spend = by_title["Spend by day"]
    assert spend is not None and spend["facet"]["row"]["field"] == "facet"
    assert spend["resolve"]["scale"]["y"] == "independent"
    assert {v["facet"] for v in _values(spend)} == {"EUR", "JPY", "USD"}
    conversions = by_title["Conversions by day"]
    assert conversions is not None and "facet" not in conversions  # counts add up on one axis
    assert {v["series"] for v in _values(conversions)} == {"EUR", "JPY", "USD"}
    bars = by_title["Spend by campaign"]
    assert bars is not None and "facet" in bars


def test_labels_stay_distinct_and_funnel_steps_keep_their_order() -> None:
    spec = charts.bar_chart(
        [("Same", 3.0, "3", ""), ("Same", 2.0, "2", ""), ("Other", 1.0, "1", "")],
        CATALOGUE["spend"],
    )
    assert [v["label"] for v in _values(spec)] == ["Same", "Same (2)", "Other"]
    funnel = charts.funnel_chart([("Impressions", 1000, None), ("Clicks", 10, 1)])
    assert [v["text"] for v in _values(funnel)] == ["1,000", "10  (1.00% of previous)"]


def test_sparkline_is_a_polyline_scaled_to_its_box() -> None:
    days = [date(2024, 5, 1) + timedelta(days=i) for i in range(4)]
    svg = charts.sparkline(list(zip(days, [1.0, None, 3.0, 2.0], strict=True)), "#2b8a3e")
    points = re.search(r'points="([^"]+)"', svg)
    assert points is not None
    xy = [tuple(map(float, p.split(","))) for p in points.group(1).split()]
    assert len(xy) == 3  # the day without a value is skipped, not drawn as 0
    assert xy == [(1.0, 29.0), (99.7, 1.0), (149.0, 15.0)]  # low at the bottom, high on top
    assert 'stroke="#2b8a3e"' in svg
    assert charts.sparkline([(days[0], 1.0)], "#000") == ""
