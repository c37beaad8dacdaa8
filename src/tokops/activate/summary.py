"""The outcome of a sync and the reporter interface the CLI plugs its progress bar into.

Library code never prints (style anchor §9): :func:`tokops.activate.sync.run_sync` calls a
:class:`SyncReporter` while it works and returns a :class:`SyncSummary`; the CLI renders both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

import orjson

__all__ = ["NullReporter", "SyncReporter", "SyncSummary"]


@dataclass(frozen=True)
class SyncSummary:
    """What a run did. ``counts`` keys: ``total, sent, invalid, rejected, duplicate, failed,
    already_sent`` (and ``would_send`` for a dry run, ``not_processed`` for the rows a run that
    stopped early did not reach): the outcomes always add up to ``total``."""

    run_id: str
    status: Literal["completed", "failed"]
    dry_run: bool
    counts: dict[str, int]
    top_reasons: list[tuple[str, int]]
    seconds: float
    events_per_s: float
    """Events sent (validated, for a dry run) per second of wall time."""
    error: str | None = None
    """Why the run could not complete (None when it completed)."""
    rejected_lines: list[tuple[int, str]] = field(default_factory=list)
    """First CSV lines that could not be parsed: (line number, problem)."""
    sample_event: dict[str, Any] | None = None
    """One event as it would be sent (dry run only; match keys are already hashed)."""
    reason_samples: dict[str, str] = field(default_factory=dict)
    """Reason → one redacted sample of a value rejected for it (never a whole email/phone)."""
    notes: list[tuple[str, int]] = field(default_factory=list)
    """Notes on events kept (e.g. ``phone dropped: invalid``) and how many events carry each."""
    time_zone: str | None = None
    """The zone times written without one were read in (None when the times carry a zone or
    are unix numbers)."""

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["completed"] = self.completed
        out["top_reasons"] = [
            {"reason": r, "count": n, "sample": self.reason_samples.get(r)}
            for r, n in self.top_reasons
        ]
        out["notes"] = [{"note": r, "count": n} for r, n in self.notes]
        out["rejected_lines"] = [{"line": n, "problem": p} for n, p in self.rejected_lines]
        return out

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode()


class SyncReporter(Protocol):
    """Progress callbacks. ``progressed`` may come from worker threads, one call at a time."""

    def started(self, run_id: str, total: int, dry_run: bool) -> None: ...

    def progressed(self, done: int, counts: Mapping[str, int]) -> None: ...

    def finished(self, summary: SyncSummary) -> None: ...


class NullReporter:
    """Reports nothing."""

    def started(self, run_id: str, total: int, dry_run: bool) -> None:
        return None

    def progressed(self, done: int, counts: Mapping[str, int]) -> None:
        return None

    def finished(self, summary: SyncSummary) -> None:
        return None
