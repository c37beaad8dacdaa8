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
