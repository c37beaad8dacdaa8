"""``tokops insights saturation | hashtags | content`` with --format json."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tokops.cli.insights import app
from tokops.warehouse import connect


def test_organic_commands_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.duckdb"
    store = connect(f"duckdb:///{path}")
    con = store.con.con
    con.execute(
        "CREATE TABLE organic_videos AS SELECT 'b' AS business_id, 'p' || i AS item_id, "
        "TIMESTAMPTZ '2024-05-01 10:00:00+00' + to_days(i) AS create_time, "
        "'Review time #tag' || (i % 2) AS caption, 100 + i AS video_views, 5 + i % 3 AS likes, "
        "0 AS comments, 0 AS shares FROM range(30) t(i)"
    )
    con.execute(
        "CREATE TABLE organic_video_snapshots AS SELECT business_id, item_id, "
        "DATE '2024-05-31' AS snapshot_date, video_views, likes, comments, shares "
        "FROM organic_videos"
    )
    store.close()
    monkeypatch.setenv("TOKOPS_STORE_URL", f"duckdb:///{path}")
    runner = CliRunner()
    for args, key in ((["saturation", "--by", "hashtag"], "rows"), (["hashtags"], "rows"),
                      (["content"], "top")):  # fmt: skip
        result = runner.invoke(app, [*args, "--format", "json"])
        assert result.exit_code == 0, result.output
        data = orjson.loads(result.stdout)
        assert key in data
    data = orjson.loads(runner.invoke(app, ["hashtags", "--format", "json"]).stdout)
    assert {r["hashtag"] for r in data["rows"]} == {"tag0", "tag1"}
