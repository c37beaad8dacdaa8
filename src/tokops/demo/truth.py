"""The ground truth a generated shop carries: what a correct sync must report for each file.

Every dirty row the generator writes has exactly one problem, so its expected outcome does not
depend on the order in which a sync runs its checks. Duplicates are exact copies of valid rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

__all__ = ["FileTruth", "Outcome", "PixelTruth", "tally"]

Outcome = Literal["sent", "invalid", "duplicate", "unreadable"]


@dataclass(frozen=True)
class FileTruth:
    """Expected sync counts for one source file."""

    source: str
    """Short name: ``orders``, ``crm_leads`` or ``store_sales``."""
    file: str
    """File name inside the shop folder."""
    rows: int
    """Data records written (a malformed CSV line counts as one)."""
    sent: int
    invalid: int
    duplicate: int
    unreadable: int
    """Lines a CSV reader must skip (too many fields); never reach the sync's row checks."""
    reasons: Mapping[str, int] = field(default_factory=dict)
    """Why rows are invalid: the generator's own label → count."""

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "reasons": dict(self.reasons)}


@dataclass(frozen=True)
class PixelTruth:
    """Expected Pixel ↔ server deduplication for the web Purchases (EVT-7)."""

    events: int
    """Browser events posted to the sandbox's Pixel simulator."""
    merged: int
    """Orders whose Pixel event arrives within 5 minutes of the server event (kept once)."""
    deduplicated: int
    """Orders whose Pixel event arrived earlier than 5 minutes before (server copy dropped)."""
    pixel_only: int
    """Purchases the browser saw that are not in the orders export."""
    server_only: int
    """Valid orders without any Pixel event (ad blockers, closed tabs)."""

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def tally(source: str, file: str, outcomes: list[tuple[Outcome, str]]) -> FileTruth:
    """Count ``(outcome, reason)`` pairs, one per record written, into a :class:`FileTruth`."""
    kinds = Counter(outcome for outcome, _ in outcomes)
    reasons = Counter(reason for outcome, reason in outcomes if outcome == "invalid")
    return FileTruth(
        source=source,
        file=file,
        rows=len(outcomes),
        sent=kinds["sent"],
        invalid=kinds["invalid"],
        duplicate=kinds["duplicate"],
        unreadable=kinds["unreadable"],
        reasons=dict(sorted(reasons.items())),
    )
