"""What the runner schedules: tasks that pull one stream of one scope and yield chunks to merge.

A :class:`Task` runs on a worker thread and talks to the API only; every :class:`Chunk` it yields
is merged by the single writer (the thread that owns the store connection) in one transaction,
with the window's checkpoint. Tasks never touch the store.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tokops.errors import (
    APIError,
    ConfigError,
    HTTPStatusError,
    NotFoundError,
    ParameterError,
    PermissionDeniedError,
    TokopsError,
)
from tokops.ingest.state import DEFAULT_HISTORY_DAYS, DEFAULT_LOOKBACK_DAYS, CursorBook

if TYPE_CHECKING:
    import pyarrow as pa

    from tokops.tiktok.marketing import DateWindow, MarketingClient
    from tokops.warehouse.merge import Scope

__all__ = [
    "Chunk",
    "MetricGuard",
    "SkipStream",
    "StopRequested",
    "Task",
    "TaskContext",
    "invalid_metrics",
    "local_today",
    "optional_failure",
]

_INVALID: Final = re.compile(r"Invalid metric fields?:\s*\[([^\]]*)\]", re.IGNORECASE)


class StopRequested(TokopsError):
    """The run is stopping (Ctrl-C or a fatal error elsewhere): the task ends early."""


class SkipStream(TokopsError):
    """The stream does not apply to this scope (no permission, no such feature): not a failure."""


@dataclass
class Chunk:
    """Rows to merge into one table in one transaction."""

    table: str
    batches: list[pa.RecordBatch]
    rows: int
    scope: Scope | None = None
    """Target rows replaced by the chunk (a window); ``None`` merges by key only."""
    window: DateWindow | None = None
    """The date window pulled, for the checkpoint and the cursor."""
    today: date | None = None
    """The scope's local day when the window was pulled (settles restated days)."""
    cursor_id: str | None = None
    """Scope of the window's cursor when it is not the task's (e.g. a store of an advertiser)."""


@dataclass(frozen=True)
class Task:
    """One stream of one scope: ``run`` yields chunks; ``after`` names a stream of the same
    scope that must finish first."""

    stream: str
    scope_id: str
    run: Callable[[TaskContext], Iterator[Chunk]]
    after: str | None = None
    optional: bool = False
    """Permission or feature errors skip the stream instead of failing it."""

    @property
    def label(self) -> str:
        return f"{self.stream}:{self.scope_id}"


def local_today(now: datetime, timezone: str | None) -> date:
    """The current day in *timezone* (an IANA name; UTC when unknown)."""
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {timezone!r} reported by TikTok") from None
    return now.astimezone(zone).date()


def invalid_metrics(exc: APIError) -> list[str]:
    """Metric names a 40002 "Invalid metric fields: [...]" answer lists (empty otherwise)."""
    if exc.code != 40002:
        return []
    found = _INVALID.search(exc.message or "")
    if not found:
        return []
    return [n.strip().strip("'\"") for n in found.group(1).split(",") if n.strip().strip("'\"")]


def optional_failure(exc: BaseException) -> bool:
    """True for errors that mean "not available for this scope" (an optional stream is skipped)."""
    if isinstance(exc, PermissionDeniedError | NotFoundError | SkipStream):
        return True
    if isinstance(exc, ParameterError) and exc.code == 40002 and not invalid_metrics(exc):
        return True  # Airbyte/Singer skip audience streams an account has no access to
    return isinstance(exc, HTTPStatusError) and exc.status == 404


class MetricGuard:
    """Metrics each stream asks for, minus those the API refused once (shared by threads).

    The real API and the sandbox may not know every metric of the catalogue; a 40002
    ``Invalid metric fields: [...]`` answer drops those for the rest of the run (their columns
    stay NULL) instead of failing the stream.
    """

    def __init__(self) -> None:
        self._dropped: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def metrics(self, stream: str, wanted: Sequence[str]) -> tuple[str, ...]:
        with self._lock:
            dropped = self._dropped.get(stream, set())
            return tuple(m for m in wanted if m not in dropped)

    def drop(self, stream: str, names: Sequence[str], asked: Sequence[str]) -> bool:
        """Forget *names* for *stream*; False when none of them was asked (do not loop)."""
        with self._lock:
            bad = set(names) & set(asked)
            if not bad:
                return False
            self._dropped.setdefault(stream, set()).update(bad)
            return True

    def dropped(self) -> dict[str, list[str]]:
        with self._lock:
            return {k: sorted(v) for k, v in self._dropped.items() if v}


@dataclass
class TaskContext:
    """What every task shares: the client, the options of the run and a few registries."""

    client: MarketingClient
    cursors: CursorBook
    now: Callable[[], datetime]
    since: date | None = None
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    history_days: int = DEFAULT_HISTORY_DAYS
    max_window_days: int | None = None
    page_size: int = 1000
    guard: MetricGuard = field(default_factory=MetricGuard)
    stop: threading.Event = field(default_factory=threading.Event)
    shared: dict[str, Any] = field(default_factory=dict)
    """Results one task leaves for the tasks that run ``after`` it (e.g. the object tree)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise StopRequested("stopping")

    def put(self, key: str, value: Any) -> None:
        with self.lock:
            self.shared[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        with self.lock:
            return self.shared.get(key, default)
