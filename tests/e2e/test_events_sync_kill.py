"""BYD-4: a sync killed with SIGKILL mid-run and started again delivers every valid event, and
re-sends at most the batches sent without a committed outcome (unrecorded × batch_size events).

A real ``tokops events sync`` runs in a subprocess against a real HTTP server on loopback (a
tiny threaded sink that answers like the Events API and records every event_id it receives).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e_sink import Sink, serving  # noqa: E402

N_EVENTS = 6000
BATCH = 100
CONCURRENCY = 4
UNRECORDED = 8
KILL_AFTER_REQUESTS = 20
PIXEL = "CKILLTEST00000000001"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, str]]:
    state = Sink(delay_s=0.03, enough_after=KILL_AFTER_REQUESTS)
    with serving(state) as base:
        yield state, base


def _workspace(folder: Path, api_base: str) -> None:
    (folder / "tokops.toml").write_text(
        f'[store]\nurl = "duckdb://{folder / "ws.duckdb"}"\n'
        f'[tiktok]\napi_base = "{api_base}"\nqps = 1000\nmax_retries = 2\n'
        f"[events]\nbatch_size = {BATCH}\nconcurrency = {CONCURRENCY}\nunrecorded = {UNRECORDED}\n",
        encoding="utf-8",
    )
    now = int(time.time())
    con = duckdb.connect(str(folder / "ws.duckdb"))
    con.execute(
        "CREATE TABLE orders AS SELECT 'Purchase' AS event, "
        f"{now} - 60 - (i % 3600) AS event_time, 'o' || i AS order_id, "
        "'user' || i || '@example.com' AS email, "
        "'https://shop.example/thanks?o=' || i AS url, (i % 90) + 0.5 AS value, "
        f"'USD' AS currency FROM range({N_EVENTS}) r(i)"
    )
    con.close()


def _command() -> list[str]:
    code = "from tokops.cli.main import main; main()"
    return [sys.executable, "-c", code, "events", "sync", "--source", "orders"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKOPS_")}
    env["TIKTOK_ACCESS_TOKEN"] = "e2e-token"
    return env


def _sent_in_ledger(folder: Path) -> int:
    con = duckdb.connect(str(folder / "ws.duckdb"))
    try:
        row = con.execute("SELECT count(*) FROM events_ledger WHERE status = 'sent'").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_run_then_resume(tmp_path: Path, sink: tuple[Sink, str]) -> None:
    state, url = sink
    _workspace(tmp_path, url)
    args = [*_command(), "--event-source", "web", "--event-source-id", PIXEL, "--json"]

    first = subprocess.Popen(args, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert state.enough.wait(timeout=60), "the sync never reached the sink"
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=30)
        first.stdout.close()  # type: ignore[union-attr]
        first.stderr.close()  # type: ignore[union-attr]
    assert first.returncode == -signal.SIGKILL
    delivered_before = set(state.received)
    assert 0 < len(delivered_before) < N_EVENTS, "the kill must land mid-run"
    recorded = _sent_in_ledger(tmp_path)
    assert len(delivered_before) - recorded <= UNRECORDED * BATCH  # only the unrecorded window

    second = subprocess.run(args, cwd=tmp_path, env=_env(), capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert summary["completed"] is True
    assert summary["counts"]["already_sent"] == recorded
    assert summary["counts"]["sent"] == N_EVENTS - recorded

    assert set(state.received) == {f"o{i}" for i in range(N_EVENTS)}  # nothing lost
    resent = sum(1 for n in state.received.values() if n > 1)
    assert resent <= UNRECORDED * BATCH  # nothing sent twice beyond the unrecorded window
    assert max(state.received.values()) <= 2
    assert _sent_in_ledger(tmp_path) == N_EVENTS
    con = duckdb.connect(str(tmp_path / "ws.duckdb"))
    try:
        runs = con.execute(
            "SELECT status, sent, finished_at IS NULL FROM events_runs ORDER BY started_at"
        ).fetchall()
    finally:
        con.close()
    assert runs == [("interrupted", recorded, True), ("completed", N_EVENTS - recorded, False)]
