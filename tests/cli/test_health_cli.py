"""``tokops events health``: tables and JSON from the ledger plus the sandbox's diagnostics."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from tokops.activate.ledger import append_rows, ensure_tables, ledger_schema
from tokops.cli import _client as client_cli
from tokops.cli import health as health_cli
from tokops.config import write_workspace
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.tiktok import ApiClient, EventsClient
from tokops.warehouse import connect

PIXEL = "CTOKOPSDEMOPIXEL0001"
TOKEN = "tok-health-secret"
KEYS = ("email", "phone", "external_id", "ttclid", "ttp", "ip_ua")


def make_app() -> typer.Typer:
    root = typer.Typer()
    events = typer.Typer()

    @events.callback()
    def _events() -> None:
        """Events commands."""

    health_cli.register(events)
    root.add_typer(events, name="events")
    return root


def ledger_row(status: str, keys: tuple[str, ...] = (), **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run_id": "r1",
        "event_source": "web",
        "event_source_id": PIXEL,
        "event": "Purchase",
        "event_id": "order-1",
        "event_time": int(time.time()),
        "status": status,
        "reason": None,
        "attempts": 1,
        "api_code": 0,
        "request_id": None,
        "test_event_code": None,
        "recorded_at": datetime.now(UTC) - timedelta(minutes=5),
    }
    row.update({f"has_{k}": k in keys for k in KEYS})
    row.update(kw)
    return row


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", TOKEN)
    monkeypatch.delenv("TOKOPS_API_BASE", raising=False)
    monkeypatch.delenv("TOKOPS_STORE_URL", raising=False)
    store_url = f"duckdb://{tmp_path / 'store.duckdb'}"
    write_workspace(tmp_path, store_url=store_url, api_base="http://sandbox.test")
    store = connect(store_url)
    ensure_tables(store)
    rows = [
        ledger_row("sent", ("email", "ip_ua"), event_id="o1"),
        ledger_row("sent", ("email", "phone", "ttclid", "ip_ua"), event_id="o2"),
        ledger_row("invalid", event_id=None, reason="event_time: not a date"),
    ]
    append_rows(store, pa.Table.from_pylist(rows, schema=ledger_schema()))
    store.close()
    return tmp_path


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """A sandbox that received 2 server Purchases and 3 pixel ones (one shared event_id)."""
    sb = Sandbox(SandboxSettings(access_tokens=(TOKEN,)))
    api = ApiClient(TOKEN, api_base="http://sandbox.test", transport=sb.transport())
    now = int(time.time())
    EventsClient(api).track(
        "web",
        PIXEL,
        [
            {"event": "Purchase", "event_time": now, "event_id": i, "page": {"url": "https://s"}}
            for i in ("o1", "o2")
        ],
    )
    api.post(
        "http://sandbox.test/sandbox/pixel/events/",
        json={
            "pixel_code": PIXEL,
            "events": [{"event": "Purchase", "event_id": i} for i in ("o1", "p2", "p3")],
        },
    )
    monkeypatch.setattr(client_cli, "transport", sb.transport)
    return sb


def test_json_has_server_vs_pixel_from_the_sandbox(workspace: Path, sandbox: Sandbox) -> None:
    res = CliRunner().invoke(make_app(), ["events", "health", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["diagnostics"][PIXEL]["state"] == "ok"
    (event,) = [e for e in data["events"] if e["event"] == "Purchase"]
    assert event["sent"] == 2 and event["invalid"] == 1
    assert event["coverage"]["email"] == 1.0 and event["coverage"]["phone"] == 0.5
    connection = event["connection"]
    # o1 merged (server & browser), o2 server only, p2/p3 browser only
    assert (connection["server_events"], connection["pixel_events"]) == (2, 3)
    assert connection["deduplication"]["merged"] == 1
    assert any("server events (2) < pixel events (3)" in w for w in event["warnings"])
    assert data["score"]["weights"]["ttclid"] == 0.25
    assert TOKEN not in res.output


def test_tables(workspace: Path, sandbox: Sandbox) -> None:
    res = CliRunner().invoke(make_app(), ["events", "health"], env={"COLUMNS": "220"})
    assert res.exit_code == 0, res.output
    out = res.output
    for text in (
        "Delivery and match keys",
        "Match quality",
        "weighted average",
        "Deduplication and connection method",
        "Top rejection reasons",
        "event_time: not a date",
        "server events (2) < pixel events (3)",
    ):
        assert text in out, text
    assert TOKEN not in out


class NoCalls:
    """A transport that fails the test if anything is sent."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected call to {request.url}")


def test_real_tiktok_points_to_events_manager(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_cli, "transport", lambda: httpx.MockTransport(NoCalls()))
    res = CliRunner().invoke(
        make_app(),
        ["events", "health", "--api-base", "https://business-api.tiktok.com"],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    assert "server-vs-pixel counts: see Events Manager" in res.output


def test_without_a_token_the_ledger_is_still_read(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIKTOK_ACCESS_TOKEN")
    res = CliRunner().invoke(make_app(), ["events", "health", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["diagnostics"][PIXEL]["state"] == "skipped"
    assert "TIKTOK_ACCESS_TOKEN" in data["diagnostics"][PIXEL]["note"]
    assert data["events"][0]["sent"] == 2


def test_no_api_and_filters(workspace: Path) -> None:
    res = CliRunner().invoke(make_app(), ["events", "health", "--no-api", "--since", "1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["diagnostics"] == {} and data["since_days"] == 1
    res = CliRunner().invoke(make_app(), ["events", "health", "--no-api", "--event-source-id", "X"])
    assert res.exit_code == 0 and "no events in the ledger" in res.output
    res = CliRunner().invoke(make_app(), ["events", "health", "--since", "0"])
    assert res.exit_code == 2  # usage error, before anything runs


def test_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_workspace(tmp_path, store_url=f"duckdb://{tmp_path / 's.duckdb'}")
    res = CliRunner().invoke(make_app(), ["events", "health", "--no-api"])
    assert res.exit_code == 0, res.output
    assert "tokops events sync" in res.output


@pytest.mark.slow
def test_against_a_served_sandbox(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real HTTP on loopback: the absolute /sandbox/diagnostics/ URL and the token header."""
    from tokops.sandbox.server import serve_in_thread

    sb = Sandbox(SandboxSettings(access_tokens=(TOKEN,)))
    with serve_in_thread(sb) as server, ApiClient(TOKEN, api_base=server.url) as api:
        api.post(
            server.url + "/sandbox/pixel/events/",
            json={"pixel_code": PIXEL, "events": [{"event": "Purchase", "event_id": "o1"}]},
        )
        res = CliRunner().invoke(
            make_app(), ["events", "health", "--json", "--api-base", server.url]
        )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["diagnostics"][PIXEL]["state"] == "ok"
    (event,) = data["events"]
    assert event["connection"]["pixel_events"] == 1


def test_counts_per_source_row_with_samples_and_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9 §4/§5: re-runs do not add invalid rows again, a failed row sent later counts as
    sent, each reason shows one redacted sample, notes on sent events are listed; hostile text
    (Rich markup) is printed as text."""
    from tokops.activate.samples import record_samples

    monkeypatch.chdir(tmp_path)
    store_url = f"duckdb://{tmp_path / 's.duckdb'}"
    write_workspace(tmp_path, store_url=store_url)
    store = connect(store_url)
    ensure_tables(store)
    hostile = "[red]bad[/] value"
    rows = []
    for run, minutes in (("r1", 30), ("r2", 20), ("r3", 10)):
        at = datetime.now(UTC) - timedelta(minutes=minutes)
        rows += [
            ledger_row("invalid", run_id=run, event_id=f"bad{i}", reason=hostile, recorded_at=at)
            for i in range(4)
        ]
        status = "failed" if run == "r1" else "sent"
        if run != "r3":  # r3 finds o1 already sent: no ledger row
            rows.append(
                ledger_row(status, ("email",), run_id=run, event_id="o1", recorded_at=at,
                           reason="phone dropped: invalid" if status == "sent" else "timeout")
            )  # fmt: skip
    append_rows(store, pa.Table.from_pylist(rows, schema=ledger_schema()))
    record_samples(store, "r3", PIXEL, {("Purchase", hostile): "[b]12,5.6"})
    store.close()
    res = CliRunner().invoke(make_app(), ["events", "health", "--no-api", "--json"])
    assert res.exit_code == 0, res.output
    (event,) = json.loads(res.output)["events"]
    assert (event["sent"], event["invalid"], event["failed"]) == (1, 4, 0)
    assert event["top_reasons"] == [
        {"status": "invalid", "reason": hostile, "count": 4, "sample": "[b]12,5.6"}
    ]
    assert event["notes"] == [{"note": "phone dropped: invalid", "count": 1}]
    assert json.loads(res.output)["top_reasons"][0]["sample"] == "[b]12,5.6"
    res = CliRunner().invoke(make_app(), ["events", "health", "--no-api"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert hostile in res.output and '"[b]12,5.6"' in res.output
    assert "1 sent with a note: phone dropped: invalid" in res.output
