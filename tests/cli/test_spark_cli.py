"""``tokops spark …`` in process against the sandbox (SPK-1, 4, 6, 7, 9, 10, 12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokops.cli import _client as client_cli
from tokops.cli.main import app
from tokops.config import write_workspace
from tokops.sandbox import Sandbox, SandboxSettings

TOKEN = "tok-spark-secret"
ADV = "7100000000000000001"
WIDE = {"COLUMNS": "200"}


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("TIKTOK_ADVERTISER_ID", ADV)
    monkeypatch.delenv("TOKOPS_API_BASE", raising=False)
    write_workspace(
        tmp_path, store_url=f"duckdb://{tmp_path / 'store.duckdb'}", api_base="http://sandbox.test"
    )
    return tmp_path


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    posts = ({"code": "#FRESH-POST"}, {"code": "#BANNED-POST", "banned": True})
    settings = SandboxSettings.unthrottled(
        seed=3,
        world_anchor=datetime.now(UTC).date(),
        token=TOKEN,
        marketing={"creator_posts": posts},
    )
    sb = Sandbox(settings)
    monkeypatch.setattr(client_cli, "transport", sb.transport)
    return sb


def spark(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, ["spark", *args], env=WIDE)
    return res.exit_code, res.stdout, res.stderr


def test_list_table_and_json(workspace: Path, sandbox: Sandbox) -> None:
    code, out, err = spark("list", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["source"] for r in rows} == {"own account", "business center", "creator code"}
    assert all({"item_id", "caption", "duration", "status", "allows"} <= r.keys() for r in rows)
    code, out, err = spark("list")
    assert code == 0, err
    assert "Posts usable as Spark ads on ad account 7100000000000000001" in out
    assert "creator code" in out and "Spark ads until" in out
    assert "http://sandbox.test" in err  # where the calls went
    assert "warning" not in err
    code, out, err = spark("list", "--warn-days", "3650")
    assert "the creator's code expires in" in err and "(SPK-1)" in err


def test_create_refused_exits_non_zero_with_reason_and_fix(
    workspace: Path, sandbox: Sandbox
) -> None:
    rows = json.loads(spark("list", "--format", "json")[1])
    own = next(r for r in rows if r["source"] == "own account")["item_id"]
    ads = len(sandbox.world.ads)
    code, out, err = spark(
        "create", "--post", own, "--objective", "ENGAGEMENT", "--buying-type", "RESERVATION_RF"
    )
    assert code == 1
    assert "error: Spark ads cannot run under Community interaction (ENGAGEMENT)" in err
    assert "buy it as Auction (AUCTION) (SPK-4)" in err
    assert "Traceback" not in err and len(sandbox.world.ads) == ads
    code, out, _ = spark(
        "create", "--post", own, "--objective", "TRAFFIC", "--buying-type", "AUCTION",
        "--format", "json",
    )  # fmt: skip
    assert code == 1 and json.loads(out)["findings"][0]["rule"] == "SPK-9"


def test_dry_run_then_create(workspace: Path, sandbox: Sandbox) -> None:
    rows = json.loads(spark("list", "--format", "json")[1])
    own = next(r for r in rows if r["source"] == "own account")["item_id"]
    args = ("create", "--post", own, "--objective", "REACH", "--buying-type", "RESERVATION_RF")
    ads = len(sandbox.world.ads)
    code, out, err = spark(*args, "--dry-run")
    assert code == 0, err
    assert "dry run, nothing sent" in out and own in out and len(sandbox.world.ads) == ads
    assert "info: the ad keeps the post's settings" in err  # SPK-12
    code, out, err = spark(*args, "--format", "json")
    assert code == 0, err
    made = json.loads(out)
    assert made["ad_id"] in sandbox.world.ads
    assert sandbox.world.campaigns[made["campaign_id"]].objective_type == "RF_REACH"


def test_authorize_create_and_delete_post(workspace: Path, sandbox: Sandbox) -> None:
    code = sandbox.world.auth_codes["#FRESH-POST"]
    status, out, err = spark("authorize", code.code, "--warn-days", "400")
    assert status == 0, err
    assert f"authorized post {code.item_id}" in out
    assert "warning: the creator's code expires in" in err  # --warn-days beyond the expiry
    status, out, err = spark(
        "create", "--post", code.item_id, "--objective", "VIDEO_VIEWS", "--buying-type", "AUCTION"
    )
    assert status == 0, err
    assert "created Spark ad" in out
    status, out, err = spark("delete-post", code.item_id)
    assert status == 1
    assert "is still authorized as a Spark ad" in err and "(SPK-7)" in err
    assert f"tokops spark unauthorize '{code.code}' --advertiser {ADV}" in err
    assert spark("unauthorize", code.code)[0] == 0
    status, out, err = spark("delete-post", code.item_id)
    assert status == 0, err
    assert "not authorized as a Spark ad" in out
    assert "warning: 1 ad promote" in err


def test_authorize_refuses_a_banned_post(workspace: Path, sandbox: Sandbox) -> None:
    status, _, err = spark("authorize", "#BANNED-POST")
    assert status == 1 and "contact the post's owner" in err and "(SPK-6)" in err
    assert not sandbox.world.auth_codes["#BANNED-POST"].spans  # nothing was sent


def test_authorize_refuses_an_expired_code(workspace: Path, sandbox: Sandbox) -> None:
    now = datetime.now(UTC)
    expired = next(c for c in sandbox.world.auth_codes.values() if c.expires < now)
    res = CliRunner().invoke(app, ["spark", "authorize", expired.code], env=WIDE)
    assert res.exit_code == 1
    assert "the post's authorization is expired" in res.stderr


def test_explain(workspace: Path) -> None:
    code, out, err = spark("explain")
    assert code == 0, err
    for text in ("owner's profile", "music page", "hashtag page", "clicks_on_music_disc"):
        assert text in out, text
    assert "Spark = CTA + caption only" in out
    data = json.loads(spark("explain", "--format", "json")[1])
    profile = next(t for t in data["taps"] if t["element"] == "profile photo")
    assert profile["non_spark"]["metrics"] == ["clicks"]
    assert profile["spark"] == {"leads_to": "owner's profile", "metrics": ["profile_visits"]}
    assert data["metrics"]["follows"] == "Paid follows (Spark ads only)"


def test_no_advertiser_is_a_clear_error(
    workspace: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIKTOK_ADVERTISER_ID")
    res = CliRunner().invoke(app, ["spark", "list"], env=WIDE)
    assert res.exit_code == 1 and "--advertiser" in str(res.exception)
