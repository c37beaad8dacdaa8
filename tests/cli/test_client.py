"""Where API calls go, said in a command's first line; an unreachable API is one clear line
(issue 9 §5: sandbox vs production)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from tokops.cli import _errors
from tokops.cli._client import api_client, describe_base
from tokops.cli.main import app
from tokops.config import load_settings


@pytest.mark.parametrize(
    ("base", "said"),
    [
        ("http://127.0.0.1:8765", "sandbox at http://127.0.0.1:8765"),
        ("http://localhost:9000", "sandbox at http://localhost:9000"),
        ("http://[::1]:8765", "sandbox at http://[::1]:8765"),
        ("https://business-api.tiktok.com", "TikTok API https://business-api.tiktok.com"),
        ("https://proxy.example.com", "TikTok API at https://proxy.example.com"),
    ],
)
def test_describe_base(base: str, said: str) -> None:
    assert describe_base(base) == said


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A workspace whose API base refuses connections, without retries."""
    base = f"http://127.0.0.1:{_closed_port()}"
    (tmp_path / "tokops.toml").write_text(
        f'[store]\nurl = "duckdb://store.duckdb"\n[tiktok]\napi_base = "{base}"\nmax_retries = 0\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", "a-token")
    for var in ("TOKOPS_API_BASE", "TIKTOK_SHOP_APP_KEY", "TIKTOK_APP_ID", "TIKTOK_APP_SECRET"):
        monkeypatch.delenv(var, raising=False)
    return base


def test_the_client_says_where_it_goes_on_stderr(
    unreachable: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with api_client(load_settings()):
        pass
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout stays for JSON
    assert captured.err == f"→ sandbox at {unreachable}\n"
    assert "a-token" not in captured.err


@pytest.mark.parametrize(
    "args",
    [
        ["sync", "ads", "--json"],
        ["sync", "organic", "--business-id", "-000Apzg9h7mBx4qBhBDpfjhxAUFHCBY"],
    ],
)
def test_an_unreachable_api_is_one_line_naming_it(
    unreachable: str,
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", ["tokops", *args])
    code = _errors.run(app)
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.splitlines()
    assert lines[0] == f"→ sandbox at {unreachable}"
    assert f"cannot reach {unreachable}" in captured.err
    assert "--advertiser" not in captured.err  # not the old, misleading advice
    assert "Traceback" not in captured.err
    assert len(lines) == 2  # where, then what went wrong
