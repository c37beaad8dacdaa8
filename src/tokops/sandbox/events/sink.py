"""Where accepted events land: the live stream (deduplicated, counted) and the test streams.

Every route that accepts events (Events API 2.0, legacy ``pixel/*``, the pixel simulator) turns
them into :class:`IncomingEvent` tuples and hands them to :meth:`EventSink.ingest` with the
channel they came through. Events carrying a ``test_event_code`` go to a separate test stream
per code: they are neither counted in the live stream nor deduplicated against it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from tokops.sandbox.events.dedup import (
    CHANNEL_SERVER,
    DROPPED,
    KEPT,
    MERGED,
    Deduplicator,
)
from tokops.sandbox.events.validation import (
    FLAG_EMAIL_UNHASHED,
    FLAG_EMPTY_HASH,
    FLAG_PHONE_UNHASHED,
    KEY_EMAIL,
    KEY_PHONE,
    MATCH_KEYS,
)

__all__ = ["TEST", "VERDICT_NAMES", "EventSink", "EventStats", "IncomingEvent"]

TEST: Final = 3
"""Verdict of an event routed to a test stream."""

VERDICT_NAMES: Final = {KEPT: "kept", MERGED: "merged", DROPPED: "dropped", TEST: "test"}

_PRUNE_EVERY_S: Final = 3600.0


class IncomingEvent(NamedTuple):
    """One validated event, reduced to what dedup and diagnostics need."""

    event: str
    event_id: str | None
    event_time: int
    keys: int
    """Match keys present (``validation.KEY_*`` bits)."""
    flags: int
    """Quality flags (``validation.FLAG_*`` bits)."""


@dataclass(slots=True, eq=False)
class EventStats:
    """Live-stream counters for one (event source, event name)."""

    received_server: int = 0
    received_browser: int = 0
    server_only: int = 0
    browser_only: int = 0
    both: int = 0
    merged: int = 0
    dropped: int = 0
    key_counts: list[int] = field(default_factory=lambda: [0] * len(MATCH_KEYS))
    email_events: int = 0
    email_unhashed: int = 0
    phone_events: int = 0
    phone_unhashed: int = 0
    empty_hashes: int = 0
    last_received: float = 0.0

    @property
    def received(self) -> int:
        return self.received_server + self.received_browser

    @property
    def kept(self) -> int:
        return self.server_only + self.browser_only + self.both

    def add_keys(self, keys: int) -> None:
        if keys:
            counts = self.key_counts
            for i, (_, bit) in enumerate(MATCH_KEYS):
                if keys & bit:
                    counts[i] += 1


class EventSink:
    """The sandbox's memory of events: dedup state, per-event counters and test streams."""

    def __init__(self, test_events_kept: int = 10_000) -> None:
        self.dedup = Deduplicator()
        self.stats: dict[str, dict[str, EventStats]] = {}
        self.test_streams: dict[tuple[str, str], deque[dict[str, Any]]] = {}
        self._test_events_kept = test_events_kept
        self._last_prune = 0.0

    def ingest(
        self,
        source_id: str,
        events: Iterable[IncomingEvent],
        channel: int,
        at: float,
        test_event_code: str | None = None,
    ) -> list[int]:
        """Take events that arrived at *at* (unix seconds); returns one verdict per event."""
        if test_event_code is not None:
            return self._ingest_test(source_id, events, channel, at, test_event_code)
        if at - self._last_prune >= _PRUNE_EVERY_S:
            self.dedup.prune(at)
            self._last_prune = at
        per_event = self.stats.setdefault(source_id, {})
        observe = self.dedup.observe
        server = channel == CHANNEL_SERVER
        verdicts: list[int] = []
        for ev in events:
            st = per_event.get(ev.event)
            if st is None:
                st = per_event[ev.event] = EventStats()
            if server:
                st.received_server += 1
            else:
                st.received_browser += 1
            st.last_received = at
            keys, flags = ev.keys, ev.flags
            if flags or keys & (KEY_EMAIL | KEY_PHONE):
                self._quality(st, keys, flags)
            if ev.event_id is None:
                verdict, first_channel, added = KEPT, channel, 0
            else:
                verdict, first_channel, added = observe(
                    (source_id, ev.event, ev.event_id), channel, keys, at
                )
            if verdict == KEPT:
                if server:
                    st.server_only += 1
                else:
                    st.browser_only += 1
                st.add_keys(keys)
            elif verdict == MERGED:
                st.merged += 1
                if first_channel == CHANNEL_SERVER:
                    st.server_only -= 1
                else:
                    st.browser_only -= 1
                st.both += 1
                st.add_keys(added)
            else:
                st.dropped += 1
            verdicts.append(verdict)
        return verdicts

    @staticmethod
    def _quality(st: EventStats, keys: int, flags: int) -> None:
        if keys & KEY_EMAIL or flags & FLAG_EMAIL_UNHASHED:
            st.email_events += 1
            if flags & FLAG_EMAIL_UNHASHED:
                st.email_unhashed += 1
        if keys & KEY_PHONE or flags & FLAG_PHONE_UNHASHED:
            st.phone_events += 1
            if flags & FLAG_PHONE_UNHASHED:
                st.phone_unhashed += 1
        if flags & FLAG_EMPTY_HASH:
            st.empty_hashes += 1

    def _ingest_test(
        self,
        source_id: str,
        events: Iterable[IncomingEvent],
        channel: int,
        at: float,
        code: str,
    ) -> list[int]:
        stream = self.test_streams.get((source_id, code))
        if stream is None:
            stream = self.test_streams[(source_id, code)] = deque(maxlen=self._test_events_kept)
        label = "server" if channel == CHANNEL_SERVER else "browser"
        count = 0
        for ev in events:
            stream.append(
                {
                    "event": ev.event,
                    "event_id": ev.event_id,
                    "event_time": ev.event_time,
                    "received_at": int(at),
                    "test_event_code": code,
                    "connection_method": label,
                    "match_keys": [name for name, bit in MATCH_KEYS if ev.keys & bit],
                }
            )
            count += 1
        return [TEST] * count
