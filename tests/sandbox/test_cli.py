"""``tokops sandbox serve``: banner, settings from flags and file, loopback guard, real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.errors import ConfigError
from tokops.sandbox.settings import (
    DEFAULT_ADVERTISER_ID,
    DEFAULT_CRM_EVENT_SET_ID,
    DEFAULT_OFFLINE_EVENT_SET_ID,
    DEFAULT_PIXEL_CODE,
)


def test_banner_prints_url_token_and_seeded_ids(served: list[Any]) -> None:
    result = CliRunner().invoke(app, ["sandbox", "serve", "--port", "0"])  # any free port
    assert result.exit_code == 0, result.output
    sandbox, host, port = served[0]
    assert host == "127.0.0.1" and port > 0
    assert f"http://127.0.0.1:{port}" in result.output
    assert f"access token: {sandbox.token}" in result.output
    for seeded in (
        DEFAULT_PIXEL_CODE,
        DEFAULT_OFFLINE_EVENT_SET_ID,
        DEFAULT_CRM_EVENT_SET_ID,
        DEFAULT_ADVERTISER_ID,
    ):
        assert seeded in result.output
    for account in sandbox.world.accounts.values():  # the ids `tokops sync organic` needs
        assert account.business_id in result.output
    assert "faults" not in result.output


def test_busy_port_is_one_line_and_no_banner(served: list[Any]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["sandbox", "serve", "--port", str(port)])
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception) == f"port {port} on 127.0.0.1 is in use"
    assert "access token" not in result.output and served == []


def test_port_out_of_range_is_a_usage_error(served: list[Any]) -> None:
    result = CliRunner().invoke(app, ["sandbox", "serve", "--port", "99999"])
    assert result.exit_code == 2 and "--port" in result.output
    assert served == []


def test_flags_reach_the_settings(served: list[Any]) -> None:
    args = ["sandbox", "serve", "--port", "0", "--token", "T", "--qps", "7", "--latency-ms", "5",
            "--error-rate", "0.1", "--http5xx-rate", "0.2", "--drop-rate", "0.3",
            "--storm-seconds", "4", "--fault-seed", "11", "--allow-any-source"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    settings = served[0][0].settings
    assert settings.access_tokens == ("T",) and served[0][0].token == "T"
    assert settings.qps == 7 and settings.allow_any_source
    f = settings.faults
    assert (f.latency_ms, f.error_rate, f.http5xx_rate, f.drop_rate) == (5, 0.1, 0.2, 0.3)
    assert (f.storm_seconds, f.seed) == (4, 11)
    assert "faults:" in result.output


def test_config_file_then_flags(served: list[Any], tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text("qps = 3\n[faults]\nlatency_ms = 40\nerror_rate = 0.5\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["sandbox", "serve", "--port", "0", "--config", str(config), "--error-rate", "0"]
    )
    assert result.exit_code == 0, result.output
    settings = served[0][0].settings
    assert settings.qps == 3
    assert settings.faults.latency_ms == 40 and settings.faults.error_rate == 0


def test_bad_config_is_a_config_error(served: list[Any], tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text("qps = 0\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sandbox", "serve", "--config", str(config)])
    assert isinstance(result.exception, ConfigError)
    assert "qps" in str(result.exception)
    assert served == []


def test_non_loopback_host_needs_an_explicit_token(served: list[Any]) -> None:
    result = CliRunner().invoke(app, ["sandbox", "serve", "--host", "0.0.0.0"])
    assert isinstance(result.exception, ConfigError)
    assert "--token" in str(result.exception)
    assert served == []
    result = CliRunner().invoke(
        app, ["sandbox", "serve", "--host", "0.0.0.0", "--port", "0", "--token", "x"]
    )
    assert result.exit_code == 0
    assert served[0][1] == "0.0.0.0"


@pytest.mark.slow
def test_real_process_serves_until_interrupted() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tokops_bin = Path(sys.executable).with_name("tokops")
    process = subprocess.Popen(
        [str(tokops_bin), "sandbox", "serve", "--port", str(port), "--token", "proc-token"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        answer = httpx.get(
            url + "/sandbox/diagnostics/",
            params={"event_source_id": DEFAULT_PIXEL_CODE},
            headers={"Access-Token": "proc-token"},
        )
        assert answer.json()["code"] == 0
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    text = output.decode()
    assert f"tokops sandbox on {url}" in text
    assert "access token: proc-token" in text
    assert process.returncode in (0, 130)
