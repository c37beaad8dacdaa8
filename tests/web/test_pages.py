"""Every template as a live page: its tiles, its charts as Vega-Lite specs for vega-embed, the
freshness badges, and tiles equal to ``tokops kpi`` for the same range (KPI-6, KPI-7)."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.metrics.catalogue import CATALOGUE
from tokops.reports import TEMPLATES, resolve_range
from tokops.reports.widgets import KpiTiles, TimeSeries
from tokops.warehouse import connect
from tokops.web import RunningDashboard

from .conftest import TODAY, Workspace

_TILE = re.compile(
    r'<div class="tile" title="[^"]*" data-kpi="([a-z_0-9]+)">(.*?)<div class="formula">', re.S
)
_VALUE = re.compile(r'<div class="value" data-currency="([A-Z]*)">([^<]*)')
_SPEC = re.compile(r'data-spec="([^"]*)"')


def _tiles(page: str) -> dict[str, dict[str, str]]:
    """Tile values as shown: KPI → currency ("" without money) → formatted value."""
    out: dict[str, dict[str, str]] = {}
    for kpi, body in _TILE.findall(page):
        out[kpi] = {cur: value.strip() for cur, value in _VALUE.findall(body)}
    return out


def _tile_kpis(name: str) -> list[str]:
    return [k for w in TEMPLATES[name].widgets if isinstance(w, KpiTiles) for k in w.kpis]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_each_template_page_shows_its_tiles_and_live_charts(
    name: str, dashboard: RunningDashboard
) -> None:
    page = httpx.get(f"{dashboard.url}/r/{name}?range=last-30-days", timeout=120)
    assert page.status_code == 200, page.text[:500]
    assert "text/html" in page.headers["content-type"]
    assert sorted(_tiles(page.text)) == sorted(_tile_kpis(name))
    assert '<script src="/static/vega.js" defer></script>' in page.text
    specs = [json.loads(html.unescape(s)) for s in _SPEC.findall(page.text)]
    charts = [w for w in TEMPLATES[name].widgets if isinstance(w, TimeSeries)]
    assert len(specs) >= len(charts)
    for spec in specs:
        assert "data" in spec or "layer" in spec or "facet" in spec
    if name != "events-health":
        assert 'class="fresh"' in page.text and "data through" in page.text


def test_index_lists_every_template(dashboard: RunningDashboard) -> None:
    page = httpx.get(f"{dashboard.url}/", timeout=30)
    assert page.status_code == 200
    for name in TEMPLATES:
        assert f'href="/r/{name}"' in page.text


def _kpi_cli(source: str, kpis: list[str], start: str, end: str) -> list[dict[str, Any]]:
    args = ["kpi", "--source", source, "--kpi", ",".join(kpis), "--from", start, "--to", end]
    out = CliRunner().invoke(app, [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    rows: list[dict[str, Any]] = json.loads(out.stdout)
    return rows


@pytest.mark.parametrize("name", ["tiktok-ads", "tiktok-organic", "social"])
def test_a_tile_shows_what_tokops_kpi_prints_for_the_same_range(
    name: str,
    dashboard: RunningDashboard,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(workspace.root)
    rng = resolve_range("last-7-complete-days", today=TODAY)
    page = httpx.get(f"{dashboard.url}/r/{name}?range=last-7-complete-days", timeout=120)
    assert page.status_code == 200
    shown = _tiles(page.text)
    by_source: dict[str, list[str]] = {}
    for kpi in _tile_kpis(name):
        by_source.setdefault(CATALOGUE[kpi].source, []).append(kpi)
    checked = 0
    for source, kpis in by_source.items():
        rows = _kpi_cli(source, kpis, rng.start.isoformat(), rng.end.isoformat())
        for kpi_name in kpis:
            kpi = CATALOGUE[kpi_name]
            expected = {
                (r.get("currency") or ""): kpi.format(
                    None if r[kpi_name] is None else Decimal(str(r[kpi_name])), r.get("currency")
                )
                for r in rows
            }
            assert shown[kpi_name] == expected, kpi_name
            checked += 1
    assert checked == len(_tile_kpis(name))


def _first_advertiser(workspace: Workspace, currency: str) -> str:
    store = connect(workspace.url)
    try:
        t = store.table("advertisers")
        rows = store.fetch(t.filter(t.currency == currency).select("advertiser_id")).to_pylist()
    finally:
        store.close()
    return str(sorted(r["advertiser_id"] for r in rows)[0])


def test_range_and_advertiser_filter_change_the_page(
    dashboard: RunningDashboard, workspace: Workspace
) -> None:
    whole = httpx.get(f"{dashboard.url}/r/tiktok-ads?range=last-30-days", timeout=120)
    currencies = set(_tiles(whole.text)["spend"])
    assert currencies == {"EUR", "JPY", "USD"}
    assert "ad accounts:" not in whole.text
    one = _first_advertiser(workspace, "EUR")
    mine = httpx.get(
        f"{dashboard.url}/r/tiktok-ads?range=last-30-days&advertiser={one}", timeout=120
    )
    assert f"ad accounts: {one}" in mine.text
    assert set(_tiles(mine.text)["spend"]) == {"EUR"}
    days = httpx.get(f"{dashboard.url}/r/tiktok-ads?from=2024-05-01&to=2024-05-10", timeout=120)
    assert "01 May 2024 – 10 May 2024" in days.text


def test_a_wrong_range_is_a_400_in_plain_words(dashboard: RunningDashboard) -> None:
    page = httpx.get(f"{dashboard.url}/r/tiktok-ads?range=last-century", timeout=30)
    assert page.status_code == 400
    assert "unknown range &#39;last-century&#39;" in page.text


def test_an_unknown_template_is_404(dashboard: RunningDashboard) -> None:
    assert httpx.get(f"{dashboard.url}/r/nope", timeout=30).status_code == 404


def test_the_vega_bundle_is_served_from_the_package(dashboard: RunningDashboard) -> None:
    js = httpx.get(f"{dashboard.url}/static/vega.js", timeout=60)
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "window.vegaEmbed" in js.text and len(js.content) > 100_000
    assert httpx.get(f"{dashboard.url}/static/../app.py", timeout=30).status_code == 404
