"""What the demo reports: its options, each step's outcome, and the reporter protocol.

:func:`tokops.demo.run.run_demo` fills these; the CLI (``tokops demo run``) renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tokops.demo.shop import DEFAULT_ORDERS, DEFAULT_SEED, Shop
from tokops.demo.truth import FileTruth

if TYPE_CHECKING:
    from tokops.activate.audiences import AudienceSyncResult
    from tokops.activate.health import HealthReport
    from tokops.activate.summary import SyncReporter, SyncSummary
    from tokops.ingest.summary import SyncResult as IngestResult

__all__ = [
    "DemoOptions",
    "DemoReporter",
    "DemoResult",
    "NullDemoReporter",
    "PixelPosting",
    "SourceRun",
]


@dataclass(frozen=True)
class DemoOptions:
    folder: Path = Path("demo-out")
    orders: int = DEFAULT_ORDERS
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class PixelPosting:
    """What playing the browser events into the sandbox gave."""

    events: int
    requests: int
    outcomes: dict[str, int]
    """The sandbox's verdict per browser event (``kept``, ``merged``, ``dropped``)."""


@dataclass(frozen=True)
class SourceRun:
    """One of the three syncs: what was sent, from where, and what the shop's truth expects."""

    title: str
    source: str
    """What ``run_sync`` was given: a file path or a table name."""
    event_source: str
    event_source_id: str
    mapping_note: str
    truth: FileTruth
    summary: SyncSummary

    def expected_counts(self) -> dict[str, int]:
        """The sync counts a correct product reports for this file (malformed lines count as
        invalid: they are recorded in the ledger with their line number)."""
        t = self.truth
        return {"sent": t.sent, "invalid": t.invalid + t.unreadable, "duplicate": t.duplicate}

    def actual_counts(self) -> dict[str, int]:
        c = self.summary.counts
        return {key: c.get(key, 0) for key in ("sent", "invalid", "duplicate")}

    @property
    def matches_truth(self) -> bool:
        return self.expected_counts() == self.actual_counts()


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    shop: Shop
    sandbox_url: str
    pixel: PixelPosting
    runs: list[SourceRun]
    health: HealthReport
    audience: AudienceSyncResult | None
    audience_note: str
    seconds: float
    ingest: list[IngestResult] = field(default_factory=list)
    """Step 9: the ads and organic pulls from the sandbox's Marketing API."""

    @property
    def matches_truth(self) -> bool:
        return all(r.matches_truth for r in self.runs)

    @property
    def completed(self) -> bool:
        """Every count matches the ground truth and every sync ran to its end."""
        return self.matches_truth and all(r.summary.completed for r in self.runs)

    @property
    def sent(self) -> int:
        """Events the three syncs sent."""
        return sum(r.summary.counts.get("sent", 0) for r in self.runs)

    def to_dict(self) -> dict[str, object]:
        """The outcome as plain data (``tokops demo run --json``)."""
        return {
            "folder": str(self.folder),
            "seconds": round(self.seconds, 3),
            "matches_truth": self.matches_truth,
            "shop": self.shop.as_dict(),
            "pixel": {
                "events": self.pixel.events,
                "requests": self.pixel.requests,
                "outcomes": self.pixel.outcomes,
            },
            "syncs": [
                {
                    "source": r.source,
                    "event_source": r.event_source,
                    "event_source_id": r.event_source_id,
                    "expected": r.expected_counts(),
                    "summary": r.summary.to_dict(),
                }
                for r in self.runs
            ],
            "health": self.health.to_dict(),
            "audience": None if self.audience is None else self.audience.to_dict(),
            "audience_note": self.audience_note,
            "ingest": [r.to_dict() for r in self.ingest],
        }


class DemoReporter(Protocol):
    """What the demo tells its caller while it runs (the CLI prints it)."""

    def step(self, number: int, title: str, explanation: str) -> None: ...

    def shop_ready(self, shop: Shop) -> None: ...

    def sandbox_ready(self, url: str, workspace: Path) -> None: ...

    def pixel_done(self, posting: PixelPosting) -> None: ...

    def sync_reporter(self) -> SyncReporter | None: ...

    def sync_done(self, run: SourceRun) -> None: ...

    def health_done(self, report: HealthReport) -> None: ...

    def audience_done(self, result: AudienceSyncResult | None, note: str) -> None: ...

    def ingest_done(self, results: list[IngestResult]) -> None: ...


class NullDemoReporter:
    """Reports nothing (library use and tests)."""

    def step(self, number: int, title: str, explanation: str) -> None:
        return None

    def shop_ready(self, shop: Shop) -> None:
        return None

    def sandbox_ready(self, url: str, workspace: Path) -> None:
        return None

    def pixel_done(self, posting: PixelPosting) -> None:
        return None

    def sync_reporter(self) -> SyncReporter | None:
        return None

    def sync_done(self, run: SourceRun) -> None:
        return None

    def health_done(self, report: HealthReport) -> None:
        return None

    def audience_done(self, result: AudienceSyncResult | None, note: str) -> None:
        return None

    def ingest_done(self, results: list[IngestResult]) -> None:
        return None
