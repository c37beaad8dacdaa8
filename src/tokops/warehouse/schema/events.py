"""The events sync's own records: the ledger, its runs and the rejection samples (BYD-4, EVT-9).

``events_ledger`` is a view (one row per source row outcome per run, no raw PII) over two narrow
tables the sync appends to by the million: ``events_batches`` holds what the rows of one request
outcome (or one group of invalid / duplicate rows) share, ``events_outcomes`` what each row has of
its own, with its match-key flags packed as one bit set (:data:`KEY_BITS`). The view, the
migration of a ledger written as a table by an earlier version and the writer are
:mod:`tokops.activate.ledger`'s; the columns, their order and their types are declared here
(``docs/CONTRACTS.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from tokops.warehouse.schema.columns import RUN, col
from tokops.warehouse.schema.table import Column, Table

__all__ = [
    "EVENTS_BATCHES",
    "EVENTS_LEDGER",
    "EVENTS_OUTCOMES",
    "EVENTS_RUNS",
    "EVENTS_SAMPLES",
    "KEYS_COLUMN",
    "KEY_BITS",
    "MATCH_FLAGS",
    "RUN_COUNTS",
]

_RUN = col("run_id", "id", "The sync run (events_runs.run_id).")
_SOURCE = col("event_source", "text", "web | offline | crm.")
_SOURCE_ID = col("event_source_id", "id", "Pixel code, offline event set ID or CRM event set ID.")
_TEST_CODE = col("test_event_code", "text", "The test event code of a test run; NULL for live.")
_RECORDED = col("recorded_at", "timestamp", "When the outcome was recorded (UTC).")

_FLAGS: Final = tuple(
    col(f"has_{key}", "bool", f"Whether the row carried {what}.")
    for key, what in (
        ("email", "an email"),
        ("phone", "a phone number"),
        ("external_id", "an external ID"),
        ("ttclid", "a TikTok click ID (ttclid)"),
        ("ttp", "a TikTok cookie ID (ttp)"),
        ("ip_ua", "an IP address and a user agent"),
    )
)
#: The match-key flags of a ledger row, in the order of their bits in ``events_outcomes.keys``.
MATCH_FLAGS: Final = tuple(flag.name for flag in _FLAGS)
#: The bit of each match-key flag in ``events_outcomes.keys``.
KEY_BITS: Final[Mapping[str, int]] = {flag: 1 << i for i, flag in enumerate(MATCH_FLAGS)}
KEYS_COLUMN: Final = "keys"

_LEDGER: Final[Mapping[str, Column]] = {
    c.name: c
    for c in (
        _RUN,
        _SOURCE,
        _SOURCE_ID,
        col("event", "text", "Event name (NULL for some invalid rows)."),
        col("event_id", "text", "The given or derived event_id (NULL when none could be)."),
        col("event_time", "epoch_seconds", "Event time in Unix seconds (NULL when invalid)."),
        col("status", "text", "sent | invalid | rejected | duplicate | failed."),
        col(
            "reason",
            "text",
            "Why the row was not sent (never the raw value); for a sent row, a note such as "
            "`phone dropped: invalid`, or NULL.",
        ),
        col("attempts", "integer", "HTTP attempts of the batch that carried the row."),
        col("api_code", "integer", "TikTok's envelope code of the last answer (NULL if unsent)."),
        col("request_id", "text", "TikTok's request_id of the last answer."),
        *_FLAGS,
        _TEST_CODE,
        _RECORDED,
    )
}
_BATCH_ID = col("batch_id", "int_id", "The batch (events_batches.batch_id), a random 62-bit ID.")
_BITS_DOC = ", ".join(f"{bit} {flag.removeprefix('has_')}" for flag, bit in KEY_BITS.items())


def _ledger(*names: str) -> tuple[Column, ...]:
    return tuple(_LEDGER[name] for name in names)


EVENTS_LEDGER: Final = Table(
    "events_ledger",
    "What happened to every source row, per run, with no raw personal data. Rows a run skips "
    "because an earlier run already sent them are not written again (events_runs.already_sent "
    "counts them). A view: event and reason are the row's own when set, else its batch's.",
    "one row per source row outcome per run",
    (),
    tuple(_LEDGER.values()),
    group="events",
    view_of=("events_outcomes", "events_batches"),
)
EVENTS_BATCHES: Final = Table(
    "events_batches",
    "What the rows of one request outcome, or of one group of invalid or duplicate rows, share "
    "(behind events_ledger).",
    "one row per batch",
    ("batch_id",),
    (
        _BATCH_ID,
        *_ledger("run_id", "event_source", "event_source_id"),
        col("event", "text", "Event name when every row of the batch has the same, else NULL."),
        _LEDGER["status"],
        col("reason", "text", "Why the batch's rows were not sent, when they share it."),
        *_ledger("attempts", "api_code", "request_id", "test_event_code", "recorded_at"),
    ),
    group="events",
)
EVENTS_OUTCOMES: Final = Table(
    "events_outcomes",
    "What each source row of a batch has of its own (behind events_ledger).",
    "one row per source row outcome per run",
    (),
    (
        _BATCH_ID,
        col("event", "text", "The row's event name when its batch has none."),
        *_ledger("event_id", "event_time"),
        col("reason", "text", "The row's own reason (invalid rows), else NULL."),
        col(KEYS_COLUMN, "flags", f"The match keys the row carried, as bits: {_BITS_DOC}."),
    ),
    group="events",
)

#: The outcome counts of a run, as ``events_runs`` columns.
RUN_COUNTS: Final = ("sent", "invalid", "rejected", "duplicate", "failed", "already_sent")
EVENTS_RUNS: Final = Table(
    "events_runs",
    "One row per events sync run with its outcome counts.",
    "one row per run",
    ("run_id",),
    (
        *RUN,
        col(
            "source",
            "text",
            "The table or file as given; a SQL query with its literals replaced by ? and its "
            "SHA-256 fingerprint.",
        ),
        _SOURCE,
        _SOURCE_ID,
        col("status", "text", "running | completed | failed | interrupted."),
        col("dry_run", "bool", "Whether nothing was sent."),
        _TEST_CODE,
        *(
            col(name, "count", f"Source rows counted {name.replace('_', ' ')}.")
            for name in RUN_COUNTS
        ),
        col(
            "total",
            "count",
            "Source rows the run was to account for (NULL for runs recorded before it existed).",
        ),
    ),
    group="events",
)
EVENTS_SAMPLES: Final = Table(
    "events_samples",
    "One redacted example of a rejected value per run, event and reason (EVT-6): emails and "
    "phones keep two characters, other values are cut short. Never a raw value.",
    "one row per run, event source, event name and reason",
    ("run_id", "event_source_id", "event", "reason"),
    (
        _RUN,
        _SOURCE_ID,
        col("event", "text", "Event name (NULL when the row had none)."),
        col("reason", "text", "The rejection reason."),
        col("sample", "text", "The redacted example."),
        _RECORDED,
    ),
    group="events",
)
