"""One redacted sample per rejection reason, kept for the health read-out (issue 9 §5, EVT-6).

A sync shows, beside each reason rows were rejected for, one example of the offending value
(``invalid email: 1,203 rows, e.g. "jo…@…"``). The sample is redacted by the engine before
Python sees it (:func:`tokops.activate.normalize.redacted`: personal data keeps two characters,
other values are cut short), and only that redacted form is stored: in ``events_samples``, one
row per (run, event source id, event name, reason) — never in the ledger, never raw. The table
is declared in the store's catalogue (:data:`tokops.warehouse.schema.EVENTS_SAMPLES`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from tokops.warehouse.merge import declare_table
from tokops.warehouse.schema import EVENTS_SAMPLES

if TYPE_CHECKING:
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = ["SAMPLES_TABLE", "latest_samples", "record_samples", "samples_schema"]

SAMPLES_TABLE: Final = EVENTS_SAMPLES.name
_NO_EVENT: Final = ""


@functools.cache
def samples_schema() -> pa.Schema:
    return EVENTS_SAMPLES.arrow_schema()


def record_samples(
    store: Store,
    run_id: str,
    event_source_id: str,
    samples: Mapping[tuple[str | None, str], str],
) -> None:
    """Store the run's samples: (event name or None, reason) → redacted sample."""
    import pyarrow as pa

    if not samples:
        return
    declare_table(store, EVENTS_SAMPLES.spec())
    now = datetime.now(UTC)
    rows = [
        {
            "run_id": run_id,
            "event_source_id": event_source_id,
            "event": event,
            "reason": reason,
            "sample": sample,
            "recorded_at": now,
        }
        for (event, reason), sample in samples.items()
    ]
    store.insert(SAMPLES_TABLE, pa.Table.from_pylist(rows, schema=samples_schema()))


def latest_samples(
    store: Store, event_source_id: str | None = None
) -> dict[tuple[str, str | None, str], str]:
    """(event source id, event name or None, reason) → the most recent sample."""
    import ibis

    if not store.exists(SAMPLES_TABLE):
        return {}
    t = store.table(SAMPLES_TABLE)
    if event_source_id is not None:
        t = t.filter(t.event_source_id == event_source_id)
    keys = [t.event_source_id, t.event.fill_null(_NO_EVENT), t.reason]
    ranked = t.mutate(
        _rn=ibis.row_number().over(group_by=keys, order_by=[t.recorded_at.desc(), t.run_id.desc()])
    )
    rows = store.fetch(ranked.filter(ranked._rn == 0).drop("_rn")).to_pylist()
    return {
        (str(r["event_source_id"]), r["event"], str(r["reason"])): str(r["sample"]) for r in rows
    }
