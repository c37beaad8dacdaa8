"""``--insecure`` and ``[tiktok] insecure``: the CLI side of the HTTP core's plain-HTTP rule
(issue 9 §6)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tokops.cli import _client
from tokops.cli.main import app
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.sandbox.server.transport import SandboxTransport
from tokops.sandbox.settings import DEFAULT_PIXEL_CODE
from tokops.tiktok._http import InsecureBaseError

runner = CliRunner()
BASE = "http://10.20.30.40:8765"


class OverTheNetwork(SandboxTransport):
    """The sandbox, as if reached over a network (so the plain-HTTP rule applies)."""

    in_process = False
    requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        OverTheNetwork.requests += 1
        return super().handle_request(request)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox = Sandbox(SandboxSettings(access_tokens=("sb-token",)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOKOPS_STORE_URL", raising=False)
    monkeypatch.delenv("TOKOPS_INSECURE", raising=False)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", "sb-token")
    monkeypatch.setattr(_client, "transport", lambda: OverTheNetwork(sandbox.handle))
    monkeypatch.setattr(OverTheNetwork, "requests", 0)
    (tmp_path / "tokops.toml").write_text('[store]\nurl = "duckdb://ws.duckdb"\n', encoding="utf-8")
    now = int(time.time())
    (tmp_path / "orders.csv").write_text(
        "event,event_id,email,event_time,url\n"
        f"Purchase,o1,a@shop.example,{now - 60},https://shop.example/t\n",
        encoding="utf-8",
    )
    return sandbox


SYNC = ["events", "sync", "--source", "orders.csv", "--event-source", "web"]
SYNC += ["--event-source-id", DEFAULT_PIXEL_CODE, "--api-base", BASE, "--json"]


def test_plain_http_off_loopback_needs_insecure(workspace: Sandbox) -> None:
    refused = runner.invoke(app, SYNC)
    assert refused.exit_code != 0
    assert isinstance(refused.exception, InsecureBaseError)
    assert "--insecure" in str(refused.exception) and BASE in str(refused.exception)
    assert OverTheNetwork.requests == 0
    allowed = runner.invoke(app, [*SYNC, "--insecure"])
    assert allowed.exit_code == 0, allowed.output
    assert '"sent": 1' in allowed.stdout


def test_workspace_setting_allows_it_too(workspace: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "tokops.toml").write_text(
        '[store]\nurl = "duckdb://ws.duckdb"\n[tiktok]\ninsecure = true\n', encoding="utf-8"
    )
    result = runner.invoke(app, SYNC)
    assert result.exit_code == 0, result.output


def test_the_refusal_is_one_line_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "tokops.toml").write_text('[store]\nurl = "duckdb://ws.duckdb"\n', encoding="utf-8")
    (tmp_path / "e.csv").write_text("event,email\nPurchase,a@b.co\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKOPS_", "TIKTOK_"))}
    env["TIKTOK_ACCESS_TOKEN"] = "never-shown-token"
    env["COLUMNS"] = "300"
    args = ["events", "sync", "--source", "e.csv", "--event-source", "web"]
    args += ["--event-source-id", "CPIX", "--api-base", "http://api.example.com"]
    done = subprocess.run(
        [str(Path(sys.executable).parent / "tokops"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "never-shown-token" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--insecure" in lines[0] and "http://api.example.com" in lines[0]
