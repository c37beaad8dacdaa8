"""Organic streams of one TikTok business account (KPI-3, KPI-5c; ``analytics`` §2b).

- ``organic_account``: the profile (``organic_accounts``), today's follower count
  (``follower_snapshots``: the API gives the count at call time only and cannot backfill it, so
  a daily sync is the only way to a follower history) and the daily account metrics
  (``organic_account_daily``), whose backfill the API caps at about 60 days.
- ``organic_videos``: every post with its lifetime metrics (``organic_videos``, latest values)
  and a daily snapshot of them (``organic_video_snapshots``): the difference of two snapshots is
  what a post earned in between. Hashtags and format (``hashtags``, ``content_type``) are asked
  for too (:data:`~tokops.tiktok.marketing.organic.EXTRA_VIDEO_FIELDS`); when the API refuses
  them (TikTok documents the caption only) the list is read again without them and the columns
  stay NULL, so insights parse the caption.

Snapshot dates are UTC dates of the reading; a second reading on the same day replaces the first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from tokops.errors import ParameterError
from tokops.ingest.batches import BatchBuilder
from tokops.ingest.state import plan_range
from tokops.ingest.tasks import Chunk, Task, TaskContext
from tokops.tiktok.marketing import DateWindow
from tokops.tiktok.marketing.organic import EXTRA_VIDEO_FIELDS, VIDEO_FIELDS
from tokops.warehouse import schema
from tokops.warehouse.merge import Scope

__all__ = ["ACCOUNT_BACKFILL_DAYS", "organic_tasks"]

ACCOUNT_BACKFILL_DAYS: Final = 60
VIDEO_CHUNK: Final = 2_000
ACCOUNT_STREAM: Final = "organic_account"
VIDEO_STREAM: Final = "organic_videos"


def _chunk(name: str, rows: list[dict[str, Any]], constants: dict[str, Any]) -> Chunk:
    tbl = schema.table(name)
    builder = BatchBuilder(tbl, [c for c in tbl.names if c not in constants], constants=constants)
    batches = list(builder.build(rows))
    return Chunk(name, batches, builder.total)


def _account(ctx: TaskContext, business_id: str) -> Iterator[Chunk]:
    now = ctx.now()
    today = now.astimezone(UTC).date()
    span = plan_range(
        ctx.cursors.get(ACCOUNT_STREAM, business_id),
        today=today,
        since=ctx.since,
        history_days=ctx.history_days,
        max_history_days=ACCOUNT_BACKFILL_DAYS,
    )
    start, end = span if span is not None else (today, today)
    report = ctx.client.organic.account(business_id, start, end)
    base = {"business_id": business_id}
    profile = {**report.profile, "followers_count": report.followers_count}
    yield _chunk("organic_accounts", [profile], {**base, "synced_at": now})
    if report.followers_count is not None:
        taken = ctx.now()  # the sync's clock (injectable), read right after the call
        snap = {
            "followers_count": report.followers_count,
            "taken_at": taken,
            "snapshot_date": taken.astimezone(UTC).date(),
        }
        yield _chunk("follower_snapshots", [snap], base)
    if span is None:
        return
    days = [{**d.metrics, "stat_date": d.day} for d in report.days]
    chunk = _chunk("organic_account_daily", days, {**base, "synced_at": now})
    chunk.scope = Scope(base, ("stat_date", start, end))
    chunk.window = DateWindow(start, end)
    chunk.today = today
    yield chunk


def _video_rows(videos: list[Any], taken: datetime) -> list[dict[str, Any]]:
    rows = []
    for v in videos:
        row = dict(v.metrics)
        row.update(
            item_id=v.item_id,
            create_time=v.create_time,
            taken_at=taken,
            snapshot_date=taken.astimezone(UTC).date(),
        )
        rows.append(row)
    return rows


def _videos(ctx: TaskContext, business_id: str) -> Iterator[Chunk]:
    now = ctx.now()
    base = {"business_id": business_id}
    pending: list[Any] = []

    def flush() -> Iterator[Chunk]:
        rows = _video_rows(pending, ctx.now())
        yield _chunk("organic_videos", rows, {**base, "synced_at": now})
        yield _chunk("organic_video_snapshots", rows, base)
        pending.clear()

    fields: tuple[str, ...] = (*VIDEO_FIELDS, *EXTRA_VIDEO_FIELDS)
    started = False
    while True:
        try:
            for video in ctx.client.organic.videos(business_id, fields=fields):
                started = True
                pending.append(video)
                if len(pending) >= VIDEO_CHUNK:
                    ctx.check_stop()
                    yield from flush()
            break
        except ParameterError:
            if started or fields == VIDEO_FIELDS:
                raise
            fields = VIDEO_FIELDS  # the extra fields were refused: the caption must do
    if pending:
        yield from flush()


def organic_tasks(business_ids: Sequence[str], streams: Sequence[str] | None = None) -> list[Task]:
    """The tasks of ``sync organic`` for these accounts."""
    wanted = set(streams) if streams else {ACCOUNT_STREAM, VIDEO_STREAM}
    out: list[Task] = []
    for bid in business_ids:
        if ACCOUNT_STREAM in wanted:
            out.append(Task(ACCOUNT_STREAM, bid, partial(_account, business_id=bid)))
        if VIDEO_STREAM in wanted:
            out.append(Task(VIDEO_STREAM, bid, partial(_videos, business_id=bid)))
    return out


def organic_stream_names() -> list[str]:
    return [ACCOUNT_STREAM, VIDEO_STREAM]
