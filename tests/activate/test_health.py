"""Event health from the ledger (EVT-6): counts, coverage, score, reasons, runs, diagnostics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import ibis
import pyarrow as pa
import pytest

from tokops.activate.health import (
    EVENTS_MANAGER_NOTE,
    MATCH_KEY_WEIGHTS,
    DiagnosticsOutcome,
    compute_health,
    diagnostics_from_api,
    match_quality_score,
    score_band,
)
from tokops.activate.ledger import (
    COUNT_KEYS,
    LEDGER_TABLE,
    RUNS_TABLE,
    append_rows,
    ensure_tables,
    ledger_schema,
    runs_schema,
)
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.tiktok import ApiClient
from tokops.tiktok.diagnostics import SourceDiagnostics
from tokops.warehouse import Store

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
PIXEL = "CTOKOPSDEMOPIXEL0001"
OFFLINE = "7200000000000000001"
KEYS = ("email", "phone", "external_id", "ttclid", "ttp", "ip_ua")


def row(
    status: str = "sent",
    *,
    event: str | None = "Purchase",
    source: str = "web",
    sid: str = PIXEL,
    keys: tuple[str, ...] = (),
    event_id: str | None = "order-1",
    reason: str | None = None,
    test: str | None = None,
    age: timedelta = timedelta(hours=1),
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "run_id": "r2",
        "event_source": source,
        "event_source_id": sid,
        "event": event,
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "status": status,
        "reason": reason,
        "attempts": 1,
        "api_code": 0 if status == "sent" else None,
        "request_id": None,
        "test_event_code": test,
        "recorded_at": NOW - age,
    }
    out.update({f"has_{k}": k in keys for k in KEYS})
    out.update(extra)
    return out


def load_ledger(store: Store, rows: list[dict[str, Any]], schema: pa.Schema | None = None) -> None:
    """Rows into the ledger; with *schema*, into a plain ``events_ledger`` table of that shape
    instead (a ledger written by another tool, with columns tokops does not write)."""
    if schema is None:
        append_rows(store, pa.Table.from_pylist(rows, schema=ledger_schema()))
        return
    store.ensure_table(LEDGER_TABLE, ibis.Schema.from_pyarrow(schema))
    store.insert(LEDGER_TABLE, pa.Table.from_pylist(rows, schema=schema))


def load_runs(store: Store, runs: list[dict[str, Any]]) -> None:
    ensure_tables(store)
    full = [
        dict.fromkeys(COUNT_KEYS, 0)
        | {"source": "orders", "event_source": "web", "test_event_code": None}
        | r
        for r in runs
    ]
    store.insert(RUNS_TABLE, pa.Table.from_pylist(full, schema=runs_schema()))


ALL = KEYS
SHOP = [
    row(keys=ALL, event_id="o1"),
    row(keys=("email", "phone", "ttclid"), event_id="o2"),
    row(keys=("email",), event_id="o3"),
    row(keys=(), event_id="o4"),
    row("invalid", reason="email: not an email address", event_id=None),
    row("invalid", reason="email: not an email address", event_id=None),
    row("invalid", event=None, reason="event: missing", event_id=None),
    row("rejected", reason="40002 Invalid value for data.0.event_id", event_id="o9"),
    row("failed", reason="retries exhausted", event_id="o8"),
    row(keys=ALL, test="TEST123", event_id="t1"),  # test events are left out by default
    row(keys=ALL, event_id="old", age=timedelta(days=40)),
    row(source="offline", sid=OFFLINE, keys=("email", "phone"), event_id="s1"),
    row(source="offline", sid=OFFLINE, keys=("email",), event_id="s2"),
]


# -- the score ----------------------------------------------------------------------------------
def test_weights_sum_to_one() -> None:
    assert sum(MATCH_KEY_WEIGHTS.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("coverage", "source", "expected"),
    [
        (dict.fromkeys(KEYS, 1.0), "web", 10.0),
        ({}, "web", 0.0),
        ({"email": 1.0}, "web", 2.5),
        ({"email": 0.5, "ttclid": 0.5}, "web", 2.5),
        ({"email": 1.0, "phone": 1.0}, "offline", 8.2),  # 10 × 0.45 / 0.55
        ({"email": 1.0, "phone": 1.0, "external_id": 1.0, "ttclid": 1.0}, "crm", 10.0),
        ({"ip_ua": 1.0}, "app", 1.5),  # 10 × 0.10 / 0.65
    ],
)
def test_match_quality_score(coverage: dict[str, float], source: str, expected: float) -> None:
    assert match_quality_score(coverage, source) == expected


@pytest.mark.parametrize(
    ("score", "band"),
    [(10.0, "great"), (8.0, "great"), (7.9, "good"), (4.0, "fair"), (3.9, "poor")],
)
def test_score_band(score: float, band: str) -> None:
    assert score_band(score) == band


# -- the read-out ---------------------------------------------------------------------------------
def test_health_per_event_on_every_engine(any_store: Store) -> None:
    load_ledger(any_store, SHOP)
    report = compute_health(any_store, since_days=30, now=NOW)
    by = {(e.event_source_id, e.event): e for e in report.events}
    web = by[(PIXEL, "Purchase")]
    assert (web.sent, web.invalid, web.rejected, web.failed) == (4, 2, 1, 1)
    assert web.coverage == {
        "email": 0.75,
        "phone": 0.5,
        "external_id": 0.25,
        "ttclid": 0.5,
        "ttp": 0.25,
        "ip_ua": 0.25,
    }
    # 10 × (.25·.5 + .25·.75 + .2·.5 + .1·.25 + .1·.25 + .1·.25) = 4.875 → 4.9
    assert web.score == 4.9 and web.band == "fair"
    assert web.top_reasons == [
        ("invalid", "email: not an email address", 2),
        ("rejected", "40002 Invalid value for data.0.event_id", 1),
    ]
    assert web.active is True
    assert web.last_sent_at == NOW - timedelta(hours=1)
    offline = by[(OFFLINE, "Purchase")]
    assert offline.sent == 2 and offline.coverage["ttclid"] == 0.0
    assert offline.score == match_quality_score({"email": 1.0, "phone": 0.5}, "offline") == 6.4
    nameless = by[(PIXEL, "(no event name)")]
    assert nameless.sent == 0 and nameless.invalid == 1 and nameless.score is None
    assert report.top_reasons[0] == ("invalid", "email: not an email address", 2)


def test_since_and_test_events_filters(duck_store: Store) -> None:
    load_ledger(duck_store, SHOP)
    everything = compute_health(duck_store, include_test=True, now=NOW)
    recent = compute_health(duck_store, since_days=7, now=NOW)

    def sent(report: Any) -> int:
        return next(
            e.sent for e in report.events if e.event_source_id == PIXEL and e.event == "Purchase"
        )

    assert sent(everything) == 6  # + the test event + the 40-day-old one
    assert sent(recent) == 4
    with pytest.raises(ValueError):
        compute_health(duck_store, since_days=0, now=NOW)


def test_event_source_filter(duck_store: Store) -> None:
    load_ledger(duck_store, SHOP)
    report = compute_health(duck_store, event_source_id=OFFLINE, now=NOW)
    assert {e.event_source_id for e in report.events} == {OFFLINE}
    assert report.top_reasons == []


def test_stale_event_is_not_active_and_warned(duck_store: Store) -> None:
    load_ledger(duck_store, [row(keys=ALL, age=timedelta(days=9))])
    (event,) = compute_health(duck_store, now=NOW).events
    assert event.active is False
    assert any("no recent activity" in w for w in event.warnings)


def test_web_warnings_for_missing_browser_keys(duck_store: Store) -> None:
    load_ledger(duck_store, [row(keys=("email",))])
    (event,) = compute_health(duck_store, now=NOW).events
    text = " | ".join(event.warnings)
    assert "poor" in text and "ttclid" in text and "IP + user agent" in text


def test_dedup_readiness_without_origin_column_counts_hex_ids_as_derived(
    duck_store: Store,
) -> None:
    derived = "9f" * 32  # what activate/prepare.py derives: 64 lowercase hex
    load_ledger(duck_store, [row(event_id="order-1"), row(event_id=derived), row(event_id=None)])
    report = compute_health(duck_store, now=NOW)
    (event,) = report.events
    assert report.dedup_origin_known is False
    assert (event.with_event_id, event.event_id_from_source) == (2, 1)
    assert event.dedup_readiness == pytest.approx(1 / 3)
    assert any("approximate" in w for w in report.warnings)
    assert any("only about 33%" in w for w in event.warnings)


def test_dedup_readiness_from_the_origin_column(duck_store: Store) -> None:
    schema = ledger_schema().append(pa.field("event_id_source", pa.string()))
    rows = [
        row(event_id="o1", event_id_source="event_id"),
        row(event_id="o2", event_id_source="order_id"),
        row(event_id="d1", event_id_source="derived"),
        row(event_id="d2", event_id_source="derived"),
        row("invalid", event_id=None, event_id_source=None, reason="x"),
    ]
    load_ledger(duck_store, rows, schema)
    report = compute_health(duck_store, now=NOW)
    (event,) = report.events
    assert report.dedup_origin_known is True
    assert (event.with_event_id, event.event_id_from_source) == (4, 2)
    assert event.dedup_readiness == 0.5
    assert any("only 50%" in w for w in event.warnings)


def test_last_run_prefers_the_latest_real_run(duck_store: Store) -> None:
    load_ledger(duck_store, SHOP)
    load_runs(
        duck_store,
        [
            {
                "run_id": "r1",
                "started_at": (NOW - timedelta(days=2)),
                "finished_at": None,
                "event_source_id": PIXEL,
                "status": "failed",
                "dry_run": False,
                "failed": 3,
            },
            {
                "run_id": "r2",
                "started_at": (NOW - timedelta(days=1)),
                "finished_at": (NOW - timedelta(days=1) + timedelta(seconds=5)),
                "event_source_id": PIXEL,
                "status": "completed",
                "dry_run": False,
                "sent": 4,
            },
            {
                "run_id": "r3",
                "started_at": (NOW),
                "finished_at": (NOW),
                "event_source_id": PIXEL,
                "status": "completed",
                "dry_run": True,
            },
            {
                "run_id": "r4",
                "started_at": (NOW),
                "finished_at": None,
                "event_source_id": OFFLINE,
                "status": "running",
                "dry_run": False,
            },
        ],
    )
    last = compute_health(duck_store, event_source_id=PIXEL, now=NOW).last_run
    assert last is not None
    assert (last.run_id, last.status, last.dry_run) == ("r2", "completed", False)
    assert last.counts["sent"] == 4
    assert last.finished_at == NOW - timedelta(days=1) + timedelta(seconds=5)
    overall = compute_health(duck_store, now=NOW).last_run
    assert overall is not None and overall.run_id == "r4"


def test_no_ledger_yet(duck_store: Store) -> None:
    report = compute_health(duck_store, now=NOW)
    assert report.events == [] and report.last_run is None
    assert any("tokops events sync" in w for w in report.warnings)


# -- with the API's diagnostics -----------------------------------------------------------------
def diag(events: list[dict[str, Any]]) -> SourceDiagnostics:
    return SourceDiagnostics.model_validate({"event_source_id": PIXEL, "events": events})


class FakeDiagnostics:
    """Answers per event source id and records which ids were asked."""

    def __init__(self, outcome: DiagnosticsOutcome) -> None:
        self.outcome = outcome
        self.asked: list[str] = []

    def __call__(self, event_source_id: str) -> DiagnosticsOutcome:
        self.asked.append(event_source_id)
        return self.outcome


def test_server_vs_pixel_counts_and_warnings(duck_store: Store) -> None:
    load_ledger(duck_store, SHOP)
    fake = FakeDiagnostics(
        DiagnosticsOutcome(
            "ok",
            data=diag(
                [
                    {
                        "event": "Purchase",
                        "received": {"server": 4, "browser": 8},
                        "connection_method": {
                            "server_only": 1,
                            "browser_only": 5,
                            "server_and_browser": 3,
                        },
                        "deduplication": {"kept": 9, "merged": 3, "dropped": 2},
                        "not_hashed": {"email": 0.25, "phone": 0.0},
                        "empty_string_hashes": 2,
                    },
                    {
                        "event": "AddToCart",
                        "received": {"browser": 7},
                        "connection_method": {"browser_only": 7},
                    },
                ]
            ),
        )
    )
    report = compute_health(duck_store, since_days=30, now=NOW, diagnostics=fake)
    assert fake.asked == [PIXEL]  # web sources only: the offline set has no Pixel
    by = {(e.event_source_id, e.event): e for e in report.events}
    purchase = by[(PIXEL, "Purchase")]
    assert (purchase.server_events, purchase.pixel_events) == (4, 8)
    assert purchase.pixel is not None and purchase.pixel.deduplication.dropped == 2
    text = " | ".join(purchase.warnings)
    assert "server events (4) < pixel events (8)" in text
    assert "25% of emails unhashed" in text and "2 events carried SHA-256" in text
    cart = by[(PIXEL, "AddToCart")]  # only the Pixel sends it: still listed, and warned
    assert cart.sent == 0 and cart.pixel_events == 7
    assert any("server events (0) < pixel events (7)" in w for w in cart.warnings)
    offline = by[(OFFLINE, "Purchase")]
    assert offline.pixel is None and not any("pixel" in w for w in offline.warnings)
    payload = report.to_dict()
    json.dumps(payload)  # plain JSON types only
    assert payload["diagnostics"] == {PIXEL: {"state": "ok", "note": ""}}
    event = next(e for e in payload["events"] if e["event"] == "Purchase" and e["connection"])
    assert event["connection"]["server_events"] == 4 and event["connection"]["pixel_events"] == 8
    assert payload["score"]["scale"] == "0-10"


def test_server_ahead_of_pixel_is_fine(duck_store: Store) -> None:
    load_ledger(duck_store, [row(keys=ALL)])
    fake = FakeDiagnostics(
        DiagnosticsOutcome(
            "ok",
            data=diag(
                [{"event": "Purchase", "connection_method": {"server_only": 3, "browser_only": 2}}]
            ),
        )
    )
    (event,) = compute_health(duck_store, now=NOW, diagnostics=fake).events
    assert event.warnings == []


def test_unsupported_diagnostics_are_reported_not_fatal(duck_store: Store) -> None:
    load_ledger(duck_store, SHOP)
    fake = FakeDiagnostics(DiagnosticsOutcome("unsupported", "see Events Manager"))
    report = compute_health(duck_store, event_source_id=PIXEL, now=NOW, diagnostics=fake)
    assert report.diagnostics[PIXEL].state == "unsupported"
    assert all(e.pixel is None for e in report.events)


# -- the diagnostics fetcher (tokops.tiktok.diagnostics through diagnostics_from_api) ------------
class Gateway:
    """Answers every call with one canned response and counts calls."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.urls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return self.response


def fetch_with(api_base: str, response: httpx.Response) -> tuple[DiagnosticsOutcome, Gateway]:
    gateway = Gateway(response)
    api = ApiClient(
        "tok", api_base=api_base, transport=httpx.MockTransport(gateway), sleep=lambda s: None
    )
    return diagnostics_from_api(api)(PIXEL), gateway


def test_fetcher_reads_the_sandbox_route_outside_open_api() -> None:
    body = {"code": 0, "message": "OK", "request_id": "r", "data": {"events": [{"event": "Lead"}]}}
    outcome, gateway = fetch_with("http://127.0.0.1:8765", httpx.Response(200, json=body))
    assert outcome.state == "ok" and outcome.data is not None
    assert outcome.data.event_source_id == PIXEL and outcome.data.events[0].event == "Lead"
    assert gateway.urls == [f"http://127.0.0.1:8765/sandbox/diagnostics/?event_source_id={PIXEL}"]


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, text="404 page not found"),
        httpx.Response(200, json={"code": 40400, "message": "route not found", "data": {}}),
    ],
)
def test_fetcher_without_the_route_points_to_events_manager(response: httpx.Response) -> None:
    outcome, _ = fetch_with("http://proxy.test", response)
    assert (outcome.state, outcome.note) == ("unsupported", EVENTS_MANAGER_NOTE)


def test_fetcher_never_calls_the_real_tiktok() -> None:
    outcome, gateway = fetch_with("https://business-api.tiktok.com", httpx.Response(500))
    assert outcome.state == "unsupported" and gateway.urls == []


def test_fetcher_reports_other_failures_in_one_line() -> None:
    refused = {"code": 40001, "message": "No permission to operate pixel code", "data": {}}
    outcome, _ = fetch_with("http://127.0.0.1:8765", httpx.Response(200, json=refused))
    assert outcome.state == "unavailable" and "40001" in outcome.note
    assert "\n" not in outcome.note


def test_fetcher_against_the_sandbox() -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=("tok",)))
    with ApiClient("tok", api_base="http://sb.test", transport=sandbox.transport()) as api:
        api.post(
            "http://sb.test/sandbox/pixel/events/",
            json={"pixel_code": PIXEL, "events": [{"event": "Purchase", "event_id": "x"}]},
        )
        outcome = diagnostics_from_api(api)(PIXEL)
    assert outcome.state == "ok" and outcome.data is not None
    (event,) = outcome.data.events
    assert (event.server_events, event.browser_events) == (0, 1)


def test_server_vs_pixel_compares_arrivals_not_kept_events(duck_store: Store) -> None:
    """EVT-6: server copies dropped by dedup (they arrived after the Pixel's) still count as
    received from the server, so a server that sends everything is not flagged."""
    load_ledger(duck_store, SHOP)
    fake = FakeDiagnostics(
        DiagnosticsOutcome(
            "ok",
            data=diag(
                [
                    {
                        "event": "Purchase",
                        "received": {"server": 10, "browser": 8},
                        "connection_method": {"server_only": 2, "browser_only": 3},
                        "deduplication": {"kept": 5, "merged": 0, "dropped": 8},
                    }
                ]
            ),
        )
    )
    report = compute_health(duck_store, since_days=30, now=NOW, diagnostics=fake)
    purchase = {(e.event_source_id, e.event): e for e in report.events}[(PIXEL, "Purchase")]
    assert (purchase.server_events, purchase.pixel_events) == (10, 8)
    assert not any("server events" in w for w in purchase.warnings)


# -- counts per source row (issue 9 §4) -----------------------------------------------------------
def test_each_source_row_counts_once_by_its_latest_outcome(any_store: Store) -> None:
    def at(run: int, status: str, event_id: str | None, **kw: Any) -> dict[str, Any]:
        age = timedelta(hours=10 - run)
        return row(status, run_id=f"r{run}", event_id=event_id, age=age, keys=("email",), **kw)

    rows = [
        # o1 fails in r1 and is sent in r2: sent once, not failed
        at(1, "failed", "o1", reason="retries exhausted"),
        at(2, "sent", "o1"),
        # o2 is sent in r1, then refused as too old by r3: it stays sent
        at(1, "sent", "o2"),
        at(3, "invalid", "o2", reason="event time older than 7 days"),
        # b1 and b2 are rejected by every run: counted once each
        *[at(r, "invalid", b, reason="invalid email") for r in (1, 2, 3) for b in ("b1", "b2")],
        # o3 sent in r2 with one duplicate row in the same run
        at(2, "sent", "o3"),
        at(2, "duplicate", "o3"),
        # rows without an event_id: only the latest run's count (r3 has one, r1 had two)
        at(1, "invalid", None, reason="missing event time"),
        at(1, "invalid", None, reason="missing event time"),
        at(3, "invalid", None, reason="missing event time"),
        # the test stream is its own: the same id there is another source row
        at(1, "failed", "o1", test="T1", reason="retries exhausted"),
    ]
    load_ledger(any_store, rows)
    (event,) = compute_health(any_store, now=NOW).events
    assert (event.sent, event.invalid, event.failed, event.duplicate) == (3, 3, 0, 1)
    assert event.top_reasons == [
        ("invalid", "invalid email", 2),
        ("invalid", "missing event time", 1),
    ]
    (with_test,) = compute_health(any_store, now=NOW, include_test=True).events
    assert (with_test.sent, with_test.failed) == (3, 1)
