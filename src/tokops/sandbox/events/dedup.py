"""Pixel ↔ Events API deduplication (EVT-7), as TikTok documents it (``events_api.md`` §6).

Key: ``(event_source_id, event, event_id)``. Windows are measured from the **first** arrival
of a key (arrival time at TikTok, not ``event_time``):

============================  =====================  ==========================================
later arrival                 time since the first   outcome
============================  =====================  ==========================================
same channel (pixel↔pixel,    < 48 h                 dropped (deduplicated)
server↔server)
other channel                 ≤ 5 min                merged: the first is kept and enriched with
                                                     the other's extra match keys
other channel                 > 5 min and < 48 h     dropped (TikTok "records the first event")
any                           ≥ 48 h                 a new event (the window starts again)
============================  =====================  ==========================================

Boundaries are our choice where TikTok's text says "within": 5 min counts as merged, exactly
48 h counts as new. Events **without** ``event_id`` are never deduplicated (TikTok's
``_ttp``-based fallback is [UNCONFIRMED] and not emulated).

State per key is one small tuple ``(first_at, first_channel, channels_seen, match_keys)``.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CHANNEL_BROWSER",
    "CHANNEL_SERVER",
    "DROPPED",
    "KEPT",
    "MERGED",
    "MERGE_WINDOW_S",
    "SAME_EVENT_WINDOW_S",
    "Deduplicator",
]

CHANNEL_SERVER: Final = 1
CHANNEL_BROWSER: Final = 2

KEPT: Final = 0
MERGED: Final = 1
DROPPED: Final = 2

MERGE_WINDOW_S: Final = 5 * 60
SAME_EVENT_WINDOW_S: Final = 48 * 3600

DedupKey = tuple[str, str, str]
_Entry = tuple[float, int, int, int]


class Deduplicator:
    """Decides, per arrival, whether an event is kept, merged into an earlier one, or dropped."""

    def __init__(self) -> None:
        self._entries: dict[DedupKey, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def observe(self, key: DedupKey, channel: int, keys: int, at: float) -> tuple[int, int, int]:
        """Record one arrival at *at* (unix seconds) on *channel* carrying match-key bits *keys*.

        Returns ``(verdict, first_channel, added_keys)``: *added_keys* are the match keys the
        first event gained from a merge (0 otherwise).
        """
        entry = self._entries.get(key)
        if entry is None or at - entry[0] >= SAME_EVENT_WINDOW_S:
            self._entries[key] = (at, channel, channel, keys)
            return KEPT, channel, 0
        first_at, first_channel, seen, have = entry
        if seen & channel:
            return DROPPED, first_channel, 0
        if at - first_at <= MERGE_WINDOW_S:
            self._entries[key] = (first_at, first_channel, seen | channel, have | keys)
            return MERGED, first_channel, keys & ~have
        return DROPPED, first_channel, 0

    def prune(self, now: float) -> int:
        """Forget keys whose 48 h window is over (they would start afresh anyway)."""
        stale = [k for k, e in self._entries.items() if now - e[0] >= SAME_EVENT_WINDOW_S]
        for k in stale:
            del self._entries[k]
        return len(stale)
