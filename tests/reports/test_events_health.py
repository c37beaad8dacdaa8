"""The events-health report shows what ``tokops events health`` reads from the ledger (EVT-6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from tokops.activate.ledger import append_rows, ledger_schema
from tokops.reports import build_report, render_report, resolve_range
from tokops.reports.figures import HealthFigure
from tokops.warehouse import Store

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
KEYS = ("email", "phone", "external_id", "ttclid", "ttp", "ip_ua")


def _row(
    status: str, event_id: str | None, keys: tuple[str, ...] = KEYS, **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run_id": "r1",
        "event_source": "web",
        "event_source_id": "CTOKOPSDEMOPIXEL0001",
        "event": "Purchase",
        "event_id": event_id,
        "event_time": 1_750_000_000,
        "status": status,
        "reason": None,
        "attempts": 1,
        "api_code": 0 if status == "sent" else None,
        "request_id": None,
        "test_event_code": None,
        "recorded_at": NOW - timedelta(hours=2),
    }
    row.update({f"has_{k}": k in keys for k in KEYS})
    row.update(extra)
    return row


def test_events_health_lists_each_event_with_its_score(duck_store: Store) -> None:
    rows = [
        _row("sent", "order-1"),
        _row("sent", "order-2", keys=("email",)),
        _row("rejected", "order-3", reason="40002 Invalid value for data.0.<b>event_id</b>"),
    ]
    append_rows(duck_store, pa.Table.from_pylist(rows, schema=ledger_schema()))
    rng = resolve_range("last-7-complete-days", today=date(2025, 6, 30))
    report = build_report(duck_store, "events-health", rng, now=NOW)
    health = report.figures[0]
    assert isinstance(health, HealthFigure) and health.error is None
    [(source, event, sent, invalid, rejected, failed, score, ready)] = health.rows
    assert (source, event, sent, invalid, rejected, failed) == (
        "web",
        "Purchase",
        "2",
        "0",
        "1",
        "0",
    )
    assert score.endswith(")") and ready == "100.00%"  # both ids came from the source
    html = render_report(report, "html").decode()
    assert '<td class="">Purchase</td>' in html
    assert "rejected 1×: 40002 Invalid value for data.0.&lt;b&gt;event_id&lt;/b&gt;" in html
    assert "<b>" not in html  # a reason from the API is text
