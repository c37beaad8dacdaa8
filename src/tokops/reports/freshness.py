"""How fresh each source of a report is: "data as of …", from the sync state (KPI-6).

``tokops sync`` records per stream and scope (advertiser, account) the last day pulled
(``ingest_cursors.synced_through``) and when the cursor moved (``updated_at``). A source is as
fresh as its **least** fresh scope: ``through`` is the earliest ``synced_through`` over the
streams and scopes the source reads, ``synced_at`` the latest ``updated_at``. A source whose
data ends before the report's range does is marked stale.

Posts have no cursor (each sync takes a lifetime snapshot of every post): their freshness is
the latest ``snapshot_date`` of ``organic_video_snapshots``, the earliest over the accounts, and
``taken_at`` when it was read.

The Events API health is as fresh as its last run (``events_runs``), which the health read-out
reports itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = ["CURSORS_TABLE", "POSTS_TABLE", "STREAMS", "Freshness", "source_freshness"]

#: The sync state table (``docs/schema.md``).
CURSORS_TABLE: Final = "ingest_cursors"

#: The posts' lifetime snapshots (``docs/schema.md``).
POSTS_TABLE: Final = "organic_video_snapshots"

#: Per KPI source: its label and the sync streams it reads.
STREAMS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "paid": (
        "TikTok Ads",
        ("advertiser_daily", "campaign_daily", "adgroup_daily", "ad_daily"),
    ),
    "organic": ("TikTok organic", ("organic_account",)),
    "organic_video": ("TikTok posts", ()),
    "followers": ("TikTok followers", ("organic_account",)),
}


@dataclass(frozen=True, slots=True)
class Freshness:
    source: str
    label: str
    through: dt.date | None
    """The last day every scope of the source was pulled for (None: never synced)."""
    synced_at: dt.datetime | None
    scopes: int

    def stale(self, end: dt.date) -> bool:
        """True when the data stops before *end* (the last day of the report's range)."""
        return self.through is None or self.through < end


def source_freshness(store: Store, sources: Sequence[str]) -> list[Freshness]:
    """The freshness of each KPI source in *sources* (others, such as ``events``, are skipped)."""
    known = [s for s in sources if s in STREAMS]
    if not known:
        return []
    rows: list[dict[str, object]] = []
    if store.exists(CURSORS_TABLE):
        streams = sorted({n for s in known for n in STREAMS[s][1]})
        t = store.table(CURSORS_TABLE)
        t = t.filter(t.stream.isin(streams))
        rows = store.fetch(
            t.select("stream", "scope_id", "synced_through", "updated_at")
        ).to_pylist()
    out = []
    for source in known:
        label, streams_of = STREAMS[source]
        if not streams_of:
            out.append(_posts(store, source, label))
            continue
        mine = [r for r in rows if r["stream"] in streams_of]
        through = [r["synced_through"] for r in mine if isinstance(r["synced_through"], dt.date)]
        synced = [r["updated_at"] for r in mine if isinstance(r["updated_at"], dt.datetime)]
        out.append(
            Freshness(
                source,
                label,
                min(through) if through else None,
                max(synced) if synced else None,
                len({r["scope_id"] for r in mine}),
            )
        )
    return out


def _posts(store: Store, source: str, label: str) -> Freshness:
    """The posts' freshness from their snapshots (see the module doc)."""
    if not store.exists(POSTS_TABLE):
        return Freshness(source, label, None, None, 0)
    t = store.table(POSTS_TABLE)
    latest = t.group_by("business_id").aggregate(day=t.snapshot_date.max(), at=t.taken_at.max())
    rows = store.fetch(latest).to_pylist()
    days = [r["day"] for r in rows if isinstance(r["day"], dt.date)]
    times = [r["at"] for r in rows if isinstance(r["at"], dt.datetime)]
    return Freshness(
        source, label, min(days) if days else None, max(times) if times else None, len(rows)
    )
