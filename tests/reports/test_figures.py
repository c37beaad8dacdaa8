"""Tile colours follow the catalogue's better-when direction; reports run on PostgreSQL too."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tokops.ingest import AdsSyncOptions, connect_client, sync_ads
from tokops.metrics.catalogue import CATALOGUE
from tokops.metrics.compute import compute_kpis
from tokops.reports import build_report, render_report, resolve_range
from tokops.reports.figures import TileLine, TilesFigure
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import Store

from .conftest import NOW, TODAY, TOKEN


def _line(change: str | None, noise: bool | None = False) -> TileLine:
    return TileLine("USD", Decimal(1), Decimal(1), None if change is None else Decimal(change),
                    noise, ())  # fmt: skip


@pytest.mark.parametrize(
    ("kpi", "change", "noise", "tone"),
    [
        ("roas", "12", False, "good"),  # better up, went up
        ("roas", "-12", False, "bad"),
        ("cpa", "-12", False, "good"),  # better down, went down
        ("cpa", "12", False, "bad"),
        ("spend", "12", False, "neutral"),  # spending more is neither good nor bad
        ("roas", "12", True, "noise"),  # a change inside the day-to-day variation
        ("roas", "0", False, "neutral"),
        ("roas", None, None, "none"),  # nothing to compare with
    ],
)
def test_tone_follows_better_when(kpi: str, change: str | None, noise: bool, tone: str) -> None:
    assert _line(change, noise).tone(CATALOGUE[kpi]) == tone


@pytest.mark.postgres
def test_a_report_on_postgresql_equals_the_kpi_engine(pg_store: Store) -> None:
    """BYD-2: the same report from a PostgreSQL store (a short sandbox sync)."""
    settings = SandboxSettings(
        seed=11, scale="small", world_anchor=TODAY, access_tokens=(TOKEN,), marketing_qps=1000
    )
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client(
        TOKEN, api_base="http://sandbox.test", transport=sandbox.transport(), qps=1000
    )
    options = AdsSyncOptions(
        since=date(2024, 5, 18), concurrency=2, streams=("advertiser_daily", "ad_daily")
    )
    assert sync_ads(pg_store, client, options, now=lambda: NOW).status == "ok"
    rng = resolve_range("last-7-complete-days", today=TODAY)
    report = build_report(pg_store, "tiktok-ads", rng, now=datetime(2024, 6, 1, tzinfo=UTC))
    tiles = report.figures[0]
    assert isinstance(tiles, TilesFigure)
    spend = next(t for t in tiles.tiles if t.kpi.name == "spend")
    expected = compute_kpis(pg_store, None, kpis=["spend"], start=rng.start, end=rng.end)
    assert {line.currency: line.value for line in spend.lines} == {
        r["currency"]: r["spend"] for r in expected.rows
    }
    assert all(line.previous is not None for line in spend.lines)
    assert [f.source for f in report.freshness] == ["paid"]
    assert report.freshness[0].through == TODAY  # every account synced through 1 June
    html = render_report(report, "html").decode()
    assert "TikTok Ads: data through" in html
