"""``tokops audiences sync|list`` against the in-process sandbox (and a served one, slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tokops.cli import _client as client_cli
from tokops.cli.audiences import app as audiences_app
from tokops.config import write_workspace
from tokops.errors import ConfigError
from tokops.sandbox import Sandbox, SandboxSettings

TOKEN = "tok-audience-secret"
ADV = "7100000000000000001"


def make_app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """tokops"""

    root.add_typer(audiences_app, name="audiences")
    return root


def write_buyers(folder: Path, n: int, *, extra: str = "") -> Path:
    path = folder / "buyers.csv"
    lines = ["email,bought_at"] + [f" Buyer{i}@Shop.test ,2025-06-01" for i in range(n)]
    path.write_text("\n".join(lines) + "\nnot-an-email,2025-06-01\n,2025-06-01\n" + extra)
    return path


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", TOKEN)
    monkeypatch.delenv("TIKTOK_ADVERTISER_ID", raising=False)
    monkeypatch.delenv("TOKOPS_API_BASE", raising=False)
    monkeypatch.delenv("TOKOPS_STORE_URL", raising=False)
    write_workspace(
        tmp_path, store_url=f"duckdb://{tmp_path / 'store.duckdb'}", api_base="http://sandbox.test"
    )
    return tmp_path


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sb = Sandbox(SandboxSettings(access_tokens=(TOKEN,)))
    monkeypatch.setattr(client_cli, "transport", sb.transport)
    return sb


def test_dry_run_table_warns_below_1000_and_sends_nothing(
    workspace: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_buyers(workspace, 20)
    monkeypatch.setenv("TIKTOK_ADVERTISER_ID", ADV)
    res = CliRunner().invoke(
        make_app(),
        ["audiences", "sync", "--source", str(path), "--name", "Buyers", "--dry-run"],
        env={"COLUMNS": "160"},
    )
    assert res.exit_code == 0, res.output
    out = res.output
    for text in (
        "dry run, nothing sent",
        "entries in the file",
        "email: not an email address",
        "email: empty",
        "would create audience",
        "at least 1,000",
    ):
        assert text in out, text
    assert "buyer0@shop.test" not in out.lower()  # no PII, ever
    assert sandbox.audiences.audiences == {} and sandbox.audiences.files == {}


def test_sync_creates_then_skips_then_lists(workspace: Path, sandbox: Sandbox) -> None:
    path = write_buyers(workspace, 1100)
    args = ["audiences", "sync", "--source", str(path), "--name", "Buyers", "--json"]
    args += ["--advertiser-id", ADV, "--retention-days", "30"]
    runner = CliRunner()
    first = runner.invoke(make_app(), args)
    assert first.exit_code == 0, first.output
    created = json.loads(first.stdout)
    assert created["action"] == "create" and created["entries"] == 1100
    assert created["invalid"] == 2 and created["warnings"] == []
    audience = sandbox.audiences.audiences[created["custom_audience_id"]]
    assert len(audience.hashes) == 1100 and audience.retention_in_days == 30

    second = json.loads(runner.invoke(make_app(), args).stdout)
    assert second["action"] == "unchanged" and len(sandbox.audiences.files) == 1

    listed = runner.invoke(make_app(), ["audiences", "list", "--advertiser-id", ADV, "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert row["cover_num"] == audience.cover_num
    assert row["match_rate"] == round(audience.cover_num / 1102, 4)
    table = runner.invoke(
        make_app(), ["audiences", "list", "--advertiser-id", ADV], env={"COLUMNS": "160"}
    )
    assert "Synced audiences" in table.output and "Buyers" in table.output
    assert TOKEN not in first.output + listed.output + table.output


def test_phone_key_and_time_window(workspace: Path, sandbox: Sandbox) -> None:
    path = workspace / "calls.csv"
    path.write_text("tel,at\n+1 415 555 0100,2999-01-01\n+1 415 555 0101,2000-01-01\n")
    res = CliRunner().invoke(
        make_app(),
        ["audiences", "sync", "--source", str(path), "--name", "Callers", "--key", "phone"]
        + ["--column", "tel", "--since-days", "30", "--time-column", "at", "--dry-run", "--json"],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["calculate_type"], data["rows_read"], data["rows"]) == ("PHONE_SHA256", 2, 1)
    assert data["action"] is None  # no advertiser: cannot tell create from replace


def test_missing_advertiser_or_token_is_a_clear_error(
    workspace: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_buyers(workspace, 3)
    args = ["audiences", "sync", "--source", str(path), "--name", "Buyers"]
    res = CliRunner().invoke(make_app(), args)
    assert isinstance(res.exception, ConfigError)
    assert "TIKTOK_ADVERTISER_ID" in str(res.exception)
    monkeypatch.delenv("TIKTOK_ACCESS_TOKEN")
    res = CliRunner().invoke(make_app(), [*args, "--advertiser-id", ADV])
    assert isinstance(res.exception, ConfigError)
    assert "TIKTOK_ACCESS_TOKEN" in str(res.exception)


def test_option_errors_name_the_flags(workspace: Path) -> None:
    """The library names its options by field; the command line words them as its flags."""
    path = write_buyers(workspace, 3)
    args = ["audiences", "sync", "--source", str(path), "--name", "Buyers", "--dry-run"]
    res = CliRunner().invoke(make_app(), [*args, "--since-days", "7"])
    assert isinstance(res.exception, ConfigError)
    assert str(res.exception) == "--since-days needs --time-column (the column holding the date)"
    res = CliRunner().invoke(make_app(), [*args, "--name", "x" * 129])
    assert str(res.exception) == "--name must have 1 to 128 characters"


def test_bad_key_is_a_usage_error(workspace: Path) -> None:
    res = CliRunner().invoke(
        make_app(), ["audiences", "sync", "--source", "t", "--name", "n", "--key", "idfa"]
    )
    assert res.exit_code == 2


@pytest.mark.slow
def test_sync_against_a_served_sandbox(workspace: Path) -> None:
    """Real multipart upload over loopback HTTP to the sandbox server."""
    from tokops.sandbox.server import serve_in_thread

    path = write_buyers(workspace, 1000)
    sb = Sandbox(SandboxSettings(access_tokens=(TOKEN,)))
    with serve_in_thread(sb) as server:
        res = CliRunner().invoke(
            make_app(),
            ["audiences", "sync", "--source", str(path), "--name", "Buyers", "--json"]
            + ["--advertiser-id", ADV, "--api-base", server.url],
        )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["action"] == "create"
    assert len(sb.audiences.audiences[data["custom_audience_id"]].hashes) == 1000
