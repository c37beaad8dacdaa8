"""Paging (§1.3): every row exactly once, whatever the page size (property test)."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tokops.sandbox import Sandbox

from ..conftest import Marketing, MockClock, marketing_settings

QUERIES: list[dict[str, Any]] = [
    {"data_level": "AUCTION_AD", "dimensions": ["ad_id", "stat_time_day"]},
    {"data_level": "AUCTION_ADGROUP", "dimensions": ["stat_time_day", "adgroup_id"]},
    {"data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id"]},
    {"report_type": "AUDIENCE", "data_level": "AUCTION_AD", "dimensions": ["ad_id", "age"]},
]


@cache
def api() -> Marketing:
    clock = MockClock()
    return Marketing(Sandbox(marketing_settings(), now=clock), clock)


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row["dimensions"].values())


@settings(max_examples=25, deadline=None)
@given(
    page_size=st.integers(min_value=1, max_value=400).map(lambda n: n if n > 9 else n * 10),
    query=st.sampled_from(QUERIES),
    days=st.integers(min_value=1, max_value=12),
)
def test_paging_yields_every_row_once(page_size: int, query: dict[str, Any], days: int) -> None:
    mk = api()
    dates = {"start_date": "2026-02-01", "end_date": f"2026-02-{days:02d}"}
    reference = mk.all_rows(page_size=1000, **query, **dates)
    seen: list[tuple[str, ...]] = []
    page = 1
    while True:
        data = mk.ok(mk.report(page=page, page_size=page_size, **query, **dates))
        info = data["page_info"]
        assert info["page"] == page and info["page_size"] == page_size
        assert info["total_number"] == len(reference)
        assert info["total_page"] == math.ceil(len(reference) / page_size)
        assert len(data["list"]) <= page_size
        seen.extend(_key(r) for r in data["list"])
        if page >= info["total_page"]:
            break
        page += 1
    assert seen == [_key(r) for r in reference]
    assert len(set(seen)) == len(seen)


def test_a_page_past_the_end_is_empty() -> None:
    mk = api()
    data = mk.ok(
        mk.report(
            data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id"], page=99, page_size=10,
            start_date="2026-02-01", end_date="2026-02-02",
        )
    )  # fmt: skip
    assert data["list"] == [] and data["page_info"]["page"] == 99
    assert data["page_info"]["total_number"] > 0
