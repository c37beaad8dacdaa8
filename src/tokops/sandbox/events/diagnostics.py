"""Events-Manager-like read-outs (EVT-6): per-event health of one event source, and test events.

``GET /sandbox/diagnostics/?event_source_id=ID`` answers, per event name (live stream only):

- ``total_received`` and ``received`` by channel (``server`` = Events API, ``browser`` = pixel);
- ``connection_method`` of the events kept: ``server_only`` / ``browser_only`` /
  ``server_and_browser`` (a merge), as Events Manager shows them;
- ``deduplication``: ``kept``, ``merged`` (later arrivals folded into the first), ``dropped``;
- ``match_key_coverage``: share of kept events carrying each key (after merge enrichment);
- ``not_hashed``: share of events with an email / phone that is not a 64-hex digest, and
  ``empty_string_hashes``: events carrying SHA-256("") (a hashing bug, never a match key);
- ``last_received`` (unix seconds) and ``status``: "Active" when received in the last 7 days,
  else "No recent activity" (``events_api.md`` §7).

Shares are rounded to 4 decimals; 0.0 when there is nothing to divide by.
"""

from __future__ import annotations

from typing import Any, Final

from tokops.sandbox.events.sink import EventSink, EventStats
from tokops.sandbox.events.validation import MATCH_KEYS

__all__ = ["ACTIVE_WINDOW_S", "diagnostics_report", "event_report", "read_test_events"]

ACTIVE_WINDOW_S: Final = 7 * 86400


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def event_report(name: str, st: EventStats, now_s: float) -> dict[str, Any]:
    """The read-out of one event name."""
    kept = st.kept
    return {
        "event": name,
        "status": "Active" if now_s - st.last_received < ACTIVE_WINDOW_S else "No recent activity",
        "total_received": st.received,
        "last_received": int(st.last_received),
        "received": {"server": st.received_server, "browser": st.received_browser},
        "connection_method": {
            "server_only": st.server_only,
            "browser_only": st.browser_only,
            "server_and_browser": st.both,
        },
        "deduplication": {"kept": kept, "merged": st.merged, "dropped": st.dropped},
        "match_key_coverage": {
            key: _share(st.key_counts[i], kept) for i, (key, _) in enumerate(MATCH_KEYS)
        },
        "not_hashed": {
            "email": _share(st.email_unhashed, st.email_events),
            "phone": _share(st.phone_unhashed, st.phone_events),
        },
        "empty_string_hashes": st.empty_hashes,
    }


def diagnostics_report(sink: EventSink, source_id: str, now_s: float) -> dict[str, Any]:
    """The whole read-out of one event source, events sorted by name."""
    per_event = sink.stats.get(source_id, {})
    events = [event_report(n, per_event[n], now_s) for n in sorted(per_event)]
    return {
        "event_source_id": source_id,
        "events": events,
        "total_received": sum(e["total_received"] for e in events),
    }


def read_test_events(sink: EventSink, source_id: str, code: str | None) -> dict[str, Any]:
    """Events of one test stream (or of every code of the source), oldest first."""
    rows: list[dict[str, Any]] = []
    for (sid, stream_code), stream in sorted(sink.test_streams.items()):
        if sid == source_id and (code is None or stream_code == code):
            rows.extend(stream)
    return {"event_source_id": source_id, "test_event_code": code, "list": rows}
