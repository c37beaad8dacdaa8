"""A tile equals ``tokops kpi`` for the same days, to the cent, in every template (KPI-6).

The store is a sandbox sync (``conftest.py``); the command runs as a user runs it, in the
workspace, and prints JSON; the report is built through the library.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.metrics.catalogue import Kpi
from tokops.reports import TEMPLATES, build_report, resolve_range
from tokops.reports.figures import TilesFigure

from .conftest import TODAY, Workspace

_CLI_SOURCE = {"paid": "paid", "organic": "organic", "followers": "followers"}


def _kpi_json(kpi: Kpi, start: str, end: str) -> list[dict[str, Any]]:
    args = ["kpi", "--source", _CLI_SOURCE[kpi.source], "--kpi", kpi.name]
    out = CliRunner().invoke(app, [*args, "--from", start, "--to", end, "--format", "json"])
    assert out.exit_code == 0, out.output
    records: list[dict[str, Any]] = json.loads(out.stdout)
    return records


def _as_printed(kpi: Kpi, value: Any) -> Any:
    """The tile's value as ``tokops kpi --format json`` writes it (money: exact cents)."""
    if value is None:
        return None
    if kpi.unit == "money":
        return str(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_EVEN))
    if kpi.unit == "count":
        return int(value)
    return pytest.approx(float(value), abs=1e-4)


@pytest.mark.parametrize("name", [n for n in TEMPLATES if n != "events-health"])
def test_every_tile_equals_tokops_kpi_for_the_same_range(
    name: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace.root)
    rng = resolve_range("last-30-days", today=TODAY)
    store = workspace.store()
    try:
        report = build_report(store, name, rng)
    finally:
        store.close()
    tiles = [t for f in report.figures if isinstance(f, TilesFigure) for t in f.tiles]
    assert tiles, f"{name} has no KPI tiles"
    for tile in tiles:
        kpi = tile.kpi
        now = _kpi_json(kpi, rng.start.isoformat(), rng.end.isoformat())
        before = _kpi_json(kpi, rng.compare_start.isoformat(), rng.compare_end.isoformat())
        got = {line.currency: _as_printed(kpi, line.value) for line in tile.lines}
        assert got == {r.get("currency"): r[kpi.name] for r in now}, kpi.name
        previous = {line.currency: _as_printed(kpi, line.previous) for line in tile.lines}
        assert previous == {r.get("currency"): r[kpi.name] for r in before}, kpi.name


def test_ads_tiles_hold_real_money_and_a_change(workspace: Workspace) -> None:
    """The sandbox's ads spend in three currencies: one tile line each, each with a delta."""
    store = workspace.store()
    try:
        report = build_report(store, "tiktok-ads", resolve_range("last-30-days", today=TODAY))
    finally:
        store.close()
    tiles = report.figures[0]
    assert isinstance(tiles, TilesFigure)
    spend = next(t for t in tiles.tiles if t.kpi.name == "spend")
    assert {line.currency for line in spend.lines} == {"EUR", "JPY", "USD"}
    for line in spend.lines:
        assert line.value is not None and line.value > 0
        assert line.change is not None and line.noise is not None
        assert len(line.spark) == 30 and line.spark[0][0] == report.range.start
    assert spend.source.startswith(("advertiser_daily", "ad_daily", "ad_monthly"))
    assert "spend" in spend.source
