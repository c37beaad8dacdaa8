"""Issue 9 §1 (EVT-1, BYD-4): the store's engine dies mid-run (a DuckDB fatal error invalidates
the database instance). The user gets one line saying what the ledger kept and that a re-run
resumes (no traceback, no crash); the next run resumes and nothing is lost.

A real ``tokops events sync`` runs in a subprocess against a loopback HTTP sink. The fatal
error is a real one: after a few ledger commits, a connection of the same DuckDB instance lowers
its memory limit to 1 MB and checkpoints, which DuckDB cannot do and so invalidates the database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e_sink import Sink, serving  # noqa: E402

N_EVENTS = 20_000
BATCH = 500
PIXEL = "CFATALTEST0000000001"

# Runs the CLI with one addition: the 4th ledger commit is preceded by a real engine fatal error.
_FATAL_AFTER_COMMITS = """
import sys
import duckdb
from tokops.activate import ledger

db, original, calls = sys.argv.pop(1), ledger.LedgerRows.append_to, [0]

def append_to(self, store):
    calls[0] += 1
    if calls[0] == 4:
        con = duckdb.connect(db)  # the same instance (DuckDB caches it per file)
        con.execute("SET memory_limit = '1MB'")
        try:
            con.execute("CHECKPOINT")
        except duckdb.FatalException:
            pass
    original(self, store)

ledger.LedgerRows.append_to = append_to
from tokops.cli.main import main
main()
"""


@pytest.fixture
def sink() -> Iterator[tuple[Sink, str]]:
    state = Sink()
    with serving(state) as base:
        yield state, base


def _workspace(folder: Path, api_base: str) -> Path:
    db = folder / "ws.duckdb"
    (folder / "tokops.toml").write_text(
        f'[store]\nurl = "duckdb://{db}"\n[tiktok]\napi_base = "{api_base}"\nmax_retries = 1\n'
        f"[events]\nbatch_size = {BATCH}\nconcurrency = 2\nunrecorded = 4\n",
        encoding="utf-8",
    )
    now = int(time.time())
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE orders AS SELECT 'Purchase' AS event, "
        f"{now} - 60 - (i % 3600) AS event_time, 'o' || i AS order_id, "
        "'  User' || i || '.Name@Example.com ' AS email, '+3361234' || lpad(CAST(i AS VARCHAR), "
        "4, '0') AS phone, 'https://shop.example/thanks?o=' || i AS url, "
        f"(i % 90) + 0.5 AS value, 'EUR' AS currency FROM range({N_EVENTS}) r(i)"
    )
    con.close()
    return db


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKOPS_")}
    env["TIKTOK_ACCESS_TOKEN"] = "e2e-token"
    return env


@pytest.mark.slow
def test_engine_fatal_mid_run_gives_one_line_and_a_rerun_resumes(
    tmp_path: Path, sink: tuple[Sink, str]
) -> None:
    state, url = sink
    db = _workspace(tmp_path, url)
    sync = ["events", "sync", "--source", "orders", "--event-source", "web"]
    sync += ["--event-source-id", PIXEL]
    first = subprocess.run(
        [sys.executable, "-c", _FATAL_AFTER_COMMITS, str(db), *sync],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    err = " ".join(first.stderr.split())  # the terminal may wrap the line
    assert first.returncode == 1, first.stderr
    assert first.returncode > 0 and first.returncode != -11  # an error exit, not a crash
    assert "Traceback" not in first.stderr and "Exception" not in first.stderr
    assert "the store failed during run" in err and "invalidated" in err
    assert "Run the same command again to resume." in err
    assert "ROLLBACK" not in err
    delivered_before = set(state.received)
    assert 0 < len(delivered_before) < N_EVENTS, "the fatal error must land mid-run"

    second = subprocess.run(
        [sys.executable, "-c", "from tokops.cli.main import main; main()", *sync, "--json"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert summary["completed"] is True
    assert set(state.received) == {f"o{i}" for i in range(N_EVENTS)}  # nothing lost
    resent = sum(1 for n in state.received.values() if n > 1)
    assert resent <= 4 * BATCH  # at most the unrecorded window is sent twice
    con = duckdb.connect(str(db))
    try:
        runs = con.execute("SELECT status, sent FROM events_runs ORDER BY started_at").fetchall()
        sent = con.execute("SELECT count(*) FROM events_ledger WHERE status = 'sent'").fetchone()
    finally:
        con.close()
    assert [r[0] for r in runs] == ["interrupted", "completed"]  # none left 'running'
    assert runs[0][1] > 0 and runs[0][1] + runs[1][1] == N_EVENTS
    assert sent == (N_EVENTS,)
