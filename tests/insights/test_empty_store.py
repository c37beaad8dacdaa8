"""An insight on a store that was never synced says which sync fills it (issue 9 §2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.insights.creatives import top_creatives
from tokops.insights.plan import GoalParams, plan_goals
from tokops.insights.segments import segment_reports
from tokops.insights.splittest import list_split_tests
from tokops.warehouse import Store


@pytest.mark.parametrize(
    "insight",
    [
        top_creatives,
        lambda store: plan_goals(store, GoalParams(sales=100)),
        segment_reports,
        list_split_tests,
    ],
    ids=["top-creatives", "plan", "segments", "split-tests"],
)
def test_the_error_names_the_sync_to_run(
    duck_store: Store, insight: Callable[[Store], Any]
) -> None:
    with pytest.raises(ConfigError, match=r"run `tokops sync ads` first"):
        insight(duck_store)
