"""``run_sync`` end to end against a spec-following fake Events API (EVT-1, EVT-7, BYD-2, BYD-4)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tokops.activate import SyncOptions, SyncSummary, run_sync
from tokops.activate.ledger import LEDGER_TABLE, RUNS_TABLE
from tokops.activate.validate import Reason
from tokops.errors import ConfigError, SourceError
from tokops.tiktok import hashing
from tokops.warehouse import Store

from .conftest import NOW, NOW_S, FakeEventsAPI, make_table

PIXEL = "CPIXEL00000000000001"


def orders(n: int, *, dup_every: int = 0, bad_email_every: int = 0) -> dict[str, list[Any]]:
    """*n* web purchases; every *dup_every*-th repeats the previous order id; some bad emails."""
    ids = [f"o{i - 1}" if dup_every and i % dup_every == 0 and i else f"o{i}" for i in range(n)]
    emails = [
        f"not-an-email-{i}"
        if bad_email_every and i % bad_email_every == 0
        else f"U{i}@Shop.example"
        for i in range(n)
    ]
    return {
        "event": ["Purchase"] * n,
        "event_time": [str(NOW_S - 60 - i) for i in range(n)],
        "order_id": ids,
        "email": emails,
        "phone": [f"+1213555{i % 10000:04d}" for i in range(n)],
        "value": [f"{i % 50}.99" for i in range(n)],
        "currency": ["usd"] * n,
        "url": [f"https://shop.example/thanks?o={i}" for i in range(n)],
    }


def expected_counts(n: int, dup_every: int = 0, bad_email_every: int = 0) -> dict[str, int]:
    """What :func:`orders` should give: a duplicate needs both rows of the pair to be valid."""

    def bad(i: int) -> bool:
        return bool(bad_email_every) and i % bad_email_every == 0

    invalid = sum(bad(i) for i in range(n))
    dups = sum(
        1 for i in range(1, n) if dup_every and i % dup_every == 0 and not bad(i) and not bad(i - 1)
    )
    return {"sent": n - invalid - dups, "invalid": invalid, "duplicate": dups}


def sync(store: Store, client: Any, source: str, **kw: Any) -> SyncSummary:
    options = SyncOptions(source=source, event_source="web", event_source_id=PIXEL, **kw)
    return run_sync(store, client, options, now=NOW)


def ledger_counts(store: Store, run_id: str | None = None) -> dict[str, int]:
    t = store.table(LEDGER_TABLE)
    if run_id is not None:
        t = t.filter(t.run_id == run_id)
    rows = store.fetch(t.group_by("status").aggregate(n=t.count())).to_pylist()
    return {r["status"]: r["n"] for r in rows}


def test_sync_records_every_outcome_and_reruns_send_nothing(
    any_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(any_store, orders(300, dup_every=10, bad_email_every=7))
    api = FakeEventsAPI()
    first = sync(any_store, client_for(api), name, batch_size=50)
    assert first.completed and first.status == "completed"
    expected = expected_counts(300, 10, 7)
    assert expected == {"sent": 236, "invalid": 43, "duplicate": 21}
    assert {k: first.counts[k] for k in expected} == expected
    assert first.counts["total"] == 300 and first.counts["failed"] == 0
    assert ledger_counts(any_store, first.run_id) == expected
    assert first.top_reasons == [(Reason.BAD_EMAIL, 43)]
    assert len(api.event_ids()) == 236 and api.sent_twice() == 0

    again = sync(any_store, client_for(api), name, batch_size=50)
    # every valid row's event was sent before, duplicates included: nothing is recorded again
    assert again.counts["sent"] == 0 and again.counts["already_sent"] == 236 + 21
    assert ledger_counts(any_store, again.run_id) == {"invalid": 43}
    assert api.sent_twice() == 0

    runs = any_store.fetch(any_store.table(RUNS_TABLE).order_by("started_at")).to_pylist()
    assert [(r["status"], r["sent"], r["already_sent"]) for r in runs] == [
        ("completed", 236, 0),
        ("completed", 0, 257),
    ]


def test_rows_without_ids_are_duplicates_when_their_normalised_keys_match(
    any_store: Store, client_for: Callable[..., Any]
) -> None:
    """Derived ids (EVT-7) come from normalised values: the same buyer written three ways is one
    event, sent once; a row with an order id never joins such a group."""
    emails = [" Bob@X.com ", "bob@x.com", "BOB@X.COM", "alice@x.com", "bob@x.com", "bob@x.com"]
    name = make_table(
        any_store,
        {
            "event": ["Purchase"] * 6,
            "event_time": [str(NOW_S - 60)] * 5 + [str(NOW_S - 61)],
            "email": emails,
            "order_id": [None, "", None, None, "o-1", None],
            "url": ["https://shop.example/thanks"] * 6,
        },
    )
    api = FakeEventsAPI()
    summary = sync(any_store, client_for(api), name)
    assert (summary.counts["sent"], summary.counts["duplicate"]) == (4, 2)
    assert len(api.event_ids()) == 4 and api.sent_twice() == 0


def test_dry_run_sends_and_records_nothing(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(duck_store, orders(40, dup_every=5, bad_email_every=8))
    expected = expected_counts(40, 5, 8)
    summary = sync(duck_store, None, name, dry_run=True)
    assert summary.counts["would_send"] == expected["sent"] and summary.counts["sent"] == 0
    assert summary.counts["invalid"] == expected["invalid"]
    assert summary.counts["duplicate"] == expected["duplicate"]
    assert summary.sample_event is not None and summary.sample_event["event"] == "Purchase"
    assert ledger_counts(duck_store) == {}
    api = FakeEventsAPI()
    sent = sync(duck_store, client_for(api), name)
    assert sent.counts["sent"] == expected["sent"]
    again = sync(duck_store, None, name, dry_run=True)
    assert again.counts["already_sent"] == expected["sent"] + expected["duplicate"]


@pytest.mark.parametrize("partner", ["Acme Connector", None])
def test_the_clients_partner_name_is_sent_on_the_fast_path(
    duck_store: Store, client_for: Callable[..., Any], partner: str | None
) -> None:
    """The engine-built requests carry the client's partner_name; None omits the key (EVT-1)."""
    name = make_table(duck_store, orders(30))
    api = FakeEventsAPI()
    summary = sync(duck_store, client_for(api, partner_name=partner), name, batch_size=10)
    assert summary.counts["sent"] == 30 and len(api.bodies) == 3
    for body in api.bodies:
        assert body.get("partner_name") == partner
        assert ("partner_name" in body) is (partner is not None)
        assert list(body)[:2] == ["event_source", "event_source_id"] and list(body)[-1] == "data"


def test_test_events_and_live_events_are_kept_apart(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(duck_store, orders(20))
    api = FakeEventsAPI()
    assert sync(duck_store, client_for(api), name, test_event_code="TEST1").counts["sent"] == 20
    assert all(b["test_event_code"] == "TEST1" for b in api.bodies)
    assert sync(duck_store, client_for(api), name).counts["sent"] == 20  # live: not sent yet
    assert sync(duck_store, client_for(api), name, test_event_code="TEST1").counts["sent"] == 0
    assert sync(duck_store, client_for(api), name).counts["already_sent"] == 20


def test_faults_lose_nothing_and_send_nothing_twice(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    """30% of requests fail (HTTP 503, 40100, dropped connection): all retried, none lost."""
    name = make_table(duck_store, orders(3000))
    api = FakeEventsAPI(fail_rate=0.3, seed=11)
    summary = sync(duck_store, client_for(api), name, batch_size=100)
    assert summary.completed, summary.error
    assert summary.counts["sent"] == 3000
    assert sum(api.faults.values()) > 5 and set(api.faults) == {"http503", "throttle", "drop"}
    assert len(api.event_ids()) == 3000 and api.sent_twice() == 0


def test_lost_answers_resend_only_those_batches(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    """An answer lost after TikTok processed the request: the retry repeats that batch only
    (TikTok deduplicates it by event_id)."""
    name = make_table(duck_store, orders(2000))
    api = FakeEventsAPI(lose_answer_rate=0.2, seed=3)
    summary = sync(duck_store, client_for(api), name, batch_size=100)
    assert summary.completed and len(api.event_ids()) == 2000
    assert api.lost_answers > 0
    assert api.sent_twice() <= api.lost_answers * 100


class Outage:
    """Every request fails with a 5xx until ``up`` is set."""

    def __init__(self, api: FakeEventsAPI) -> None:
        self.api = api
        self.up = False

    def __call__(self, request: Any) -> Any:
        if not self.up:
            import httpx

            return httpx.Response(502, text="bad gateway")
        return self.api(request)


def test_retries_exhausted_fail_the_run_and_a_rerun_delivers(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(duck_store, orders(500))
    api = FakeEventsAPI()
    outage = Outage(api)
    down = sync(duck_store, client_for(outage, max_retries=2), name, batch_size=100)
    assert not down.completed and down.status == "failed"
    assert down.error is not None and "re-run" in down.error
    assert down.counts["failed"] >= 100 and down.counts["sent"] == 0
    outage.up = True
    up = sync(duck_store, client_for(outage), name, batch_size=100)
    assert up.completed and up.counts["sent"] == 500
    assert len(api.event_ids()) == 500 and api.sent_twice() == 0


def test_auth_error_stops_the_run_and_loses_nothing(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(duck_store, orders(400))
    api = FakeEventsAPI()
    refused = sync(
        duck_store, client_for(api, token="revoked"), name, batch_size=100, concurrency=1
    )
    assert not refused.completed and "40105" in (refused.error or "")
    assert api.requests == 1  # stopped at once: no retries, no bisecting, no further batches
    assert refused.counts["sent"] == 0
    ok = sync(duck_store, client_for(api), name, batch_size=100)
    assert ok.completed and ok.counts["sent"] == 400 and len(api.event_ids()) == 400


def test_bad_row_isolated_and_recorded_with_the_api_answer(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(duck_store, orders(1000))
    api = FakeEventsAPI(bad_ids={"o421"})
    summary = sync(duck_store, client_for(api), name)
    assert summary.completed and summary.counts["rejected"] == 1 and summary.counts["sent"] == 999
    t = duck_store.table(LEDGER_TABLE)
    row = duck_store.fetch(t.filter(t.status == "rejected")).to_pylist()[0]
    assert (row["event_id"], row["api_code"]) == ("o421", 40002)
    assert "not a valid number" in row["reason"]
    assert api.requests == 21


def test_a_request_rejected_entirely_stops_the_run(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(duck_store, orders(200))
    api = FakeEventsAPI(bad_ids={f"o{i}" for i in range(200)})
    summary = sync(duck_store, client_for(api), name, batch_size=100, concurrency=1)
    assert not summary.completed and "rejected every event" in (summary.error or "")
    assert summary.counts["rejected"] == 100  # the second request was never sent


def test_ledger_holds_no_raw_pii(duck_store: Store, client_for: Callable[..., Any]) -> None:
    data = orders(30, bad_email_every=3)
    name = make_table(duck_store, data)
    sync(duck_store, client_for(FakeEventsAPI()), name)
    dump = str(duck_store.fetch(duck_store.table(LEDGER_TABLE)).to_pylist())
    dump += str(duck_store.fetch(duck_store.table(RUNS_TABLE)).to_pylist())
    for value in data["email"] + data["phone"]:
        assert value not in dump and value.lower() not in dump


def test_same_sync_on_duckdb_and_postgres(any_store: Store, client_for: Callable[..., Any]) -> None:
    """BYD-2: identical inputs give identical outcomes and identical payloads on both engines."""
    name = make_table(any_store, orders(120, dup_every=6, bad_email_every=11))
    api = FakeEventsAPI()
    summary = sync(any_store, client_for(api), name)
    expected = expected_counts(120, 6, 11)
    assert ledger_counts(any_store) == expected
    assert summary.counts["sent"] == expected["sent"]
    events = sorted((e for b in api.bodies for e in b["data"]), key=lambda e: e["event_id"])
    assert events[0] == {
        "event": "Purchase",
        "event_time": NOW_S - 61,
        "event_id": "o1",
        "user": {
            "email": hashing.hash_email("U1@Shop.example"),
            "phone": hashing.hash_phone("+12135550001"),
        },
        "properties": {"value": 1.99, "currency": "USD", "order_id": "o1"},
        "page": {"url": "https://shop.example/thanks?o=1"},
    }


def test_csv_source_rejected_lines_are_recorded(
    duck_store: Store, client_for: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "store_sales.csv"
    when = str(NOW_S - 3600)
    path.write_text(
        "event,event_time,email,value,currency,order_id\n"
        f"Purchase,{when},a@b.co,10,EUR,s1\n"
        f"Purchase,{when},c@d.co,5,EUR,s2,extra\n"
        f"Purchase,{when},e@f.co\n"
        f"Purchase,{when},g@h.co,7,EUR,s4\n",
        encoding="utf-8",
    )
    options = SyncOptions(str(path), "offline", "7200000000000000001")
    summary = run_sync(duck_store, client_for(FakeEventsAPI()), options, now=NOW)
    assert summary.counts["sent"] == 2 and summary.counts["invalid"] == 2
    assert summary.rejected_lines == [(3, "too many columns"), (4, "too few columns")]
    t = duck_store.table(LEDGER_TABLE)
    reasons = duck_store.fetch(t.filter(t.status == "invalid").order_by("reason")).column("reason")
    assert reasons.to_pylist() == [
        "malformed CSV line (too few columns), line 4",
        "malformed CSV line (too many columns), line 3",
    ]


def test_sql_query_source_and_mapping(duck_store: Store, client_for: Callable[..., Any]) -> None:
    make_table(duck_store, orders(10), name="web orders")
    api = FakeEventsAPI()
    query = 'SELECT order_id AS id, email AS mail, url, event_time FROM "web orders" WHERE true'
    from tokops.activate import FieldMapping

    mapping = FieldMapping(columns={"email": "mail", "event_id": "id"}, constants={"event": "Lead"})
    summary = sync(duck_store, client_for(api), query, mapping=mapping)
    assert summary.counts["sent"] == 10
    assert {k[1] for k in api.delivered} == {"Lead"}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def started(self, run_id: str, total: int, dry_run: bool) -> None:
        self.calls.append(("started", total))

    def progressed(self, done: int, counts: Mapping[str, int]) -> None:
        self.calls.append(("progressed", done))

    def finished(self, summary: SyncSummary) -> None:
        self.calls.append(("finished", summary.counts["sent"]))


def test_progress_is_reported(duck_store: Store, client_for: Callable[..., Any]) -> None:
    name = make_table(duck_store, orders(250))
    recorder = Recorder()
    options = SyncOptions(name, "web", PIXEL, batch_size=100)
    run_sync(duck_store, client_for(FakeEventsAPI()), options, reporter=recorder, now=NOW)
    assert recorder.calls[0] == ("started", 250) and recorder.calls[-1] == ("finished", 250)
    done = [n for kind, n in recorder.calls if kind == "progressed"]
    assert done == sorted(done) and done[-1] == 250


def test_source_and_option_errors_before_sending(duck_store: Store) -> None:
    with pytest.raises(SourceError, match="no table"):
        run_sync(duck_store, None, SyncOptions("nope", "web", PIXEL, dry_run=True))
    with pytest.raises(ConfigError, match="batch size"):
        run_sync(duck_store, None, SyncOptions("x", "web", PIXEL, dry_run=True, batch_size=1001))
    with pytest.raises(ConfigError, match="client is required"):
        run_sync(duck_store, None, SyncOptions("x", "web", PIXEL))
    name = make_table(duck_store, {"email": ["a@b.co"]})
    with pytest.raises(ConfigError, match="event_time"):
        run_sync(duck_store, None, SyncOptions(name, "web", PIXEL, dry_run=True))


def test_arrow_native_types(duck_store: Store, client_for: Callable[..., Any]) -> None:
    """Native timestamps, numbers and list columns go through without text conversion."""
    from datetime import timedelta

    name = make_table(
        duck_store,
        {
            "event": ["AddToCart"],
            "event_time": pa.array([NOW - timedelta(minutes=5)], pa.timestamp("us", tz="UTC")),
            "value": pa.array([19.9], pa.float64()),
            "num_items": pa.array([2], pa.int32()),
            "content_ids": pa.array([["sku-1", "sku-2"]]),
            "url": ["https://s/cart"],
            "event_id": ["c1"],
        },
    )
    api = FakeEventsAPI()
    assert sync(duck_store, client_for(api), name).counts["sent"] == 1
    event = api.bodies[0]["data"][0]
    assert event["event_time"] == NOW_S - 300
    assert event["properties"] == {
        "value": 19.9,
        "num_items": 2,
        "content_ids": ["sku-1", "sku-2"],
        "content_type": "product",
    }


class InterruptAfter(Recorder):
    """Raises KeyboardInterrupt (as Ctrl-C would) in the main thread once enough was done."""

    def __init__(self, after_sent: int) -> None:
        super().__init__()
        self.after_sent = after_sent

    def progressed(self, done: int, counts: Mapping[str, int]) -> None:
        import threading

        main = threading.current_thread() is threading.main_thread()
        if main and counts.get("sent", 0) >= self.after_sent:
            raise KeyboardInterrupt


def test_ctrl_c_records_what_was_sent_and_a_rerun_resumes(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    name = make_table(duck_store, orders(12_000, bad_email_every=3))
    api = FakeEventsAPI()
    options = SyncOptions(name, "web", PIXEL, batch_size=100, concurrency=2)
    with pytest.raises(KeyboardInterrupt):
        run_sync(duck_store, client_for(api), options, reporter=InterruptAfter(200), now=NOW)
    runs = duck_store.fetch(duck_store.table(RUNS_TABLE)).to_pylist()
    assert [(r["status"], r["sent"] > 0) for r in runs] == [("failed", True)]
    assert ledger_counts(duck_store).get("sent") == len(api.event_ids())  # in-flight waited for
    resumed = run_sync(duck_store, client_for(api), options, now=NOW)
    assert resumed.completed and len(api.event_ids()) == 8_000 and api.sent_twice() == 0
    assert resumed.counts["already_sent"] == runs[0]["sent"]


# -- issue 9 §4/§5: declared formats, dropped phones, samples, counts per source row --------------

HOSTILE_EMAIL = "'; DROP TABLE events_runs; --[red]"


def test_declared_formats_constant_url_dropped_phone_and_samples(
    any_store: Store, client_for: Callable[..., Any]
) -> None:
    from tokops.activate.health import compute_health
    from tokops.activate.mapping import FieldMapping
    from tokops.activate.prepare import PHONE_DROPPED
    from tokops.activate.samples import SAMPLES_TABLE

    data = {
        "event": ["Purchase"] * 7,
        "event_id": [f"e{i}" for i in range(7)],
        "event_time": [
            "08/01/2024 14:30",  # 13:30 UTC (Paris is UTC+1 in January)
            "08/01/2024 14:31",
            "08/01/2024 14:32",
            "08/01/2024 14:33",
            "31/02/2024 10:00",  # no such day
            "08/01/2024 14:35",
            "08/01/2024 14:36",
        ],
        "email": ["ann@shop.example", "bob@shop.example", "bob(at)example.com", "c@d.example",
                  "d@e.example", "", HOSTILE_EMAIL],
        "phone": ["+33612345678", "call me", "", "", "", "not a phone", ""],
        "value": ["1 234,50 €", "19,99", "5", "12.5.6", "1", "2", "3"],
    }  # fmt: skip
    name = make_table(any_store, data)
    mapping = FieldMapping(
        constants={"url": "https://shop.example/checkout", "currency": "EUR"},
        event_time_format="day-first",
        timezone="Europe/Paris",
        value_locale="fr",
    )
    api = FakeEventsAPI()
    summary = sync(any_store, client_for(api), name, mapping=mapping)
    assert summary.completed
    assert (summary.counts["sent"], summary.counts["invalid"]) == (2, 5)
    assert summary.notes == [(PHONE_DROPPED, 1)]
    assert summary.time_zone == "Europe/Paris"
    samples = dict(summary.reason_samples)
    assert samples.pop(Reason.BAD_EMAIL) in {"bo…", "';…"}  # the first met: 2 characters
    assert samples == {
        Reason.BAD_VALUE: "12.5.6",
        Reason.BAD_TIME: "31/02/2024 10:00",
        Reason.BAD_PHONE: "no…",
    }
    events = {e["event_id"]: e for body in api.bodies for e in body["data"]}
    assert events["e0"]["event_time"] == NOW_S - 30 * 60
    assert events["e0"]["properties"]["value"] == 1234.5
    assert events["e1"]["properties"]["value"] == 19.99
    assert {e["page"]["url"] for e in events.values()} == {"https://shop.example/checkout"}
    assert "phone" in events["e0"]["user"] and "phone" not in events["e1"]["user"]
    assert events["e1"]["user"]["email"] == hashing.hash_email("bob@shop.example")
    # only redacted samples are stored; the ledger has the note on the sent event
    dump = str(any_store.fetch(any_store.table(LEDGER_TABLE)).to_pylist())
    dump += str(any_store.fetch(any_store.table(SAMPLES_TABLE)).to_pylist())
    for raw in ("bob(at)example.com", "not a phone", "call me", HOSTILE_EMAIL):
        assert raw not in dump
    health = compute_health(any_store, now=NOW)
    (event,) = health.events
    assert event.notes == [(PHONE_DROPPED, 1)]
    assert event.samples[Reason.BAD_VALUE] == "12.5.6"
    assert event.invalid == 5 and event.sent == 2


def test_health_counts_each_source_row_once_by_its_latest_outcome(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    from tokops.activate.health import compute_health

    name = make_table(duck_store, orders(50, bad_email_every=5))
    api = FakeEventsAPI()
    for _ in range(3):  # re-runs record the invalid rows again
        assert sync(duck_store, client_for(api), name).completed
    assert ledger_counts(duck_store)["invalid"] == 30
    (event,) = compute_health(duck_store, now=NOW).events
    assert (event.sent, event.invalid, event.failed) == (40, 10, 0)
    assert event.top_reasons == [("invalid", Reason.BAD_EMAIL, 10)]


def test_failed_rows_sent_later_count_as_sent_and_a_failed_run_adds_up(
    duck_store: Store, client_for: Callable[..., Any]
) -> None:
    from tokops.activate.health import compute_health

    name = make_table(duck_store, orders(500))
    outage = Outage(FakeEventsAPI())
    down = sync(duck_store, client_for(outage, max_retries=1), name, batch_size=100)
    assert not down.completed and down.counts["failed"] >= 100
    outcomes = {k: n for k, n in down.counts.items() if k != "total"}
    assert sum(outcomes.values()) == down.counts["total"] == 500
    assert outcomes.get("not_processed", 0) > 0
    report = compute_health(duck_store, now=NOW)
    (before,) = report.events
    assert before.failed == down.counts["failed"] and before.sent == 0
    last = report.last_run  # the health read-out's "last run" line adds up too
    assert last is not None and last.status == "failed" and last.total == 500
    assert last.counts["not_processed"] == outcomes["not_processed"]
    assert sum(last.counts.values()) == 500
    outage.up = True
    assert sync(duck_store, client_for(outage), name, batch_size=100).completed
    (after,) = compute_health(duck_store, now=NOW).events
    assert (after.sent, after.failed) == (500, 0)


# -- the store under pressure (issue 9 §1) --------------------------------------------------------
_MESSY_ORDERS = """
CREATE TABLE {name} AS
SELECT
    'Purchase' AS event,
    CAST({now} - 60 - i % 86400 AS VARCHAR) AS event_time,
    'ORD-' || lpad(CAST(i AS VARCHAR), 9, '0') AS order_id,
    '  User' || CAST(hash(i) % 400000 AS VARCHAR) || '.Name@Example'
        || CAST(hash(i) % 50 AS VARCHAR) || '.com ' AS email,
    '+336' || lpad(CAST(hash(i) % 100000000 AS VARCHAR), 8, '0') AS phone,
    CAST(5 + (hash(i) % 20000) / 100.0 AS VARCHAR) AS value,
    'EUR' AS currency,
    'https://shop.example/thanks?o=' || CAST(i AS VARCHAR) AS url
FROM range({n}) t(i)
"""


def messy_orders(store: Store, n: int) -> str:
    """*n* purchases as a CRM exports them (padded, capitalised emails), made in SQL."""
    name = store.temp_name("messy")
    store.execute(_MESSY_ORDERS.format(name=name, now=NOW_S, n=int(n)))
    return name


def test_a_small_stream_budget_and_frequent_checkpoints_do_not_break_the_run(
    tmp_path: Path, client_for: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9 §1: the stream's memory budget must be the stream's own, and the ledger writer's
    commits must not trigger checkpoints mid-run. The old code made the budget the instance-wide
    ``memory_limit`` (shared with the writer's connection and its automatic checkpoints: DuckDB's
    "FATAL … autocheckpoint failed … failed to pin block", see the store's test of that); with
    this tiny budget it failed at once ("Out of Memory Error" reading the source). Now the
    budget bounds the stream's own operators (they spill) and the run completes."""
    from tokops.activate import sync as sync_mod
    from tokops.warehouse import connect

    store = connect(f"duckdb://{tmp_path / 'small.duckdb'}")
    try:
        name = messy_orders(store, 50_000)
        store.execute("CHECKPOINT")
        store.execute("SET checkpoint_threshold = '1MB'")
        monkeypatch.setattr(sync_mod, "STREAM_MEMORY_MB", 5)
        monkeypatch.setattr(sync_mod, "LOOKUP_MB_PER_MILLION", 0, raising=False)  # old code
        api = FakeEventsAPI()
        options = SyncOptions(name, "web", PIXEL, batch_size=1000)
        summary = run_sync(store, client_for(api), options, now=NOW)
        assert summary.completed, summary.error
        assert summary.counts["sent"] == 50_000 == len(api.event_ids())
        assert ledger_counts(store) == {"sent": 50_000}
        runs = store.fetch(store.table(RUNS_TABLE)).to_pylist()
        assert [r["status"] for r in runs] == ["completed"]
        wal = tmp_path / "small.duckdb.wal"  # checkpointed when the stream closed: the WAL
        assert not wal.exists() or wal.stat().st_size < 256 * 1024  # holds only the run's end
    finally:
        store.close()
