"""``tokops init`` writes a workspace, refuses to overwrite it, and never writes a token."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokops.cli.main import app


def test_init_writes_then_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", "tok-should-not-be-written")
    runner = CliRunner()
    res = runner.invoke(app, ["init", "--phone-region", "FR"])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "tokops.toml").read_text()
    assert 'phone_region = "FR"' in text and "tok-should-not-be-written" not in text
    res = runner.invoke(app, ["init"])
    assert res.exit_code != 0


def test_exit_codes_of_commands_reach_the_shell(tmp_path: Path) -> None:
    """``raise typer.Exit(3)`` inside a command must exit 3 through the console script."""
    import subprocess
    import sys

    code = (
        "import sys, typer\n"
        "from tokops.cli import _errors\n"
        "app = typer.Typer()\n"
        "@app.command()\n"
        "def boom() -> None:\n"
        "    raise typer.Exit(3)\n"
        "@app.command()\n"
        "def fine() -> None:\n"
        "    pass\n"
        "sys.argv = ['x', sys.argv[1]]\n"
        "sys.exit(_errors.run(app))\n"
    )
    script = tmp_path / "app.py"
    script.write_text(code)
    assert subprocess.run([sys.executable, str(script), "boom"]).returncode == 3
    assert subprocess.run([sys.executable, str(script), "fine"]).returncode == 0


def test_init_sandbox_points_every_api_at_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """§5: one command gives a workspace on the local sandbox (Marketing, Events and Shop)."""
    from tokops.cli.workspace import SANDBOX_URL
    from tokops.config import load_settings

    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["init", "--sandbox"])
    assert res.exit_code == 0, res.output
    tk = load_settings(tmp_path, environ={}).tiktok
    assert tk.api_base == SANDBOX_URL and tk.shop_api_base == SANDBOX_URL
    assert "TIKTOK_ACCESS_TOKEN" in res.output and "tokops sandbox serve" in res.output
    res = CliRunner().invoke(app, ["init", "--sandbox", "--force", "--api-base", "http://[::1]:9"])
    assert res.exit_code == 0, res.output
    tk = load_settings(tmp_path, environ={}).tiktok
    assert tk.api_base == tk.shop_api_base == "http://[::1]:9"


def test_init_without_sandbox_keeps_the_real_apis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tokops.config import DEFAULT_API_BASE, load_settings

    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    tk = load_settings(tmp_path, environ={}).tiktok
    assert tk.api_base == DEFAULT_API_BASE and tk.shop_api_base is None


def test_init_refuses_a_store_that_is_not_a_url_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for store in ("foo://user:s3cret@host/db", "tokops.duckdb"):
        res = CliRunner().invoke(app, ["init", "--store", store])
        assert res.exit_code != 0 and "duckdb://" in str(res.exception)
        assert "s3cret" not in str(res.exception)
    assert not (tmp_path / "tokops.toml").exists()
