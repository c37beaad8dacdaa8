"""``tokops report list`` and ``tokops report render`` as a user runs them (KPI-6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokops.cli import _errors
from tokops.cli.main import app

from .conftest import Workspace


def test_list_names_every_template_and_range() -> None:
    out = CliRunner().invoke(app, ["report", "list", "--format", "json"])
    assert out.exit_code == 0, out.output
    names = [r["name"] for r in json.loads(out.stdout)]
    assert names == [
        "tiktok-ads",
        "tiktok-organic",
        "spark-vs-non-spark",
        "shop",
        "events-health",
        "social",
    ]
    table = CliRunner().invoke(app, ["report", "list"])
    assert table.exit_code == 0 and "spark-vs-non-spark" in table.stdout
    assert "month-to-date" in table.stderr


def test_render_html_and_pdf_for_dates(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace.root)
    page = tmp_path / "ads.html"
    args = ["report", "render", "tiktok-ads", "--from", "2024-05-20", "--to", "2024-05-26"]
    note = "Spend paused on 22 May <b>(budget)</b>"
    out = CliRunner().invoke(app, [*args, "--out", str(page), "--comment", note])
    assert out.exit_code == 0, out.output
    assert "wrote" in out.stdout and "20 May 2024 – 26 May 2024" in out.stdout
    html = page.read_text()
    assert "Spend paused on 22 May &lt;b&gt;(budget)&lt;/b&gt;" in html
    assert "compared with 13 May 2024 – 19 May 2024" in html
    again = CliRunner().invoke(app, [*args, "--out", str(page)])
    assert again.exit_code == 1 and "already exists" in str(again.exception)
    pdf = tmp_path / "ads.pdf"  # the format follows the suffix
    out = CliRunner().invoke(app, [*args, "--out", str(pdf), "--advertiser", "nobody"])
    assert out.exit_code == 0, out.output
    assert pdf.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "render", "nope", "--out", "x.html"], "unknown report 'nope'"),
        (["report", "render", "shop", "--out", "x.doc"], "--format 'doc'"),
        (["report", "render", "shop", "--out", "x.html", "--range", "ever"], "unknown range"),
        (["report", "render", "shop", "--out", "x.html", "--from", "2024-05-01"], "together"),
        (["report", "render", "shop", "--out", "/nonexistent-x/y.html"], "does not exist"),
    ],
)
def test_mistakes_are_one_line_errors(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["tokops", *args])
    assert _errors.run(app) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing written
