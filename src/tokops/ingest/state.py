"""Sync state: per-stream cursors, per-window checkpoints and runs (resume after a crash).

A stream (``ad_daily``, ``audience_age`` …) of one scope (an advertiser, an account, a store) is
pulled in date windows, oldest first. Each window's rows are merged in one transaction together
with its checkpoint (an ``ingest_windows`` row) and the stream's cursor (``ingest_cursors``), so
after a crash the store holds exactly the windows whose checkpoint it holds.

The cursor keeps three days:

- ``synced_from`` / ``synced_through``: the range pulled so far;
- ``settled_through``: every day up to it was pulled **after its look-back had passed** (on a
  local day at least ``lookback_days + 1`` days later), so TikTok will not restate it any more.

The next sync starts the day after ``settled_through``: the days still open to restatement are
pulled again (and replaced), the days after the cursor are pulled for the first time, and a run
that crashed half-way through a backfill resumes where its last committed window ended. Asking
for an earlier ``--since`` than ``synced_from`` starts a new range from there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from tokops.warehouse import schema
from tokops.warehouse.merge import RowUpsert

if TYPE_CHECKING:
    from tokops.tiktok.marketing import DateWindow
    from tokops.warehouse import Store

__all__ = [
    "CURSORS",
    "DEFAULT_HISTORY_DAYS",
    "DEFAULT_LOOKBACK_DAYS",
    "RUNS",
    "WINDOWS",
    "Cursor",
    "CursorBook",
    "advance",
    "plan_range",
]

CURSORS: Final = schema.INGEST_CURSORS.name
WINDOWS: Final = schema.INGEST_WINDOWS.name
RUNS: Final = schema.INGEST_RUNS.name
DEFAULT_LOOKBACK_DAYS: Final = 7
"""Days re-pulled on every sync for restated conversions (TikTok's default click window)."""
DEFAULT_HISTORY_DAYS: Final = 90
"""Days pulled by the first sync of a stream when no ``since`` is given."""


@dataclass(frozen=True)
class Cursor:
    stream: str
    scope_id: str
    synced_from: date
    synced_through: date
    settled_through: date
    """``synced_from - 1`` until a day is settled."""

    def row(self, now: datetime) -> RowUpsert:
        return RowUpsert(
            CURSORS,
            schema.INGEST_CURSORS.key,
            {
                "stream": self.stream,
                "scope_id": self.scope_id,
                "synced_from": self.synced_from,
                "synced_through": self.synced_through,
                "settled_through": self.settled_through,
                "updated_at": now,
            },
        )


def advance(
    cursor: Cursor | None,
    stream: str,
    scope_id: str,
    window: DateWindow,
    *,
    today: date,
    lookback_days: int,
) -> Cursor:
    """The cursor after *window* was pulled on local day *today* (see the module doc)."""
    settled = min(window.end, today - timedelta(days=lookback_days + 1))
    if cursor is None or window.start < cursor.synced_from:
        return Cursor(
            stream,
            scope_id,
            window.start,
            window.end,
            max(window.start - timedelta(days=1), settled),
        )
    through = max(cursor.synced_through, window.end)
    if window.start <= cursor.settled_through + timedelta(days=1):
        return replace(
            cursor, synced_through=through, settled_through=max(cursor.settled_through, settled)
        )
    return replace(cursor, synced_through=through)


def plan_range(
    cursor: Cursor | None,
    *,
    today: date,
    since: date | None,
    history_days: int = DEFAULT_HISTORY_DAYS,
    max_history_days: int | None = None,
) -> tuple[date, date] | None:
    """The days a sync pulls for one stream (``None`` when there is nothing to pull)."""
    if cursor is None:
        start = since or today - timedelta(days=history_days - 1)
    elif since is not None and since < cursor.synced_from:
        start = since
    else:
        start = cursor.settled_through + timedelta(days=1)
        if since is not None:
            start = max(start, since)
    if max_history_days is not None:
        start = max(start, today - timedelta(days=max_history_days - 1))
    return (start, today) if start <= today else None


def window_row(
    stream: str, scope_id: str, window: DateWindow, rows: int, run_id: str, now: datetime
) -> RowUpsert:
    """The checkpoint of one merged window."""
    return RowUpsert(
        WINDOWS,
        schema.INGEST_WINDOWS.key,
        {
            "stream": stream,
            "scope_id": scope_id,
            "window_start": window.start,
            "window_end": window.end,
            "row_count": rows,
            "run_id": run_id,
            "synced_at": now,
        },
    )


class CursorBook:
    """The cursors of every stream, read once from the store and kept current by the writer."""

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self._cursors: dict[tuple[str, str], Cursor] = {}
        for row in rows or []:
            cur = Cursor(
                row["stream"],
                row["scope_id"],
                row["synced_from"],
                row["synced_through"],
                row["settled_through"],
            )
            self._cursors[(cur.stream, cur.scope_id)] = cur

    @classmethod
    def load(cls, store: Store) -> CursorBook:
        if not store.exists(CURSORS):
            return cls()
        return cls(store.fetch(store.table(CURSORS)).to_pylist())

    def get(self, stream: str, scope_id: str) -> Cursor | None:
        return self._cursors.get((stream, scope_id))

    def put(self, cursor: Cursor) -> None:
        self._cursors[(cursor.stream, cursor.scope_id)] = cursor
