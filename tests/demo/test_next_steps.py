"""The demo's closing hint: activate the venv when needed, cd into the folder, three commands."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tokops.demo.run import TRY_NEXT, next_steps


def test_cd_relative_below_the_working_folder_absolute_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin")  # the venv's bin is not on PATH
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "repo" / ".venv"))
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    repo = tmp_path / "repo"
    assert next_steps(repo / "demo-out", cwd=repo) == [
        ". .venv/bin/activate", "cd demo-out", *TRY_NEXT
    ]  # fmt: skip
    elsewhere = tmp_path / "my demo"
    lines = next_steps(elsewhere, cwd=repo)
    assert lines[1] == f"cd '{elsewhere}'"  # quoted for the shell
    assert next_steps(repo, cwd=repo)[1:] == list(TRY_NEXT)  # already there: no cd


def test_no_activation_when_tokops_is_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    monkeypatch.setattr(sys, "prefix", str(venv))
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    monkeypatch.setenv("PATH", f"/usr/bin:{venv / 'bin'}")
    assert next_steps(tmp_path, cwd=tmp_path) == list(TRY_NEXT)
    monkeypatch.setattr(sys, "prefix", "/usr")  # not a virtual environment at all
    monkeypatch.setenv("PATH", "/usr/bin")
    assert next_steps(tmp_path, cwd=tmp_path) == list(TRY_NEXT)
