"""Every template renders to a self-contained HTML file and to a PDF that holds its KPIs (KPI-6)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from tokops.reports import TEMPLATES, build_report, render_report, resolve_range
from tokops.reports.build import Report
from tokops.reports.figures import HealthFigure, TilesFigure
from tokops.warehouse import connect

from .conftest import TODAY, Workspace

RANGE = resolve_range("last-7-complete-days", today=TODAY)


def _report(url: str, name: str) -> Report:
    store = connect(url)
    try:
        return build_report(store, name, RANGE)
    finally:
        store.close()


def _tile_texts(report: Report) -> list[str]:
    """The value of every tile line as the page prints it."""
    return [
        tile.kpi.format(line.value, line.currency)
        for f in report.figures
        if isinstance(f, TilesFigure)
        for tile in f.tiles
        for line in tile.lines
    ]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_each_template_renders_html_and_a_pdf_with_its_kpis(
    name: str, workspace: Workspace
) -> None:
    report = _report(workspace.url, name)
    assert not [f.error for f in report.figures if f.error and name != "events-health"]
    html = render_report(report, "html").decode()
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    # self-contained: no script, no external stylesheet, image or font
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html.lower() and "@import" not in html
    assert TEMPLATES[name].title in html
    texts = _tile_texts(report)
    for text in texts:
        assert f">{text}" in html, text
    pdf = render_report(report, "pdf")
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    content = " ".join(page.extract_text() or "" for page in reader.pages)
    assert TEMPLATES[name].title in content
    for text in texts:
        assert text in content, text
    if name == "tiktok-ads":
        assert len(texts) >= 9 * 3  # nine KPIs, three currencies
        assert "Campaigns" in content and "From impression to purchase" in content
    if name == "events-health":
        health = report.figures[0]
        assert isinstance(health, HealthFigure)
        assert "no events ledger" in " ".join(health.warnings) and "no events ledger" in content


def test_png_is_an_image_of_the_pages(workspace: Workspace) -> None:
    png = render_report(_report(workspace.url, "tiktok-organic"), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width > 1000 and height > width  # A4 pages at 144 dpi, stacked


def test_names_and_comments_are_escaped_everywhere(workspace: Workspace, tmp_path: Path) -> None:
    """A campaign named like markup, and a comment written like it, show as text."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(workspace.root / "store.duckdb", copy)
    store = connect(f"duckdb://{copy}")
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    try:
        store.execute(f"UPDATE campaigns SET campaign_name = '{evil}'")
        report = build_report(store, "tiktok-ads", RANGE, comments=[f"Why? {evil}"])
    finally:
        store.close()
    html = render_report(report, "html").decode()
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(" in html  # the comment, the table cell, the chart's SVG text
    assert html.count("&lt;script&gt;") >= 3
    assert '<div class="comment">Why? &lt;script&gt;' in html


def test_a_source_that_was_never_synced_is_named_and_the_rest_renders(tmp_path: Path) -> None:
    store = connect(f"duckdb://{tmp_path / 'empty.duckdb'}")
    try:
        report = build_report(store, "social", RANGE)
    finally:
        store.close()
    errors = [f.error for f in report.figures if f.error]
    assert errors and all("run `tokops sync" in e for e in errors)
    html = render_report(report, "html").decode()
    assert "No data: no organic_account_daily table in the store" in html
    assert "never synced" in html  # the freshness badge


def test_freshness_per_source_from_the_sync_state_and_the_snapshots(workspace: Workspace) -> None:
    report = _report(workspace.url, "tiktok-organic")
    fresh = {f.source: f for f in report.freshness}
    assert set(fresh) == {"organic", "organic_video"}
    assert fresh["organic"].through == TODAY and fresh["organic"].scopes >= 1
    assert fresh["organic_video"].through == TODAY  # the sync's snapshot day
    assert fresh["organic_video"].synced_at is not None
    assert not any(f.stale(RANGE.end) for f in fresh.values())
    html = render_report(report, "html").decode()
    assert "TikTok posts: data through 01 Jun 2024" in html
