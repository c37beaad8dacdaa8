"""What a sync reports: per-stream outcomes, a run summary, and the progress protocol.

The library never prints: the runner tells an :class:`IngestReporter` what happens (the CLI
draws progress bars from it) and returns a :class:`SyncResult` the CLI renders as a table or
JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

import orjson

from tokops.tiktok.marketing import DateWindow

__all__ = [
    "IngestReporter",
    "NullIngestReporter",
    "StreamResult",
    "StreamStatus",
    "StreamTotals",
    "SyncResult",
]

StreamStatus = Literal["pending", "running", "ok", "failed", "skipped", "cancelled"]


@dataclass
class StreamResult:
    """The outcome of one stream of one scope (an advertiser, account or store)."""

    stream: str
    scope_id: str
    status: StreamStatus = "pending"
    rows: int = 0
    windows: int = 0
    calls: int = 0
    first_day: str | None = None
    last_day: str | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.stream}:{self.scope_id}"

    def add_window(self, window: DateWindow | None, rows: int) -> None:
        self.rows += rows
        if window is None:
            return
        self.windows += 1
        start, end = window.start.isoformat(), window.end.isoformat()
        self.first_day = min(self.first_day or start, start)
        self.last_day = max(self.last_day or end, end)


@dataclass(frozen=True)
class StreamTotals:
    """One stream over every scope of a run (a line of ``tokops sync``'s summary)."""

    stream: str
    ok: int
    skipped: int
    failed: int
    """Failed or cancelled."""
    rows: int
    calls: int
    first_day: str | None
    last_day: str | None


@dataclass
class SyncResult:
    """A finished (or interrupted) run."""

    run_id: str
    command: str
    status: Literal["ok", "failed", "interrupted"]
    started_at: datetime
    finished_at: datetime
    seconds: float
    streams: list[StreamResult] = field(default_factory=list)
    api_calls: int = 0
    api_busy_s: float = 0.0
    """Wall time with a call in flight or a thread held back by the rate limit."""
    limiter_wait_s: float = 0.0
    store_s: float = 0.0
    """Time the writer spent merging into the store (it overlaps the API calls)."""
    store_stall_s: float = 0.0
    """Wall time with a worker held back because the writer (the store) was behind."""
    dropped_metrics: dict[str, list[str]] = field(default_factory=dict)
    """Metrics the API refused per stream (their columns stay NULL)."""

    @property
    def completed(self) -> bool:
        return self.status == "ok"

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.streams)

    @property
    def api_share(self) -> float:
        """Share of the wall time that belonged to the API (0..1)."""
        return min(1.0, self.api_busy_s / self.seconds) if self.seconds > 0 else 0.0

    def failed(self) -> list[StreamResult]:
        return [s for s in self.streams if s.status in ("failed", "cancelled")]

    def by_stream(self) -> list[StreamTotals]:
        """Each stream's totals over its scopes, in the order the streams first ran."""
        scopes: dict[str, list[StreamResult]] = {}
        for res in self.streams:
            scopes.setdefault(res.stream, []).append(res)
        return [_totals(stream, results) for stream, results in scopes.items()]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["started_at"] = self.started_at.isoformat()
        out["finished_at"] = self.finished_at.isoformat()
        out["rows"] = self.rows
        out["api_share"] = round(self.api_share, 4)
        out["seconds"] = round(self.seconds, 3)
        out["api_busy_s"] = round(self.api_busy_s, 3)
        out["limiter_wait_s"] = round(self.limiter_wait_s, 3)
        out["store_s"] = round(self.store_s, 3)
        out["store_stall_s"] = round(self.store_stall_s, 3)
        return out

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode()


def _totals(stream: str, results: list[StreamResult]) -> StreamTotals:
    firsts = [r.first_day for r in results if r.first_day]
    lasts = [r.last_day for r in results if r.last_day]
    return StreamTotals(
        stream=stream,
        ok=sum(1 for r in results if r.status == "ok"),
        skipped=sum(1 for r in results if r.status == "skipped"),
        failed=sum(1 for r in results if r.status in ("failed", "cancelled")),
        rows=sum(r.rows for r in results),
        calls=sum(r.calls for r in results),
        first_day=min(firsts) if firsts else None,
        last_day=max(lasts) if lasts else None,
    )


class IngestReporter(Protocol):
    """Told what a sync does, from the writer's thread (so a UI needs no locking)."""

    def started(self, run_id: str, tasks: Sequence[StreamResult]) -> None: ...

    def merged(self, result: StreamResult, window: DateWindow | None, rows: int) -> None: ...

    def task_finished(self, result: StreamResult) -> None: ...

    def finished(self, result: SyncResult) -> None: ...


class NullIngestReporter:
    """Reports nothing."""

    def started(self, run_id: str, tasks: Sequence[StreamResult]) -> None:
        return None

    def merged(self, result: StreamResult, window: DateWindow | None, rows: int) -> None:
        return None

    def task_finished(self, result: StreamResult) -> None:
        return None

    def finished(self, result: SyncResult) -> None:
        return None
