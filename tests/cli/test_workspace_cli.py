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
