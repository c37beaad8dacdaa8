"""``SyncResult.by_stream``: the per-stream lines of ``tokops sync``'s summary (KPI-6)."""

from __future__ import annotations

from datetime import UTC, datetime

from tokops.ingest.summary import StreamResult, StreamTotals, SyncResult


def _result(*streams: StreamResult) -> SyncResult:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return SyncResult("r1", "ads", "failed", now, now, 1.0, streams=list(streams))


def test_each_stream_adds_up_over_its_scopes_in_first_seen_order() -> None:
    result = _result(
        StreamResult("ad_daily", "a1", "ok", 10, 1, 2, "2026-01-03", "2026-01-05"),
        StreamResult("objects", "a1", "skipped", error="no access"),
        StreamResult("ad_daily", "a2", "failed", 5, 1, 3, "2026-01-01", "2026-01-04"),
        StreamResult("ad_daily", "a3", "cancelled", 0, 0, 1),
    )
    assert result.by_stream() == [
        StreamTotals("ad_daily", 1, 0, 2, 15, 6, "2026-01-01", "2026-01-05"),
        StreamTotals("objects", 0, 1, 0, 0, 0, None, None),
    ]


def test_a_run_without_streams_has_no_lines() -> None:
    assert _result().by_stream() == []
