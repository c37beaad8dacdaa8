"""``tokops insights plan | budget | segments`` on small stores named by TOKOPS_STORE_URL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tokops.cli.insights_plan import register
from tokops.warehouse import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "insights"))
from test_budget import build_curves  # noqa: E402
from test_plan import build_funnel  # noqa: E402
from test_segments import build_segments  # noqa: E402


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    url = f"duckdb://{tmp_path / 'store.duckdb'}"
    store = build_curves(build_funnel(build_segments(connect(url))))
    store.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOKOPS_STORE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    insights = typer.Typer(no_args_is_help=True)
    register(insights)
    root = typer.Typer()
    root.add_typer(insights, name="insights")
    return root


def run(app: typer.Typer, *args: str) -> str:
    out = CliRunner().invoke(app, ["insights", *args])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_plan_json_and_table(app: typer.Typer) -> None:
    args = ("plan", "--sales", "1500", "--advertiser", "adv1", "--to", "2024-05-10")
    data = json.loads(run(app, *args, "--window-days", "10", "--format", "json"))["plans"][0]
    assert data["target"] == {"sales": 1500.0} and data["days"] == 10
    names = [r["name"] for r in data["requirements"]]
    assert names[:6] == ["impressions", "views_p25", "clicks", "add_to_cart", "conversions",
                         "budget"]  # fmt: skip
    assert names[6:] == (["budget_curve"] if data["curve"] else [])
    assert all(r["low"] <= r["expected"] <= r["high"] for r in data["requirements"])
    out = run(app, *args)
    assert "required clicks" in out and "budget, linear (USD)" in out
    data = json.loads(
        run(app, "plan", *args[3:], "--revenue", "5e4", "--roas", "3", "--format", "json")
    )["plans"][0]
    assert data["target"] == {"revenue": 50000.0, "roas": 3.0}


def test_budget_json_and_table(app: typer.Typer) -> None:
    data = json.loads(run(app, "budget", "--total", "900", "--max-scale", "3", "--format", "json"))
    data = data["plans"][0]
    roles = {u["unit_id"]: u["role"] for u in data["units"]}
    assert roles["c3"] == "explore" and data["total_budget"] == 900.0
    ch = data["expected_change"]
    assert ch["low"] <= ch["expected"] <= ch["high"]
    assert "marginal CPA" in run(app, "budget")


def test_segments_json_and_table(app: typer.Typer) -> None:
    data = json.loads(run(app, "segments", "--dimension", "age", "--format", "json"))
    data = data["reports"][0]
    assert [r["segment"] for r in data["rows"]][:2] == ["AGE_18_24", "AGE_25_34"]
    assert data["rows"][0]["kpis"]["ctr"]["estimate"] == pytest.approx(2.0)  # percent
    assert "FEMALE" in run(app, "segments", "--dimension", "gender")


def test_bad_input_fails_cleanly(app: typer.Typer) -> None:
    for args in (
        ["plan", "--sales", "10", "--format", "xml"],
        ["plan"],
        ["segments", "--dimension", "os"],
        ["budget", "--from", "yesterday"],
    ):
        assert CliRunner().invoke(app, ["insights", *args]).exit_code != 0, args


@pytest.fixture
def two_currencies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The budget curves in USD (adv1) and the same shop in yen (adv2, spend × 150)."""
    from decimal import Decimal

    from test_budget import PLANTED, curve_rows
    from test_store_data import load_rows

    url = f"duckdb://{tmp_path / 'two.duckdb'}"
    store = build_curves(connect(url))
    rows = []
    for i, (cid, (a, b)) in enumerate(PLANTED.items()):
        for r in curve_rows(f"y{cid}", a, b, 60, seed=10 + i):
            r.update(advertiser_id="adv2", currency="JPY", spend=r["spend"] * Decimal(150))
            rows.append(r)
    load_rows(store, "ad_daily", rows)
    store.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOKOPS_STORE_URL", url)
    monkeypatch.setenv("COLUMNS", "80")
    insights = typer.Typer(no_args_is_help=True)
    register(insights)
    root = typer.Typer()
    root.add_typer(insights, name="insights")
    return root


def test_budget_gives_one_table_per_currency(two_currencies: typer.Typer) -> None:
    """issue 9 §3: `insights budget` on a store in USD and JPY works, one table each."""
    data = json.loads(run(two_currencies, "budget", "--format", "json"))
    plans = {p["currency"]: p for p in data["plans"]}
    assert set(plans) == {"JPY", "USD"} and data["skipped"] == []
    for p in plans.values():
        units = p["units"]
        assert sum(u["recommended_spend"] for u in units) == pytest.approx(p["total_budget"])
        for u in units:
            assert 0.5 * u["current_spend"] * (1 - 1e-9) <= u["recommended_spend"]
            assert u["recommended_spend"] <= 2.0 * u["current_spend"] * (1 + 1e-9)
    assert {u["unit_id"] for u in plans["JPY"]["units"]} == {"yc1", "yc2"}
    out = run(two_currencies, "budget")
    assert "Daily budget by campaign, JPY" in out and "Daily budget by campaign, USD" in out
    jpy_table = out.split("Daily budget by campaign, JPY")[1].split("Daily budget")[0]
    usd_table = out.split("Daily budget by campaign, USD")[1].split("Daily budget")[0]
    for u in plans["JPY"]["units"]:  # yen have no minor unit: whole numbers only
        assert f"{round(u['current_spend']):,}" in jpy_table
        assert f"{u['current_spend']:,.2f}" not in jpy_table
    for u in plans["USD"]["units"]:
        assert f"{u['current_spend']:,.2f}" in usd_table
    assert "…" not in out and all(len(line) <= 80 for line in out.splitlines())
    refused = CliRunner().invoke(two_currencies, ["insights", "budget", "--total", "900"])
    assert refused.exit_code != 0 and "one currency" in str(refused.exception)
