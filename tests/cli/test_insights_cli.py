"""``tokops insights``: JSON and table output from a small store named by TOKOPS_STORE_URL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tokops.cli.insights import app as insights_app
from tokops.warehouse import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "insights"))
from test_store_data import build  # noqa: E402


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    url = f"duckdb://{tmp_path / 'store.duckdb'}"
    store = build(connect(url), crowd=True)
    store.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOKOPS_STORE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps narrower tables
    root = typer.Typer()
    root.add_typer(insights_app, name="insights")
    return root


def run(app: typer.Typer, *args: str) -> str:
    out = CliRunner().invoke(app, ["insights", *args])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_top_creatives_json(app: typer.Typer) -> None:
    data = json.loads(
        run(app, "top-creatives", "--metric", "ctr", "--top", "3", "--format", "json")
    )
    assert data["metric"] == "ctr" and data["ads_ranked"] == 11 and len(data["rows"]) == 3
    first = data["rows"][0]
    assert first["ad_id"] == "a2" and first["ad_name"] == "Spark one" and first["is_spark"]
    assert first["ci"][0] < first["shrunk"] < first["ci"][1]
    # the catalogue's unit (percent), as `tokops kpi` shows CTR
    assert data["unit"] == "percent"
    assert first["raw"] == pytest.approx(100 * first["successes"] / first["trials"])
    assert data["prior"]["strength"] > 0


def test_top_creatives_table(app: typer.Typer) -> None:
    out = run(app, "top-creatives", "--to", "2024-05-02")
    assert "Spark one" in out and "shrunk" in out


def test_spark_json_and_table(app: typer.Typer) -> None:
    data = json.loads(run(app, "spark", "--from", "2024-05-01", "--format", "json"))
    assert data["cluster"] == "ad" and data["confidence"] == pytest.approx(0.9)
    names = [m["metric"] for m in data["metrics"]]
    assert names == ["completion_rate", "engagement_rate", "cvr", "cpm"]
    assert data["metrics"][0]["claimed_rel"] == pytest.approx(0.30)
    assert "Completion rate" in run(app, "spark", "--cluster", "ad")  # the catalogue label


def test_ab_json(app: typer.Typer) -> None:
    args = ["ab", "--control-adgroup", "g1", "--test-adgroup", "g2", "--metric", "ctr"]
    data = json.loads(run(app, *args, "--format", "json"))
    assert data["winner"] == "test" and data["outcome"] == "winner found"
    assert data["confidence"] == pytest.approx(0.9) and data["days_run"] == 10
    assert "p_value" in data["srm"]
    assert "winner found" in run(app, *args)


def test_bad_input_fails_cleanly(app: typer.Typer) -> None:
    out = CliRunner().invoke(app, ["insights", "top-creatives", "--format", "xml"])
    assert out.exit_code != 0
    out = CliRunner().invoke(app, ["insights", "spark", "--from", "yesterday"])
    assert out.exit_code != 0
