"""The split tests the ads sync stored, and the time zone their days are counted in (KPI-5e).

``split_tests`` holds one row per test (cells, test variable, key metric, start and end, the
platform's p-values and winner; see ``docs/schema.md``); ``advertisers.timezone`` is the zone
the account's report days are in. The cells' delivery is read through :mod:`.query`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from tokops.metrics.sources import synced_table
from tokops.metrics.tables import ADVERTISERS, SPLIT_TESTS

if TYPE_CHECKING:
    from tokops.metrics.reader import Reader

__all__ = ["advertiser_timezone", "split_test_row", "split_test_rows"]

TABLE: Final = SPLIT_TESTS.name
ACCOUNTS: Final = ADVERTISERS.name


def split_test_rows(reader: Reader) -> list[dict[str, Any]]:
    """Every row of ``split_tests``, newest start first (an error naming the sync without it)."""
    t = synced_table(reader, TABLE)
    rows: list[dict[str, Any]] = reader.fetch(
        t.order_by([t.start_time.desc(), t.split_test_group_id])
    ).to_pylist()
    return rows


def split_test_row(reader: Reader, group_id: str) -> dict[str, Any] | None:
    """The ``split_tests`` row of *group_id* (None when the store has none)."""
    t = synced_table(reader, TABLE)
    rows = reader.fetch(t.filter(t.split_test_group_id == group_id)).to_pylist()
    return rows[0] if rows else None


def advertiser_timezone(reader: Reader, advertiser_id: str) -> str | None:
    """The account's time zone (None when unknown or the accounts were not synced)."""
    if not reader.exists(ACCOUNTS):
        return None
    t = reader.table(ACCOUNTS)
    rows = reader.fetch(t.filter(t.advertiser_id == advertiser_id).select("timezone")).to_pylist()
    return rows[0]["timezone"] if rows and rows[0]["timezone"] else None
