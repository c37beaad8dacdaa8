"""Split-test stream of one advertiser (KPI-5e; ``marketing_api.md`` §6.1): ``split_tests``.

The API has no call that lists split tests, so the stream lists the account's ad groups (two
fields only, deleted ones included) and reads ``/split_test/result/get/`` for every distinct
``split_test_group_id`` they carry: status, test variable, key metric, start and end, the cells,
the p-value per metric and the platform's winner. Rows are merged by key, so a test that was
in progress on the last sync is updated. Campaign-level tests are not found this way (their ad
groups carry no group ID in what we have seen; **[UNCONFIRMED]**).

The stream is optional: an account without access to split tests skips it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from tokops.ingest.ads import AdvertiserInfo
from tokops.ingest.batches import BatchBuilder
from tokops.ingest.tasks import Chunk, Task, TaskContext
from tokops.warehouse import schema

if TYPE_CHECKING:
    from tokops.tiktok.marketing import SplitTestResult

__all__ = ["SPLIT_TESTS", "SPLIT_TEST_STREAMS", "split_test_row", "split_test_tasks"]

SPLIT_TESTS: Final = schema.SPLIT_TESTS.name
SPLIT_TEST_STREAMS: Final = (SPLIT_TESTS,)


def split_test_row(result: SplitTestResult, group_id: str) -> dict[str, Any]:
    """One ``split_tests`` row from a ``/split_test/result/get/`` answer."""
    return {
        "split_test_group_id": result.split_test_group_id or group_id,
        "split_test_level": result.split_test_level,
        "object_ids": list(result.object_ids),
        "test_variable": result.test_variable,
        "key_metric": result.key_metric,
        "status": result.split_test_status,
        "start_time": result.start_time,
        "end_time": result.end_time,
        "winning_object_id": result.winning_object_id,
        "is_significant": result.is_significant,
        "p_values": {k: None if v is None else str(v) for k, v in result.p_values.items()},
        "cells": result.cells,
    }


def _group_ids(ctx: TaskContext, advertiser_id: str) -> list[str]:
    groups = ctx.client.adgroups.iter(
        advertiser_id, fields=["adgroup_id", "split_test_group_id"], include_deleted=True
    )
    return sorted({g.split_test_group_id for g in groups if g.split_test_group_id})


def _split_tests(ctx: TaskContext, adv: AdvertiserInfo) -> Iterator[Chunk]:
    aid = adv.advertiser_id
    rows = []
    for group_id in _group_ids(ctx, aid):
        ctx.check_stop()
        rows.append(split_test_row(ctx.client.split_tests.result(aid, group_id), group_id))
    tbl = schema.table(SPLIT_TESTS)
    constants = {"advertiser_id": aid, "synced_at": ctx.now()}
    builder = BatchBuilder(tbl, [c for c in tbl.names if c not in constants], constants=constants)
    yield Chunk(SPLIT_TESTS, list(builder.build(rows)), builder.total)


def split_test_tasks(
    advertisers: Sequence[AdvertiserInfo], streams: Sequence[str] | None = None
) -> list[Task]:
    """One optional ``split_tests`` task per advertiser (none when *streams* leaves it out)."""
    if streams and SPLIT_TESTS not in streams:
        return []
    return [
        Task(SPLIT_TESTS, a.advertiser_id, partial(_split_tests, adv=a), optional=True)
        for a in advertisers
    ]
